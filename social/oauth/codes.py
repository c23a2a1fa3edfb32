"""Authorization codes (RFC 6749 section 4.1, PKCE of RFC 7636): single use, ten minutes, bound
to the client, the redirect URI, the scopes, the person and the challenge.

A code is a 256-bit random string; Redis keeps only its SHA-256, with the grant. Redeeming one
marks it used in the same script that reads it, so two requests with one code cannot both
win; a code presented again revokes the token issued from it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from redis.typing import EncodableT, FieldT

from social.platform.context import AppContext
from social.platform.redis.scripts import Script

CODE_TTL_S = 600
VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}\Z")
CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}\Z")  # base64url of a SHA-256, unpadded
REDEEM = Script(Path(__file__).with_name("code_redeem.lua"))


@dataclass(frozen=True)
class Grant:
    """What an approved authorization request grants, until its code is redeemed."""

    app_id: int
    redirect_uri: str
    scopes: tuple[str, ...]
    account_id: int
    challenge: str | None = None


@dataclass(frozen=True)
class Replayed:
    """A code presented again: the access session issued from it (empty if none was)."""

    account_id: int
    issued: str


def s256(verifier: str) -> str:
    """The S256 challenge of a verifier: base64url of its SHA-256, without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def verifies(challenge: str, verifier: str) -> bool:
    return bool(VERIFIER.match(verifier)) and hmac.compare_digest(s256(verifier), challenge)


def _key(ctx: AppContext, code: str) -> str:
    return ctx.keys.authorization_code(hashlib.sha256(code.encode()).hexdigest())


async def issue(ctx: AppContext, grant: Grant) -> str:
    code = secrets.token_urlsafe(32)
    fields: dict[FieldT, EncodableT] = {
        "app_id": str(grant.app_id),
        "redirect_uri": grant.redirect_uri,
        "scopes": " ".join(grant.scopes),
        "account_id": str(grant.account_id),
        "challenge": grant.challenge or "",
    }
    key = _key(ctx, code)
    async with ctx.redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, mapping=fields)
        pipe.expire(key, CODE_TTL_S)
        await pipe.execute()
    return code


async def redeem(ctx: AppContext, code: str) -> Grant | Replayed | None:
    """The grant of `code` the first time; `Replayed` after; None for no such code."""
    if not 20 <= len(code) <= 200:
        return None
    key = _key(ctx, code)
    reply = await REDEEM.call(ctx.redis, [key], [])
    if int(reply[0]) == 0:
        return None
    if int(reply[0]) == 2:
        owner = await ctx.redis.hget(key, "account_id")  # a second look: replays are rare
        return Replayed(int(owner or 0), _text(reply[1]))
    raw = {_text(reply[i]): _text(reply[i + 1]) for i in range(1, len(reply) - 1, 2)}
    return Grant(
        app_id=int(raw["app_id"]),
        redirect_uri=raw["redirect_uri"],
        scopes=tuple(raw["scopes"].split()),
        account_id=int(raw["account_id"]),
        challenge=raw["challenge"] or None,
    )


async def issued(ctx: AppContext, code: str, access_session_id: str) -> None:
    """Remember the access session issued from `code`, for as long as the code would live
    (a code that expired meanwhile gets a lifetime again, not none)."""
    key = _key(ctx, code)
    async with ctx.redis.pipeline(transaction=True) as pipe:
        pipe.hset(key, "issued", access_session_id)
        pipe.expire(key, CODE_TTL_S, nx=True)
        await pipe.execute()


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
