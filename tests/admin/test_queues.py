"""Queue state for operators: `/api/v1/admin/queues` (admins only) and `/metrics` gauges."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette

from social.accounts.service import create_account
from tests.helpers import PASSWORD, make_user, password_login, post, register_app


async def test_queue_state_for_admins(app: Starlette, client: httpx.AsyncClient) -> None:
    client_app = await register_app(client)
    alice = await make_user(client, client_app, "alice")
    async with app.state.ctx.db() as db:
        await create_account(
            db, username="boss", email="boss@example.com", password=PASSWORD, role="admin"
        )
    admin_app = await register_app(client, scopes="read write admin:read")
    login = await client.post(
        "/oauth/token",
        data={
            "grant_type": "password",
            "client_id": admin_app.client_id,
            "client_secret": admin_app.client_secret,
            "username": "boss",
            "password": PASSWORD,
            "scope": "read admin:read",
        },
    )
    boss = login.json()["access_token"]
    no_admin_scope = (await password_login(client, client_app, "boss")).json()["access_token"]
    r = await client.get(
        "/api/v1/admin/queues", headers={"Authorization": f"Bearer {no_admin_scope}"}
    )
    assert r.status_code == 403

    await post(client, alice, "one")
    await post(client, alice, "two")
    await post(client, alice, "later", scheduled_at="2100-01-01T00:00:00Z")
    r = await client.get("/api/v1/admin/queues", headers={"Authorization": f"Bearer {boss}"})
    assert r.status_code == 200
    assert r.json()["outbox_unsent"] == 2
    await app.state.ctx.events.drain()
    state = (
        await client.get("/api/v1/admin/queues", headers={"Authorization": f"Bearer {boss}"})
    ).json()
    assert state["outbox_unsent"] == 0
    assert state["length"] == 2
    assert {"timelines", "notifications"} <= set(state["groups"])
    assert all(g["pending"] == 0 and g["lag"] == 0 for g in state["groups"].values())
    jobs = state["scheduler"]["kinds"]["scheduled.publish"]
    assert jobs == {"pending": 1, "due": 0, "dead": 0}

    assert (await client.get("/api/v1/admin/queues", headers=alice.auth)).status_code == 403
    assert (await client.get("/api/v1/admin/queues")).status_code == 401

    metrics = (await client.get("/metrics")).text
    assert "social_events_stream_length 2.0" in metrics
    assert 'social_events_lag{group="timelines"} 0.0' in metrics
    assert "social_outbox_unsent 0.0" in metrics
    assert 'social_scheduler_jobs{kind="scheduled.publish",state="pending"} 1.0' in metrics
