"""Every query the read paths send uses an index, on this backend: the statements of the home
(read from the database and rebuilt), the public and hashtag timelines, an account's statuses,
a thread, notifications, favourites and bookmarks are captured as they run, then explained.
A full scan of a table is what makes a read's cost grow with the data (issue 19)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Connection
from starlette.applications import Starlette

from social.platform.db.models import Base
from tests.helpers import follow, make_user, post, register_app

TABLES = frozenset(Base.metadata.tables)
SQLITE_SCAN = re.compile(r"\bSCAN (\w+)(?: AS \w+)?$")  # no USING INDEX: every row read
PG_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


async def _world(client: httpx.AsyncClient) -> dict[str, Any]:
    client_app = await register_app(client)
    alice, bob = [await make_user(client, client_app, n) for n in ("alice", "bob")]
    await follow(client, bob, alice)
    await follow(client, alice, bob)
    root = await post(client, alice, "a #thread begins")
    reply = await post(client, bob, f"@{alice.username} answers", in_reply_to_id=root["id"])
    await post(client, alice, "and goes on", in_reply_to_id=reply["id"])
    await post(client, alice, f"hello @{bob.username}", visibility="private")
    await client.post(f"/api/v1/statuses/{root['id']}/favourite", headers=bob.auth)
    await client.post(f"/api/v1/statuses/{root['id']}/bookmark", headers=bob.auth)
    return {"alice": alice, "bob": bob, "root": root["id"]}


def _reads(world: dict[str, Any]) -> list[tuple[str, Any]]:
    alice, bob, root = world["alice"], world["bob"], world["root"]
    return [
        ("/api/v1/timelines/home", bob),
        ("/api/v1/timelines/public", bob),
        ("/api/v1/timelines/public?local=true", None),
        ("/api/v1/timelines/tag/thread", bob),
        (f"/api/v1/accounts/{alice.id}/statuses", bob),
        (f"/api/v1/accounts/{alice.id}/statuses?exclude_replies=true", None),
        (f"/api/v1/statuses/{root}/context", bob),
        ("/api/v1/notifications", alice),
        ("/api/v2/notifications", alice),
        ("/api/v1/favourites", bob),
        ("/api/v1/bookmarks", bob),
        (f"/api/v1/accounts/{bob.id}/followers", alice),
        ("/api/v1/conversations", bob),
    ]


def _full_scans(connection: Connection, captured: list[tuple[str, Any]]) -> list[str]:
    found = []
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.exec_driver_sql("SET enable_seqscan = off")  # an index, if there is one
    for statement, parameters in captured:
        prefix = "EXPLAIN " if postgres else "EXPLAIN QUERY PLAN "
        rows = connection.exec_driver_sql(prefix + statement, parameters).all()
        plan = [str(row[0]) if postgres else str(row[-1]) for row in rows]
        for line in plan:
            match = (PG_SEQ_SCAN if postgres else SQLITE_SCAN).search(line.strip())
            if match and match.group(1) in TABLES:
                found.append(f"{match.group(1)}: {statement}\n  " + "\n  ".join(plan))
    return found


async def test_the_read_paths_use_an_index_for_every_query(
    app: Starlette, client: httpx.AsyncClient
) -> None:
    ctx = app.state.ctx
    world = await _world(client)
    await ctx.events.drain()
    for user in (world["alice"], world["bob"]):  # the homes from the database, then rebuilt
        await ctx.redis.delete(ctx.keys.home_feed(int(user.id)))
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    event.listen(ctx.engine.sync_engine, "before_cursor_execute", capture)
    try:
        for path, user in _reads(world):
            r = await client.get(path, headers=user.auth if user else {})
            assert r.status_code == 200, (path, r.text)
        await ctx.settle()  # the rebuilds the home reads began
    finally:
        event.remove(ctx.engine.sync_engine, "before_cursor_execute", capture)
    assert len(captured) >= len(_reads(world))  # the reads did ask the database
    async with ctx.engine.connect() as connection:
        scans = await connection.run_sync(_full_scans, captured)
    assert scans == [], "\n\n".join(scans)
