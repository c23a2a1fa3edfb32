"""NodeInfo as the clients that read it decide by it: megalodon's `detector` (Whalebird) and
Phanpy's feature checks, each restated from its source; the documents against NodeInfo's
schemas; counted from the database; open to other origins; cacheable."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
import jsonschema_rs
import pytest
from sqlalchemy import update
from starlette.applications import Starlette

from social.platform.db.models import Account, User
from social.platform.db.types import utcnow
from tests.helpers import make_user, password_login, post, register_app

NODEINFO_20 = "http://nodeinfo.diaspora.software/ns/schema/2.0"
NODEINFO_21 = "http://nodeinfo.diaspora.software/ns/schema/2.1"


async def megalodon_detector(client: httpx.AsyncClient) -> str:
    """megalodon/src/detector.ts: the first link of schema 2.0 or 2.1, fetched by its href; the
    software by name, else `metadata.upstream.name` "mastodon"; else it throws."""
    links = (await client.get("/.well-known/nodeinfo")).json()["links"]
    link = next((lk for lk in links if lk["rel"] in (NODEINFO_20, NODEINFO_21)), None)
    assert link is not None, "Could not find nodeinfo"
    info = (await client.get(link["href"])).json()
    known = {
        "pleroma": "pleroma",
        "akkoma": "pleroma",
        "mastodon": "mastodon",
        "wildebeest": "mastodon",
        "misskey": "misskey",
        "friendica": "friendica",
    }
    name = info["software"]["name"]
    if name in known:
        return known[name]
    if (info["metadata"].get("upstream") or {}).get("name") == "mastodon":
        return "mastodon"
    raise AssertionError("Unknown SNS")


# Phanpy's src/utils/supports.js and src/data/features.json (the parts that decide here).
NOT_PIXELFED = re.compile(r"^(?!.*pixelfed).*$", re.IGNORECASE)
PLATFORM_FEATURES = {
    "@mastodon/lists": NOT_PIXELFED,
    "@mastodon/filters": NOT_PIXELFED,
    "@mastodon/mentions": NOT_PIXELFED,
    "@mastodon/trending-hashtags": NOT_PIXELFED,
    "@mastodon/post-bookmark": NOT_PIXELFED,
    "@mastodon/post-edit": NOT_PIXELFED,
    "@mastodon/profile-edit": NOT_PIXELFED,
    "@mastodon/pinned-posts": NOT_PIXELFED,
}
RANGED_FEATURES = ("@mastodon/list-exclusive", "@mastodon/filtered-notifications")


def phanpy_supports(feature: str, nodeinfo: dict[str, Any], version: str) -> bool:
    software = nodeinfo.get("software", {}).get("name") or "mastodon"
    if software == "hometown":
        software = "mastodon"
    if feature in PLATFORM_FEATURES:
        return bool(PLATFORM_FEATURES[feature].match(version))
    matched = re.match(r"^@([a-z]+)/", feature, re.IGNORECASE)
    if matched is None:
        return software == feature.removeprefix("@")
    # then a semver range of the version string, which only matters when the software matches
    return matched.group(1) == software.lower()


async def test_megalodon_takes_it_for_mastodon(client: httpx.AsyncClient) -> None:
    assert await megalodon_detector(client) == "mastodon"
    info = (await client.get("/nodeinfo/2.0")).json()
    assert info["software"]["name"] == "social"  # named for what it is
    assert info["metadata"]["upstream"] == {"name": "mastodon", "version": "4.3.0"}


async def test_phanpy_keeps_what_it_decides_by_version_and_gates_mastodon_extras(
    client: httpx.AsyncClient,
) -> None:
    """Phanpy stores the 2.0 document (or 2.1) and the instance's version string."""
    version = (await client.get("/api/v2/instance")).json()["version"]
    assert re.match(r"^\d+\.\d+(\.\d+)?", version).group(0) == "4.3.0"  # type: ignore[union-attr]
    for rel_version in ("2.0", "2.1"):
        info = (await client.get(f"/nodeinfo/{rel_version}")).json()
        assert all(phanpy_supports(f, info, version) for f in PLATFORM_FEATURES)
        # Mastodon's version-gated extras are for Mastodon: APIs this server does not have
        assert not any(phanpy_supports(f, info, version) for f in RANGED_FEATURES)
        assert not phanpy_supports("@mastodon", info, version)


# NodeInfo's schemas (github.com/jhass/nodeinfo, schemas/2.0 and 2.1), the parts that bind.
PROTOCOLS = ["activitypub", "buddycloud", "dfrn", "diaspora", "libertree", "ostatus"]
PROTOCOLS += ["pumpio", "tent", "xmpp", "zot"]


def nodeinfo_schema(version: str) -> dict[str, Any]:
    count = {"type": "integer", "minimum": 0}
    software: dict[str, Any] = {
        "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "version": {"type": "string"},
    }
    if version == "2.1":
        software |= {"repository": {"type": "string"}, "homepage": {"type": "string"}}
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "version",
            "software",
            "protocols",
            "services",
            "openRegistrations",
            "usage",
            "metadata",
        ],
        "properties": {
            "version": {"enum": [version]},
            "software": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "version"],
                "properties": software,
            },
            "protocols": {"type": "array", "minItems": 1, "items": {"enum": PROTOCOLS}},
            "services": {
                "type": "object",
                "additionalProperties": False,
                "required": ["inbound", "outbound"],
                "properties": {
                    "inbound": {"type": "array", "items": {"type": "string"}},
                    "outbound": {"type": "array", "items": {"type": "string"}},
                },
            },
            "openRegistrations": {"type": "boolean"},
            "usage": {
                "type": "object",
                "additionalProperties": False,
                "required": ["users"],
                "properties": {
                    "users": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": {
                            "total": count,
                            "activeHalfyear": count,
                            "activeMonth": count,
                        },
                    },
                    "localPosts": count,
                    "localComments": count,
                },
            },
            "metadata": {"type": "object"},
        },
    }


@pytest.mark.parametrize("version", ["2.0", "2.1"])
async def test_the_documents_follow_the_schema_and_count_the_database(
    app: Starlette, client: httpx.AsyncClient, version: str
) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")  # posts: active
    await make_user(client, client_app, "bob")  # signs in: active
    await make_user(client, client_app, "carol")  # signed up long ago, signed in 100 days ago
    await make_user(client, client_app, "mallory")  # suspended: not counted
    await post(client, alice, "one")
    await post(client, alice, "two")
    assert (await password_login(client, client_app, "bob")).status_code == 200
    async with app.state.ctx.db() as db:
        long_ago = utcnow() - timedelta(days=100)
        carol = update(User).where(User.email == "carol@example.com")
        await db.execute(carol.values(last_sign_in_at=long_ago))
        await db.execute(
            update(Account).where(Account.username == "mallory").values(suspended=True)
        )
        await db.commit()

    links = (await client.get("/.well-known/nodeinfo")).json()["links"]
    assert links == [
        {"rel": NODEINFO_20, "href": "http://localhost:8000/nodeinfo/2.0"},
        {"rel": NODEINFO_21, "href": "http://localhost:8000/nodeinfo/2.1"},
    ]
    info = (await client.get(f"/nodeinfo/{version}")).json()
    jsonschema_rs.validate(nodeinfo_schema(version), info)
    assert info["usage"] == {
        "users": {"total": 3, "activeMonth": 2, "activeHalfyear": 3},
        "localPosts": 2,
    }
    assert info["openRegistrations"] is True
    assert info["metadata"]["nodeName"] == "social"
    assert info["metadata"]["federation"] == {"enabled": False}
    assert ("repository" in info["software"]) is (version == "2.1")


async def test_a_document_that_breaks_the_schema_is_caught(client: httpx.AsyncClient) -> None:
    """The schema restated above does refuse what NodeInfo refuses."""
    info = (await client.get("/nodeinfo/2.0")).json()
    for broken in (
        {**info, "protocols": []},
        {**info, "software": {**info["software"], "name": "Social"}},
        {**info, "software": {**info["software"], "repository": "https://x"}},
        {**info, "usage": {"users": {"total": -1}}},
        {k: v for k, v in info.items() if k != "metadata"},
    ):
        assert not jsonschema_rs.is_valid(nodeinfo_schema("2.0"), broken), broken


async def test_other_origins_may_read_it_and_caches_may_keep_it(client: httpx.AsyncClient) -> None:
    origin = {"Origin": "https://app.example"}
    for path, max_age in (
        ("/.well-known/nodeinfo", 259200),
        ("/nodeinfo/2.0", 1800),
        ("/nodeinfo/2.1", 1800),
    ):
        r = await client.get(path, headers=origin)
        assert r.status_code == 200
        assert r.headers["access-control-allow-origin"] == "*"
        assert r.headers["cache-control"] == f"public, max-age={max_age}"
        assert r.headers["content-type"].startswith("application/json")
        preflight = await client.options(
            path, headers={**origin, "Access-Control-Request-Method": "GET"}
        )
        assert preflight.status_code == 200
        assert "GET" in preflight.headers["access-control-allow-methods"]
