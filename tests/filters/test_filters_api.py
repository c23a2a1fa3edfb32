"""The filters API (v2 and v1) and filters applied on every read path."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import func, select
from starlette.applications import Starlette

from social.platform.db.models.filters import CustomFilter, CustomFilterKeyword
from tests.helpers import User, make_user, post, register_app


@pytest.fixture
async def people(client: httpx.AsyncClient) -> tuple[User, User]:
    app = await register_app(client)
    return await make_user(client, app, "alice"), await make_user(client, app, "bob")


async def create(client: httpx.AsyncClient, user: User, **body: Any) -> dict[str, Any]:
    body = {"title": "Cats", "context": ["home", "public"], **body}
    r = await client.post("/api/v2/filters", headers=user.auth, json=body)
    assert r.status_code == 200, r.text
    found: dict[str, Any] = r.json()
    return found


async def rows(app: Starlette) -> tuple[int, int]:
    async with app.state.ctx.db() as db:
        filters = await db.scalar(select(func.count()).select_from(CustomFilter))
        keywords = await db.scalar(select(func.count()).select_from(CustomFilterKeyword))
    return filters or 0, keywords or 0


async def test_v2_round_trip_create_read_update_delete(
    client: httpx.AsyncClient, people: tuple[User, User]
) -> None:
    alice, _ = people
    made = await create(
        client,
        alice,
        filter_action="hide",
        expires_in=3600,
        keywords_attributes=[{"keyword": "cat", "whole_word": False}, {"keyword": "dog"}],
    )
    assert made["title"] == "Cats"
    assert made["context"] == ["home", "public"]
    assert made["filter_action"] == "hide"
    assert made["expires_at"]
    assert [(k["keyword"], k["whole_word"]) for k in made["keywords"]] == [
        ("cat", False),
        ("dog", True),
    ]
    assert made["statuses"] == []
    listed = (await client.get("/api/v2/filters", headers=alice.auth)).json()
    assert listed == [made]
    assert (await client.get(f"/api/v2/filters/{made['id']}", headers=alice.auth)).json() == made

    cat, dog = made["keywords"]
    r = await client.put(
        f"/api/v2/filters/{made['id']}",
        headers=alice.auth,
        json={
            "title": "Pets",
            "expires_in": "",
            "keywords_attributes": [
                {"id": cat["id"], "keyword": "kitten"},
                {"id": dog["id"], "_destroy": True},
                {"keyword": "bird", "whole_word": "0"},
            ],
        },
    )
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["title"] == "Pets"
    assert changed["expires_at"] is None
    assert changed["filter_action"] == "hide"
    assert changed["context"] == ["home", "public"]
    assert [(k["keyword"], k["whole_word"]) for k in changed["keywords"]] == [
        ("kitten", False),
        ("bird", False),
    ]
    r = await client.delete(f"/api/v2/filters/{made['id']}", headers=alice.auth)
    assert r.status_code == 200
    assert r.json() == {}
    assert (
        await client.get(f"/api/v2/filters/{made['id']}", headers=alice.auth)
    ).status_code == 404


async def test_form_bodies_take_rails_nested_keywords(
    client: httpx.AsyncClient, people: tuple[User, User]
) -> None:
    alice, _ = people
    form = [
        ("title", "Form"),
        ("context[]", "thread"),
        ("keywords_attributes[][keyword]", "one"),
        ("keywords_attributes[][whole_word]", "false"),
        ("keywords_attributes[][keyword]", "two"),
    ]
    headers = {**alice.auth, "Content-Type": "application/x-www-form-urlencoded"}
    r = await client.post("/api/v2/filters", headers=headers, content=urlencode(form))
    assert r.status_code == 200, r.text
    assert [(k["keyword"], k["whole_word"]) for k in r.json()["keywords"]] == [
        ("one", False),
        ("two", True),
    ]


async def test_keyword_and_status_sub_resources(
    client: httpx.AsyncClient, people: tuple[User, User]
) -> None:
    alice, bob = people
    made = await create(client, alice)
    base = f"/api/v2/filters/{made['id']}"
    r = await client.post(f"{base}/keywords", headers=alice.auth, json={"keyword": "cat"})
    assert r.status_code == 200, r.text
    keyword = r.json()
    assert keyword["whole_word"] is True
    assert (await client.get(f"{base}/keywords", headers=alice.auth)).json() == [keyword]
    path = f"/api/v2/filter_keywords/{keyword['id']}"
    r = await client.put(path, headers=alice.auth, json={"whole_word": False})
    assert r.json()["whole_word"] is False
    assert (await client.get(path, headers=bob.auth)).status_code == 404
    assert (await client.delete(path, headers=bob.auth)).status_code == 404
    assert (await client.delete(path, headers=alice.auth)).status_code == 200
    assert (await client.get(path, headers=alice.auth)).status_code == 404

    status = await post(client, bob, "filter me")
    r = await client.post(f"{base}/statuses", headers=alice.auth, json={"status_id": status["id"]})
    assert r.status_code == 200, r.text
    entry = r.json()
    assert entry["status_id"] == status["id"]
    again = await client.post(
        f"{base}/statuses", headers=alice.auth, json={"status_id": status["id"]}
    )
    assert again.status_code == 422
    assert again.json()["error"] == "Validation failed: Status has already been taken"
    missing = await client.post(f"{base}/statuses", headers=alice.auth, json={"status_id": "1"})
    assert missing.json()["error"] == "Validation failed: Status must exist"
    assert (await client.get(f"{base}/statuses", headers=alice.auth)).json() == [entry]
    path = f"/api/v2/filter_statuses/{entry['id']}"
    assert (await client.get(path, headers=alice.auth)).json() == entry
    assert (await client.get(path, headers=bob.auth)).status_code == 404
    assert (await client.delete(path, headers=alice.auth)).status_code == 200
    assert (await client.get(f"{base}/statuses", headers=alice.auth)).json() == []


async def test_another_persons_filter_is_not_found(
    client: httpx.AsyncClient, people: tuple[User, User]
) -> None:
    alice, bob = people
    made = await create(client, alice, keywords_attributes=[{"keyword": "cat"}])
    path = f"/api/v2/filters/{made['id']}"
    assert (await client.get(path, headers=bob.auth)).status_code == 404
    assert (await client.put(path, headers=bob.auth, json={"title": "x"})).status_code == 404
    assert (await client.delete(path, headers=bob.auth)).status_code == 404
    assert (await client.get(f"{path}/keywords", headers=bob.auth)).status_code == 404
    v1 = f"/api/v1/filters/{made['keywords'][0]['id']}"
    assert (await client.get(v1, headers=bob.auth)).status_code == 404
    assert (await client.get("/api/v2/filters", headers=bob.auth)).json() == []
    assert (await client.get(path, headers=alice.auth)).json() == made
    # a keyword of alice's named in bob's own filter is not found either
    own = await create(client, bob)
    r = await client.put(
        f"/api/v2/filters/{own['id']}",
        headers=bob.auth,
        json={"keywords_attributes": [{"id": made["keywords"][0]["id"], "_destroy": True}]},
    )
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({"context": ["home"]}, "Validation failed: Title can't be blank"),
        (
            {"title": "x"},
            "Validation failed: Context can't be blank, Context None or invalid context supplied",
        ),
        (
            {"title": "x", "context": ["home", "elsewhere"]},
            "Validation failed: Context None or invalid context supplied",
        ),
        (
            {
                "title": "x",
                "context": ["home"],
                "keywords_attributes": [{"keyword": "", "whole_word": True}],
            },
            "Validation failed: Keywords keyword can't be blank",
        ),
        (
            {"title": "x", "context": ["home"], "filter_action": "explode"},
            "Validation failed: Filter action is not included in the list",
        ),
    ],
    ids=["title", "no-context", "bad-context", "blank-keyword", "bad-action"],
)
async def test_bad_input_is_422_and_writes_nothing(
    app: Starlette,
    client: httpx.AsyncClient,
    people: tuple[User, User],
    body: dict[str, Any],
    error: str,
) -> None:
    alice, _ = people
    body = {"keywords_attributes": [{"keyword": "ok"}], **body}
    r = await client.post("/api/v2/filters", headers=alice.auth, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == error
    assert await rows(app) == (0, 0)


async def test_a_bad_update_changes_nothing(
    app: Starlette, client: httpx.AsyncClient, people: tuple[User, User]
) -> None:
    alice, _ = people
    made = await create(client, alice, keywords_attributes=[{"keyword": "cat"}])
    r = await client.put(
        f"/api/v2/filters/{made['id']}",
        headers=alice.auth,
        json={
            "title": "changed",
            "keywords_attributes": [
                {"keyword": "new"},
                {"id": made["keywords"][0]["id"], "keyword": " "},
            ],
        },
    )
    assert r.status_code == 422
    assert (await client.get(f"/api/v2/filters/{made['id']}", headers=alice.auth)).json() == made


async def test_a_status_only_filter_has_no_keywords_but_v1_needs_a_phrase(
    client: httpx.AsyncClient, people: tuple[User, User]
) -> None:
    alice, _ = people
    made = await create(client, alice)  # v2, as Mastodon: no keywords is fine
    assert made["keywords"] == []
    r = await client.post("/api/v1/filters", headers=alice.auth, json={"context": ["home"]})
    assert r.status_code == 422
    assert r.json()["error"] == "Validation failed: Title can't be blank"
    assert (await client.get("/api/v1/filters", headers=alice.auth)).json() == []


async def test_v1_and_v2_views_of_one_filter_agree(
    client: httpx.AsyncClient, people: tuple[User, User]
) -> None:
    alice, _ = people
    r = await client.post(
        "/api/v1/filters",
        headers=alice.auth,
        data={
            "phrase": "spoilers",
            "context[]": "home",
            "irreversible": "true",
            "whole_word": "false",
        },
    )
    assert r.status_code == 200, r.text
    v1 = r.json()
    assert v1["phrase"] == "spoilers"
    assert v1["irreversible"] is True
    assert v1["whole_word"] is False
    (v2,) = (await client.get("/api/v2/filters", headers=alice.auth)).json()
    assert v2["title"] == "spoilers"
    assert v2["filter_action"] == "hide"
    assert v2["context"] == v1["context"] == ["home"]
    assert v2["keywords"] == [{"id": v1["id"], "keyword": "spoilers", "whole_word": False}]
    assert (await client.get(f"/api/v1/filters/{v1['id']}", headers=alice.auth)).json() == v1

    r = await client.put(
        f"/api/v1/filters/{v1['id']}", headers=alice.auth, json={"context": ["home", "thread"]}
    )
    assert r.status_code == 200
    assert r.json()["context"] == ["home", "thread"]
    # with a second keyword, v1 may no longer change what the filter's keywords share
    await client.post(
        f"/api/v2/filters/{v2['id']}/keywords", headers=alice.auth, json={"keyword": "leaks"}
    )
    r = await client.put(
        f"/api/v1/filters/{v1['id']}", headers=alice.auth, json={"irreversible": False}
    )
    assert r.status_code == 422
    assert r.json()["error"].startswith("These parameters cannot be changed")
    assert len((await client.get("/api/v1/filters", headers=alice.auth)).json()) == 2
    assert (
        await client.delete(f"/api/v1/filters/{v1['id']}", headers=alice.auth)
    ).status_code == 200
    (left,) = (await client.get("/api/v2/filters", headers=alice.auth)).json()
    assert [k["keyword"] for k in left["keywords"]] == ["leaks"]


async def test_expired_filters_still_list_and_apply_nowhere(
    app: Starlette, client: httpx.AsyncClient, people: tuple[User, User]
) -> None:
    alice, bob = people
    made = await create(
        client, alice, filter_action="hide", expires_in=-1, keywords_attributes=[{"keyword": "cat"}]
    )
    listed = (await client.get("/api/v2/filters", headers=alice.auth)).json()
    assert [f["id"] for f in listed] == [made["id"]]
    await post(client, bob, "a cat")
    await app.state.ctx.events.drain()
    public = (await client.get("/api/v1/timelines/public", headers=alice.auth)).json()
    assert [s["content"] for s in public] == ["<p>a cat</p>"]
    assert "filtered" not in public[0]
