"""A real Mastodon client library against a real server on a loopback port."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonIllegalArgumentError

from social.app import create_app
from social.config import Settings
from tests.conftest import empty_database, free_port, running

PASSWORD = "correct horse battery staple"


@pytest.fixture
def server(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        data_dir=str(tmp_path),
        domain=f"127.0.0.1:{port}",
        ratelimit_scale=1000.0,
    )
    asyncio.run(empty_database(database_url))
    with running(create_app(settings), port) as url:
        yield url


def test_mastodon_py_registers_logs_in_and_edits_profile(server: str) -> None:
    client_id, client_secret = Mastodon.create_app("Mastodon.py test", api_base_url=server)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)

    api.create_account("mpy", PASSWORD, "mpy@example.com", agreement=True)
    me = api.account_verify_credentials()
    assert me.username == "mpy"

    api2 = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    token = api2.log_in("mpy@example.com", PASSWORD, allow_http=True)  # loopback
    assert token
    assert token != api.access_token
    updated = api2.account_update_credentials(display_name="Mastodon Py", note="hi", bot=True)
    assert updated.display_name == "Mastodon Py"
    assert updated.bot is True

    seen = api.account(me.id)
    assert seen.display_name == "Mastodon Py"
    assert api.account_lookup("mpy").id == me.id
    instance = api.instance()
    assert "compatible; social" in instance.version

    with pytest.raises(MastodonIllegalArgumentError):
        Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server).log_in(
            "mpy@example.com", "wrong password", allow_http=True
        )
    with pytest.raises(MastodonIllegalArgumentError):
        api.create_account("mpy", PASSWORD, "other@example.com", agreement=True)


def test_mastodon_py_sees_an_invalid_token(server: str) -> None:
    api = Mastodon(access_token="not-a-token", api_base_url=server)
    with pytest.raises(MastodonAPIError):
        api.account_verify_credentials()


def test_mastodon_py_posts_follows_reads_home_and_notifications(server: str) -> None:
    client_id, client_secret = Mastodon.create_app("Mastodon.py feeds", api_base_url=server)

    def account(name: str) -> Mastodon:
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
        api.create_account(name, PASSWORD, f"{name}@example.com", agreement=True)
        return api

    alice, bob = account("alice"), account("bob")
    alice_id = alice.account_verify_credentials().id
    relationship = bob.account_follow(alice_id)
    assert relationship.following is True
    bob.timeline_home()  # builds bob's feed

    posted = alice.status_post("Hello @bob, this is #MastodonPy", visibility="public")
    assert posted.account.username == "alice"
    assert [t.name for t in posted.tags] == ["mastodonpy"]

    deadline = time.monotonic() + 10
    while posted.id not in [s.id for s in bob.timeline_home()]:
        assert time.monotonic() < deadline, "the status never reached bob's home"
        time.sleep(0.05)

    while not bob.notifications():
        assert time.monotonic() < deadline, "no notification for bob"
        time.sleep(0.05)
    assert bob.notifications()[0].type == "mention"
    while not alice.notifications():
        assert time.monotonic() < deadline, "no notification for alice"
        time.sleep(0.05)
    assert alice.notifications()[0].type == "follow"

    alice.status_delete(posted.id)
    while posted.id in [s.id for s in bob.timeline_home()]:
        assert time.monotonic() < deadline, "the deleted status stayed in bob's home"
        time.sleep(0.05)
