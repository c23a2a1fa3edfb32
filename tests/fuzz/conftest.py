"""A live server seeded with two users who follow, mention and favourite each other, so that
fuzzed path parameters can hit real accounts, statuses, notifications, sessions and tags."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from tests.conftest import fresh_with_admin, serving
from tests.helpers import PASSWORD, bearer

ADMIN = "boss"
SCOPES = "read write follow push admin:read admin:write"


@dataclass
class World:
    """What the fuzzer may aim at: real ids by kind, and who is calling."""

    url: str
    token: str
    accounts: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    deletable_statuses: list[str] = field(default_factory=list)
    notifications: list[str] = field(default_factory=list)
    spare_sessions: list[str] = field(default_factory=list)
    tag_ids: list[str] = field(default_factory=list)
    tag_names: list[str] = field(default_factory=list)

    @property
    def auth(self) -> dict[str, str]:
        return bearer(self.token)

    def targets(self, method: str, path: str) -> dict[str, list[str]]:
        """Real values of the path parameters of one operation (none: it takes none here)."""
        if path.startswith("/api/v1/accounts/{id}"):
            return {"id": self.accounts}
        if path == "/api/v1/statuses/{id}" and method.upper() == "DELETE":
            return {"id": self.deletable_statuses}
        if path.startswith("/api/v1/statuses/{id}"):
            return {"id": self.statuses}
        if path.startswith("/api/v1/notifications/{id}"):
            return {"id": self.notifications}
        if path == "/api/v1/sessions/{id}":
            return {"id": self.spare_sessions}
        if path.startswith("/api/v1/admin/trends/tags/{id}"):
            return {"id": self.tag_ids}
        if path == "/api/v1/tags/{name}":
            return {"name": self.tag_names}
        if path == "/api/v1/timelines/tag/{hashtag}":
            return {"hashtag": self.tag_names}
        return {}


def _ok(response: httpx.Response) -> dict[str, object]:
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _login(http: httpx.Client, client_id: str, client_secret: str, username: str) -> str:
    form = {
        "grant_type": "password",
        "client_id": client_id,
        "client_secret": client_secret,
        "username": username,
        "password": PASSWORD,
        "scope": SCOPES,
    }
    return str(_ok(http.post("/oauth/token", data=form))["access_token"])


def _seed(http: httpx.Client, url: str) -> World:
    app = _ok(
        http.post(
            "/api/v1/apps",
            data={"client_name": "fuzz", "scopes": SCOPES, "website": "https://fuzz.example"},
        )
    )
    client_id, secret = str(app["client_id"]), str(app["client_secret"])
    boss = bearer(_login(http, client_id, secret, ADMIN))
    _login(http, client_id, secret, ADMIN)  # a second device: the session the fuzzer may revoke
    grant = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    app_token = str(_ok(http.post("/oauth/token", data=grant))["access_token"])
    signup = {
        "username": "bob",
        "email": "bob@example.com",
        "password": PASSWORD,
        "agreement": True,
    }
    r = http.post("/api/v1/accounts", headers=bearer(app_token), json=signup)
    bob = bearer(str(_ok(r)["access_token"]))
    boss_id = str(_ok(http.get("/api/v1/accounts/verify_credentials", headers=boss))["id"])
    bob_id = str(_ok(http.get("/api/v1/accounts/verify_credentials", headers=bob))["id"])
    world = World(url=url, token=boss["Authorization"].removeprefix("Bearer "))
    world.accounts = [boss_id, bob_id]

    def post(who: dict[str, str], text: str, **fields: object) -> str:
        return str(
            _ok(http.post("/api/v1/statuses", headers=who, json={"status": text, **fields}))["id"]
        )

    _ok(http.post(f"/api/v1/accounts/{boss_id}/follow", headers=bob))
    _ok(http.post(f"/api/v1/accounts/{bob_id}/follow", headers=boss))
    mine = post(boss, "a #fuzzing target")
    theirs = post(bob, "@boss are you #fuzzing me?", in_reply_to_id=mine)
    hidden = post(bob, "@boss just between us", visibility="direct")
    reply = post(boss, "@bob yes", in_reply_to_id=theirs)
    _ok(http.post(f"/api/v1/statuses/{mine}/favourite", headers=bob))
    world.statuses = [mine, theirs, hidden, reply]
    world.deletable_statuses = [post(boss, f"delete me #{n}") for n in ("one", "two")]

    deadline = time.monotonic() + 10
    while len(world.notifications) < 4:  # follow, two mentions, favourite
        assert time.monotonic() < deadline, f"only {len(world.notifications)} notifications"
        time.sleep(0.05)
        page = http.get("/api/v1/notifications", headers=boss)
        world.notifications = [str(n["id"]) for n in page.json()]
    sessions = http.get("/api/v1/sessions", headers=boss).json()
    world.spare_sessions = [str(s["id"]) for s in sessions if not s["current"]]
    world.tag_names = ["fuzzing", "one", "two"]
    world.tag_ids = [str(_ok(http.get(f"/api/v1/tags/{n}"))["id"]) for n in world.tag_names]
    return world


def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis keeps caches (and would keep its example database) in `./.hypothesis`, from
    collection on: in a temporary directory instead, not in the repository."""
    home = tempfile.mkdtemp(prefix="hypothesis-")
    set_hypothesis_home_dir(home)
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))


@pytest.fixture(scope="module")
def world(
    database_url: str, redis_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """The server runs for the whole module: seeding hashes passwords (argon2), which is slow.
    The rate limiter stays on, scaled as for every test app: the fuzzer's few thousand
    requests go through it and stay under it."""
    asyncio.run(fresh_with_admin(database_url, redis_url, ADMIN))
    data_dir = tmp_path_factory.mktemp("fuzz")
    with (
        serving(database_url, redis_url, data_dir, ratelimit_scale=1000.0) as url,
        httpx.Client(base_url=url) as http,
    ):
        yield _seed(http, url)
