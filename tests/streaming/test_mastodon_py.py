"""Mastodon.py's streaming (server-sent events) against a real server."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

import pytest
from mastodon import Mastodon, StreamListener

from tests.helpers import PASSWORD
from tests.streaming.conftest import Server

WAIT_S = 10.0


class Listener(StreamListener):  # type: ignore[misc]
    def __init__(self) -> None:
        self.updates: queue.Queue[Any] = queue.Queue()
        self.connected = threading.Event()

    def on_update(self, status: Any) -> None:
        self.updates.put(status)

    def handle_heartbeat(self) -> None:
        self.connected.set()  # the server's first comment: subscribed


def _account(server: Server, app: tuple[str, str], name: str) -> Mastodon:
    api = Mastodon(client_id=app[0], client_secret=app[1], api_base_url=server.url)
    api.create_account(name, PASSWORD, f"{name}@example.com", agreement=True)
    return api


Open = Callable[[Mastodon, Listener], Any]


@pytest.mark.parametrize(
    "open_stream",
    [
        lambda api, listener: api.stream_user(listener, run_async=True),
        lambda api, listener: api.stream_hashtag("Cats", listener, run_async=True),
    ],
    ids=["stream_user", "stream_hashtag"],
)
def test_mastodon_py_streams_a_followed_accounts_status(server: Server, open_stream: Open) -> None:
    app = Mastodon.create_app("Mastodon.py streaming", api_base_url=server.url)
    alice, bob = _account(server, app, "alice"), _account(server, app, "bob")
    bob.account_follow(alice.me()["id"])
    listener = Listener()
    handle = open_stream(bob, listener)
    try:
        assert listener.connected.wait(WAIT_S), "the stream did not open"
        posted = alice.status_post("hello #cats")
        got = listener.updates.get(timeout=WAIT_S)
        assert got["id"] == posted["id"]
        assert got["account"]["username"] == "alice"
    finally:
        handle.close()
    handle._thread.join(WAIT_S)
    assert not handle._thread.is_alive()
