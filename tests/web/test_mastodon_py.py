"""A real Mastodon client library against a real server on a loopback port."""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mastodon import Mastodon
from mastodon.errors import MastodonAPIError, MastodonIllegalArgumentError

from tests.conftest import empty_database, serving

PASSWORD = "correct horse battery staple"


@pytest.fixture
def server(database_url: str, redis_url: str, tmp_path: Path) -> Iterator[str]:
    asyncio.run(empty_database(database_url))
    with serving(database_url, redis_url, tmp_path, ratelimit_scale=1000.0) as url:
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


class Browser:
    """Just enough of a browser for the sign-in pages over plain http on loopback: it keeps the
    pages' cookies itself (they are `Secure`, which a browser honours on 127.0.0.1 and httpx's
    cookie jar does not) and follows no redirect on its own."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base)
        self.cookies: dict[str, str] = {}

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def send(self, method: str, url: str, **kwargs: object) -> httpx.Response:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        r = self.http.request(method, url, headers={"cookie": cookie}, **kwargs)  # type: ignore[arg-type]
        for name, value in r.cookies.items():
            self.cookies[name] = value
        return r

    def form(self, page: httpx.Response, **fields: str) -> httpx.Response:
        """Submit the page's first form with its hidden fields and these."""
        form = page.text.split("</form>")[0]
        action = re.search(r'<form[^>]* action="([^"]+)"', form)
        assert action, page.text
        found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
        data = {name: html.unescape(value) for name, value in found} | fields
        return self.send("POST", html.unescape(action.group(1)), data=data)


def test_mastodon_py_signs_in_with_a_code_out_of_band(server: str) -> None:
    """What a Mastodon.py script does for a person: register with the out-of-band redirect, print
    `auth_request_url`, the person signs in and approves in a browser and pastes the code shown,
    `log_in(code=...)` exchanges it."""
    signup_id, signup_secret = Mastodon.create_app("Sign-up page", api_base_url=server)
    Mastodon(client_id=signup_id, client_secret=signup_secret, api_base_url=server).create_account(
        "carol", PASSWORD, "carol@example.com", agreement=True
    )
    client_id, client_secret = Mastodon.create_app(
        "Mastodon.py script", scopes=["read", "write", "profile"], api_base_url=server
    )

    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    url = api.auth_request_url(scopes=["read", "write"], state="from-the-script", allow_http=True)
    assert url.startswith(server + "/oauth/authorize?")

    with Browser(server) as browser:
        code = _approve_in_browser(browser, url, "carol")

    token = api.log_in(code=code, scopes=["read", "write"], allow_http=True)
    assert token
    assert api.account_verify_credentials().username == "carol"
    assert api.status_post("signed in with a code").account.username == "carol"
    with pytest.raises(MastodonIllegalArgumentError):  # a code works once
        Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server).log_in(
            code=code, scopes=["read", "write"], allow_http=True
        )
    with pytest.raises(MastodonAPIError):  # and its second use revoked the token it gave
        api.account_verify_credentials()


def _approve_in_browser(browser: Browser, url: str, login: str) -> str:
    """Open the authorization URL, sign in, approve: the code the page shows."""
    page = browser.send("GET", url)
    assert page.status_code == 200, page.text
    assert "current-password" in page.text
    signed_in = browser.form(page, **{"user[email]": login, "user[password]": PASSWORD})
    assert signed_in.status_code == 303, signed_in.text
    consent = browser.send("GET", signed_in.headers["location"])
    assert consent.status_code == 200, consent.text
    assert "Mastodon.py script" in consent.text
    shown = browser.form(consent)
    assert shown.status_code == 200, shown.text
    code = re.search(r'<input class="code" id="code" type="text" value="([^"]+)"', shown.text)
    assert code, shown.text
    return code.group(1)


def test_mastodon_py_uploads_media_and_posts_it(server: str) -> None:
    from tests.media import images

    client_id, client_secret = Mastodon.create_app("Mastodon.py media", api_base_url=server)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    api.create_account("pics", PASSWORD, "pics@example.com", agreement=True)

    photo = images.jpeg_with_gps(300, 200)  # bytes: given a path, Mastodon.py leaves it open
    media = api.media_post(
        photo, mime_type="image/jpeg", description="a photo", focus=(0.25, -0.5), synchronous=True
    )
    assert media.type == "image"
    assert media.url
    assert media.description == "a photo"
    assert media.meta.original.width == 200  # turned as its EXIF said
    assert media.meta.focus.x == 0.25
    served = httpx.get(media.url)
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"

    with pytest.raises(MastodonAPIError, match="9000x9000 images are not supported"):
        api.media_post(images.png_header_only(9000, 9000), mime_type="image/png")

    gif = api.media_post(images.animated_gif(), mime_type="image/gif", synchronous=True)
    status = api.status_post("two pictures", media_ids=[media, gif.id])
    assert [m.id for m in status.media_attachments] == [media.id, gif.id]
    again = api.media_post(photo, mime_type="image/jpeg", synchronous=True)
    only_media = api.status_post("", media_ids=[again])
    assert len(only_media.media_attachments) == 1
    assert api.status(status.id).media_attachments[1].url == gif.url


def test_mastodon_py_posts_a_poll_votes_and_reads_it(server: str) -> None:
    client_id, client_secret = Mastodon.create_app("Mastodon.py polls", api_base_url=server)

    def account(name: str) -> Mastodon:
        api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
        api.create_account(name, PASSWORD, f"{name}@example.com", agreement=True)
        return api

    alice, bob = account("alice"), account("bob")
    poll = alice.make_poll(["tea", "coffee", "water"], expires_in=3600, multiple=True)
    posted = alice.status_post("Which ones?", poll=poll)
    assert [o.title for o in posted.poll.options] == ["tea", "coffee", "water"]
    assert posted.poll.multiple is True
    assert posted.poll.expired is False

    voted = bob.poll_vote(posted.poll.id, [0, 2])
    assert voted.voted is True
    assert voted.own_votes == [0, 2]
    assert [o.votes_count for o in voted.options] == [1, 0, 1]
    seen = alice.poll(posted.poll.id)
    assert (seen.votes_count, seen.voters_count, seen.voted) == (2, 1, True)
    assert bob.status(posted.id).poll.own_votes == [0, 2]

    with pytest.raises(MastodonAPIError, match="You have already voted on this poll"):
        bob.poll_vote(posted.poll.id, 0)
    with pytest.raises(MastodonAPIError, match="Choices must have more than one item"):
        alice.status_post("Just one?", poll=alice.make_poll(["only"], expires_in=3600))


def test_mastodon_py_edits_a_status_and_reads_its_history(server: str) -> None:
    client_id, client_secret = Mastodon.create_app("Mastodon.py edits", api_base_url=server)
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server)
    api.create_account("alice", PASSWORD, "alice@example.com", agreement=True)
    posted = api.status_post("Frist post", spoiler_text="typo ahead")
    edited = api.status_update(posted.id, "First post", spoiler_text="")
    assert edited.id == posted.id
    assert edited.edited_at is not None
    assert html.unescape(re.sub("<[^>]+>", "", edited.content)) == "First post"
    assert edited.spoiler_text == ""
    source = api.status_source(posted.id)
    assert (source.text, source.spoiler_text) == ("First post", "")
    history = api.status_history(posted.id)
    assert [h.spoiler_text for h in history] == ["typo ahead", ""]
    assert "Frist" in history[0].content
