"""What the fuzzer found, pinned as plain examples so that no seed or backend can miss them."""

from __future__ import annotations

import httpx
import pytest

from tests.helpers import make_user, post, register_app


@pytest.mark.parametrize("segment", ["%C2%B2", "%D9%A1%D9%A2", "9223372036854775808", "1" * 5000])
async def test_ids_that_are_not_64_bit_ascii_numbers_are_not_found(
    client: httpx.AsyncClient, segment: str
) -> None:
    for path in (f"/api/v1/accounts/{segment}", f"/api/v1/statuses/{segment}/context"):
        r = await client.get(path)
        assert r.status_code == 404, (path, r.text)
        assert r.json() == {"error": "Record not found"}


async def test_relationships_skip_ids_that_cannot_exist(client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    r = await client.get(
        "/api/v1/accounts/relationships",
        params={"id[]": ["²", "99999999999999999999", alice.id]},
        headers=alice.auth,
    )
    assert r.status_code == 200, r.text
    assert [rel["id"] for rel in r.json()] == [alice.id]


async def test_a_long_numeric_header_is_not_a_content_length(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/instance", headers={"X-Request-Number": "1" * 5000})
    assert r.status_code == 200
    r = await client.post("/api/v1/apps", content=b"{}", headers={"Content-Length": "1" * 5000})
    assert r.status_code == 413


async def test_a_parameter_given_twice_is_refused(client: httpx.AsyncClient) -> None:
    r = await client.get("/api/v1/timelines/public?limit=5&limit=500")
    assert r.status_code == 422
    assert set(r.json()["details"]) == {"limit"}
    r = await client.get("/api/v1/timelines/public?max_id=")
    assert r.status_code == 200  # a blank cursor is no cursor, as clients send it


async def test_a_list_may_repeat_its_plain_name(client: httpx.AsyncClient) -> None:
    alice = await make_user(client, await register_app(client), "alice")
    r = await client.get("/api/v1/notifications?types=follow&types=mention", headers=alice.auth)
    assert r.status_code == 200
    r = await client.get(
        f"/api/v1/notifications?{'&'.join(['types=follow'] * 21)}", headers=alice.auth
    )
    assert r.status_code == 422
    assert set(r.json()["details"]) == {"types"}


async def test_nul_characters_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient,
) -> None:
    """PostgreSQL cannot store U+0000: a 422 on every backend, not a 500 on one."""
    alice = await make_user(client, await register_app(client), "alice")
    await post(client, alice, "kept")
    r = await client.post("/api/v1/statuses", headers=alice.auth, json={"status": "a\x00b"})
    assert r.status_code == 422
    assert r.json()["details"]["status"][0]["description"] == "must not contain NUL characters"
    r = await client.post(
        "/api/v1/statuses", headers=alice.auth, data={"status": "a\x00b", "spoiler_text": "x"}
    )
    assert r.status_code == 422
    statuses = (await client.get(f"/api/v1/accounts/{alice.id}/statuses")).json()
    assert [s["content"] for s in statuses] == ["<p>kept</p>"]

    for path in ("/api/v1/accounts/lookup?acct=al%00ice", "/api/v1/notifications?types[]=%00"):
        r = await client.get(path, headers=alice.auth)
        assert r.status_code == 422, (path, r.text)
    r = await client.get("/api/v1/timelines/tag/a%00b")
    assert r.status_code == 200
    assert r.json() == []
