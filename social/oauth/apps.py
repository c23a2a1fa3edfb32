"""Client applications: found by their credentials or their id, and where they may be sent."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from social.platform.context import AppContext
from social.platform.db.models import Application

OOB = "urn:ietf:wg:oauth:2.0:oob"
"""The redirect URI of an app that cannot receive one: the code is shown to copy."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def by_client_id(ctx: AppContext, client_id: str) -> Application | None:
    async with ctx.db() as db:
        query = select(Application).where(Application.client_id == client_id)
        return (await db.execute(query)).scalars().first()


async def find_client(ctx: AppContext, client_id: str, client_secret: str) -> Application | None:
    """The application whose id and secret both match (the secret compared in constant time,
    and a dummy one when the id is unknown, so either failure costs the same)."""
    app = await by_client_id(ctx, client_id)
    expected = app.client_secret_hash if app else hash_secret(secrets.token_urlsafe(32))
    if secrets.compare_digest(expected, hash_secret(client_secret)) and app is not None:
        return app
    return None


def redirect_uris(app: Application) -> list[str]:
    return app.redirect_uris.split()
