"""Who may write what: every write route of the app, as the owner, another user, an admin and
nobody, each against real resources of alice's; a refusal must leave them as they were.

A new write route fails `test_the_matrix_covers_exactly_the_write_routes` until it has a row
here and a scenario below.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import PIL.Image
from sqlalchemy import func, select, update
from starlette.applications import Starlette
from starlette.routing import Mount, Route, Router, WebSocketRoute
from starlette.staticfiles import StaticFiles

from social.platform.db.models import (
    Account,
    AccountConversation,
    AccountNote,
    AccountPin,
    Announcement,
    AnnouncementReaction,
    AnnouncementRead,
    Application,
    Block,
    Bookmark,
    ConversationMute,
    FollowRequest,
    MediaAttachment,
    Mute,
    Notification,
    Poll,
    Rule,
    SiteText,
    Status,
    StatusPin,
    Tag,
    TagFollow,
)
from tests.helpers import PASSWORD, app_token, bearer, post
from tests.security.routes import WRITE_METHODS, RouteKey, write_routes
from tests.security.world import ACTORS, Person, World
from trending import Review


@dataclass(frozen=True)
class Cell:
    status: int
    changed: bool  # whether alice's resource (or the one named in the row) changed

    def __str__(self) -> str:
        return f"{self.status} {'changed' if self.changed else 'unchanged'}"


READS_BY_POST = {("POST", "/oauth/userinfo")}

CHANGED = Cell(200, True)
ELSEWHERE = Cell(200, False)  # succeeds on the caller's own data; alice's is untouched
NOT_FOUND = Cell(404, False)  # someone else's resource is not found, as Mastodon
FORBIDDEN = Cell(403, False)
UNAUTHORIZED = Cell(401, False)
SIGNED_IN = Cell(303, True)


@dataclass(frozen=True)
class Row:
    own: Cell
    other: Cell
    admin: Cell
    anonymous: Cell
    why: str = ""


# own = alice (owner of the resource), other = bob, admin = boss (an admin, admin scopes; on the
# dashboard: boss's cookie session with its CSRF token), anonymous = no credentials. alice and
# bob hold the admin scopes too: only the role keeps them out of admin routes.
MATRIX: dict[RouteKey, Row] = {
    ("POST", "/api/v1/apps"): Row(
        Cell(200, True), Cell(200, True), Cell(200, True), Cell(200, True),
        "public by design (Mastodon): any client registers itself; changed = an app was added",
    ),
    ("POST", "/oauth/token"): Row(
        Cell(200, True), Cell(400, False), Cell(400, False), Cell(401, False),
        "public by design: clients authenticate, not users. alice's refresh token presented by "
        "alice's client rotates it; by bob's or boss's client: invalid_grant; with no client "
        "credentials: invalid_client",
    ),
    ("POST", "/oauth/revoke"): Row(
        Cell(200, True), Cell(200, False), Cell(200, False), Cell(403, False),
        "client authentication (RFC 7009): another client gets 200 and revokes nothing; no "
        "client credentials: 403 unauthorized_client, as Doorkeeper",
    ),
    ("POST", "/auth/sign_in"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "the sign-in form, public by design: each person signs in as themself only (changed = "
        "a session of alice's); without her password, 401; its CSRF pair is each actor's own",
    ),
    ("POST", "/auth/sign_out"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, ELSEWHERE,
        "each person's own sign-in cookie and CSRF token: signing out ends only that session",
    ),
    ("POST", "/oauth/authorize"): Row(
        Cell(302, True), Cell(302, False), Cell(302, False), UNAUTHORIZED,
        "the consent page's Authorize: a code for whoever is signed in, never for alice but by "
        "her (changed = a code of alice's); not signed in: the sign-in page again (401)",
    ),
    ("POST", "/oauth/userinfo"): Row(
        ELSEWHERE, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "a read that OpenID Connect allows by POST: each caller gets its own userinfo (the "
        "profile scope); nothing changes, for anyone",
    ),
    ("POST", "/api/v1/accounts"): Row(
        CHANGED, CHANGED, CHANGED, UNAUTHORIZED,
        "registration takes any token with write:accounts, as Mastodon (own: alice's client's "
        "app token; other, admin: their user tokens); changed = an account was added",
    ),
    ("PATCH", "/api/v1/accounts/update_credentials"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "always the caller's account: alice's id in the body changes nothing of hers",
    ),
    ("POST", "/api/v1/accounts/{id}/follow"): Row(
        FORBIDDEN, CHANGED, CHANGED, UNAUTHORIZED,
        "{id} = alice; others may follow her (her follower count changes); she cannot herself",
    ),
    ("POST", "/api/v1/accounts/{id}/unfollow"): Row(
        FORBIDDEN, CHANGED, CHANGED, UNAUTHORIZED, "{id} = alice, followed by bob and boss"
    ),
    ("POST", "/api/v1/accounts/{id}/block"): Row(
        FORBIDDEN, CHANGED, CHANGED, UNAUTHORIZED,
        "{id} = alice; changed = the blocks of alice; nobody blocks themselves",
    ),
    ("POST", "/api/v1/accounts/{id}/unblock"): Row(
        FORBIDDEN, CHANGED, CHANGED, UNAUTHORIZED, "{id} = alice, blocked by bob and boss"
    ),
    ("POST", "/api/v1/accounts/{id}/mute"): Row(
        FORBIDDEN, CHANGED, CHANGED, UNAUTHORIZED,
        "{id} = alice; changed = the mutes of alice; nobody mutes themselves",
    ),
    ("POST", "/api/v1/accounts/{id}/unmute"): Row(
        FORBIDDEN, CHANGED, CHANGED, UNAUTHORIZED, "{id} = alice, muted by bob and boss"
    ),
    ("POST", "/api/v1/accounts/{id}/note"): Row(
        CHANGED, CHANGED, CHANGED, UNAUTHORIZED,
        "{id} = alice; each caller's own private note on her (alice's on herself too, as "
        "Mastodon); changed = the notes on alice",
    ),
    ("POST", "/api/v1/follow_requests/{id}/authorize"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = bob, who asked to follow alice (locked): only alice may accept; to anyone else "
        "there is no such request",
    ),
    ("POST", "/api/v1/follow_requests/{id}/reject"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "as authorize"
    ),
    ("POST", "/api/v1/statuses"): Row(
        CHANGED, Cell(422, False), Cell(422, False), UNAUTHORIZED,
        "a reply to alice's followers-only status: refused to those who cannot see it exactly "
        "as a reply to a missing status (422 in_reply_to_id; Mastodon answers 404)",
    ),
    ("DELETE", "/api/v1/statuses/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's public status: still readable after a refusal; admins moderate elsewhere",
    ),
    ("PUT", "/api/v1/statuses/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's public status: only its author edits it; others find no status to edit",
    ),
    ("POST", "/api/v1/polls/{id}/votes"): Row(
        Cell(422, False), CHANGED, CHANGED, UNAUTHORIZED,
        "{id} = the poll of alice's public status: public by design, anyone who may see it "
        "votes once; its author may not vote in her own poll (Mastodon); changed = its votes",
    ),
    ("POST", "/api/v2/media"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "an upload is the caller's own (changed = alice's uploads)",
    ),
    ("POST", "/api/v1/media"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "an upload is the caller's own (changed = alice's uploads)",
    ),
    ("PUT", "/api/v1/media/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = an unattached upload of alice's"
    ),
    ("DELETE", "/api/v1/media/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = an unattached upload of alice's"
    ),
    ("POST", "/api/v1/statuses/{id}/favourite"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = alice's followers-only status"
    ),
    ("POST", "/api/v1/statuses/{id}/unfavourite"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's followers-only status, which she favourited",
    ),
    ("POST", "/api/v1/statuses/{id}/reblog"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's followers-only status: she may boost it (to her followers), those "
        "who cannot see it are told it is not there",
    ),
    ("POST", "/api/v1/statuses/{id}/unreblog"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's followers-only status, which she boosted",
    ),
    ("POST", "/api/v1/statuses/{id}/bookmark"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's followers-only status; a bookmark is the caller's own (changed = "
        "alice's); those who cannot see it are told it is not there",
    ),
    ("POST", "/api/v1/statuses/{id}/unbookmark"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's followers-only status, which she bookmarked; nobody takes hers back",
    ),
    ("POST", "/api/v1/statuses/{id}/pin"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's followers-only status (pinnable since Mastodon 3.5); to those who "
        "cannot see it, not found (another's that they see: 422, tests/pins)",
    ),
    ("POST", "/api/v1/statuses/{id}/unpin"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's followers-only status, which she pinned",
    ),
    ("POST", "/api/v1/statuses/{id}/mute"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's followers-only status; a thread mute is the caller's own (changed = "
        "alice's); those who cannot see it are told it is not there",
    ),
    ("POST", "/api/v1/statuses/{id}/unmute"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's followers-only status, whose thread she muted",
    ),
    ("POST", "/api/v1/conversations/{id}/read"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = alice's unread conversation with bob: another's conversation is not found, "
        "bob's own view of it has another id",
    ),
    ("DELETE", "/api/v1/conversations/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "as read"
    ),
    ("POST", "/api/v1/accounts/{id}/pin"): Row(
        Cell(422, False), CHANGED, CHANGED, UNAUTHORIZED,
        "{id} = alice, followed by bob and boss, who may endorse her (changed = the "
        "endorsements of alice); alice follows not herself: Mastodon's 422",
    ),
    ("POST", "/api/v1/accounts/{id}/unpin"): Row(
        ELSEWHERE, CHANGED, CHANGED, UNAUTHORIZED,
        "{id} = alice, endorsed by bob and boss; alice has no endorsement of herself to end",
    ),
    ("POST", "/api/v1/accounts/{id}/endorse"): Row(
        Cell(422, False), CHANGED, CHANGED, UNAUTHORIZED, "as pin (Mastodon 4.4's name)"
    ),
    ("POST", "/api/v1/accounts/{id}/unendorse"): Row(
        ELSEWHERE, CHANGED, CHANGED, UNAUTHORIZED, "as unpin"
    ),
    ("POST", "/api/v1/accounts/{id}/remove_from_followers"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "{id} = bob, who follows alice: only alice ends that follow (changed = her followers); "
        "bob and boss remove him from their own followers, where he is not",
    ),
    ("POST", "/api/v1/tags/{name}/follow"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "a tag follow is the caller's own (changed = alice's follows of the tag)",
    ),
    ("POST", "/api/v1/tags/{name}/unfollow"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "{name} = a tag alice follows; another's unfollow ends only their own follow",
    ),
    ("POST", "/api/v1/notifications/clear"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED, "always the caller's own notifications"
    ),
    ("POST", "/api/v1/notifications/{id}/dismiss"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a notification of alice's"
    ),
    ("POST", "/api/v1/markers"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED, "always the caller's own markers"
    ),
    ("POST", "/api/v2/notifications/{group_key}/dismiss"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "{group_key} = a group of alice's; another's key dismisses nothing of hers (200, as "
        "Mastodon, who answers a group key of no notification of the caller's the same way)",
    ),
    ("DELETE", "/api/v1/sessions/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a signed-in session of alice's"
    ),
    ("POST", "/api/v1/admin/trends/tags/{id}/approve"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "{id} = a pending tag alice used"
    ),
    ("POST", "/api/v1/admin/trends/tags/{id}/reject"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "{id} = a pending tag alice used"
    ),
    ("POST", "/api/v1/announcements/{id}/dismiss"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "{id} = an announcement everyone sees; each marks it read for themself (changed = "
        "alice's mark)",
    ),
    ("PUT", "/api/v1/announcements/{id}/reactions/{name}"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED,
        "each reacts for themself (changed = alice's reactions)",
    ),
    ("DELETE", "/api/v1/announcements/{id}/reactions/{name}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{name} = alice's reaction; the others have none of their own to take back (404)",
    ),
    ("POST", "/api/v1/admin/announcements"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "changed = an announcement was added"
    ),
    ("PUT", "/api/v1/admin/announcements/{id}"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "{id} = a published announcement"
    ),
    ("DELETE", "/api/v1/admin/announcements/{id}"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "{id} = a published announcement"
    ),
    ("POST", "/api/v1/admin/announcements/{id}/publish"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "{id} = a draft"
    ),
    ("POST", "/api/v1/admin/announcements/{id}/unpublish"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "{id} = a published announcement"
    ),
    ("POST", "/api/v1/admin/announcements/{id}/end"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "{id} = a published announcement"
    ),
    ("POST", "/api/v2/filters"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED, "always the caller's own filters"
    ),
    ("PUT", "/api/v2/filters/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a filter of alice's"
    ),
    ("DELETE", "/api/v2/filters/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a filter of alice's"
    ),
    ("POST", "/api/v2/filters/{filter_id}/keywords"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{filter_id} = a filter of alice's"
    ),
    ("PUT", "/api/v2/filter_keywords/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a keyword of alice's filter"
    ),
    ("DELETE", "/api/v2/filter_keywords/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a keyword of alice's filter"
    ),
    ("POST", "/api/v2/filters/{filter_id}/statuses"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{filter_id} = a filter of alice's"
    ),
    ("DELETE", "/api/v2/filter_statuses/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a status entry of alice's filter"
    ),
    ("POST", "/api/v1/filters"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED, "always the caller's own filters"
    ),
    ("PUT", "/api/v1/filters/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a v1 filter (keyword) of alice's"
    ),
    ("DELETE", "/api/v1/filters/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a v1 filter (keyword) of alice's"
    ),
    ("POST", "/api/v1/lists"): Row(
        CHANGED, ELSEWHERE, ELSEWHERE, UNAUTHORIZED, "always the caller's own lists"
    ),
    ("PUT", "/api/v1/lists/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a list of alice's"
    ),
    ("DELETE", "/api/v1/lists/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a list of alice's"
    ),
    ("POST", "/api/v1/lists/{id}/accounts"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED,
        "{id} = a list of alice's; the account added is alice (a list may hold its owner)",
    ),
    ("DELETE", "/api/v1/lists/{id}/accounts"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a list of alice's holding alice"
    ),
    ("PUT", "/api/v1/scheduled_statuses/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a scheduled status of alice's"
    ),
    ("DELETE", "/api/v1/scheduled_statuses/{id}"): Row(
        CHANGED, NOT_FOUND, NOT_FOUND, UNAUTHORIZED, "{id} = a scheduled status of alice's"
    ),
    ("POST", "/api/v1/admin/rules"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "changed = a rule was added"
    ),
    ("DELETE", "/api/v1/admin/rules/{id}"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "{id} = a rule"
    ),
    ("PUT", "/api/v1/admin/extended_description"): Row(
        FORBIDDEN, FORBIDDEN, CHANGED, UNAUTHORIZED, "changed = the text"
    ),
    ("POST", "/admin/login"): Row(
        Cell(403, False), Cell(401, False), SIGNED_IN, Cell(422, False),
        "the dashboard's sign-in form (HTML), public by design. own: alice's own credentials "
        "(not an admin); other: alice's name with bob's password; admin: boss's; anonymous: an "
        "empty form. changed = a dashboard session was issued",
    ),
    ("POST", "/admin/logout"): Row(
        Cell(303, False), Cell(303, False), Cell(303, True), Cell(303, False),
        "signing out of nothing is harmless; only boss's own cookie ends boss's session",
    ),
    ("POST", "/admin/tags/{id}/approve"): Row(
        UNAUTHORIZED, UNAUTHORIZED, CHANGED, UNAUTHORIZED,
        "the dashboard takes only its cookie: a bearer token is no dashboard sign-in",
    ),
    ("POST", "/admin/tags/{id}/reject"): Row(
        UNAUTHORIZED, UNAUTHORIZED, CHANGED, UNAUTHORIZED, "as approve"
    ),
    ("POST", "/admin/tags/{id}/reset"): Row(
        UNAUTHORIZED, UNAUTHORIZED, CHANGED, UNAUTHORIZED, "{id} = an approved tag"
    ),
}  # fmt: skip

HTML_ROUTES = {  # answer with pages, not JSON
    ("POST", "/admin/login"),
    ("POST", "/auth/sign_in"),
    ("POST", "/auth/sign_out"),
    ("POST", "/oauth/authorize"),
}

Outcome = tuple[httpx.Response, bool]
Scenario = Callable[[World, str], Awaitable[Outcome]]
SCENARIOS: dict[RouteKey, Scenario] = {}


def scenario(method: str, path: str) -> Callable[[Scenario], Scenario]:
    def register(fn: Scenario) -> Scenario:
        SCENARIOS[(method, path)] = fn
        return fn

    return register


async def observe(
    probe: Callable[[], Awaitable[Any]], act: Callable[[], Awaitable[httpx.Response]]
) -> Outcome:
    """The response to `act`, and whether what `probe` reads changed across it."""
    before = await probe()
    response = await act()
    return response, await probe() != before


async def scalar(w: World, query: Any) -> Any:
    async with w.ctx.db() as db:
        return (await db.execute(query)).scalar()


async def count(w: World, model: Any, *where: Any) -> int:
    n: int = await scalar(w, select(func.count()).select_from(model).where(*where))
    return n


async def token_alive(w: World, token: str) -> bool:
    return await w.ctx.tokens.resolve(token, touch=False) is not None


async def review(w: World, tag: str) -> Review:
    return await w.ctx.trends.review_state(tag)


async def notify_alice(w: World) -> int:
    """bob mentions alice; the id of the notification she gets."""
    await post(w.api, w.bob, "@alice look")
    await w.ctx.events.drain()
    newest = select(func.max(Notification.id)).where(Notification.account_id == int(w.alice.id))
    notification_id: int | None = await scalar(w, newest)
    assert notification_id is not None, "the mention did not notify alice"
    return notification_id


@scenario("POST", "/api/v1/apps")
async def register_client(w: World, actor: str) -> Outcome:
    form = {"client_name": f"{actor}'s client", "redirect_uris": "urn:ietf:wg:oauth:2.0:oob"}
    return await observe(
        lambda: count(w, Application),
        lambda: w.api.post("/api/v1/apps", headers=w.headers(actor), data=form),
    )


@scenario("POST", "/oauth/token")
async def redeem_refresh_token(w: World, actor: str) -> Outcome:
    issued = await w.issue(w.alice)
    assert issued.refresh_token is not None
    form = {"grant_type": "refresh_token", "refresh_token": issued.refresh_token}
    return await observe(
        lambda: w.ctx.refresh_tokens.resolve(issued.refresh_token or "", touch=False),
        lambda: w.api.post("/oauth/token", data={**w.credentials(actor), **form}),
    )


@scenario("POST", "/oauth/revoke")
async def revoke_token(w: World, actor: str) -> Outcome:
    issued = await w.issue(w.alice)
    form = {**w.credentials(actor), "token": issued.access_token}
    return await observe(
        lambda: token_alive(w, issued.access_token),
        lambda: w.api.post("/oauth/revoke", data=form),
    )


OAUTH_COOKIE, OAUTH_CSRF_COOKIE = "__Host-oauth", "__Host-oauth-csrf"


async def oauth_sessions(w: World, person: Any) -> int:
    return len([s for s in await w.ctx.cookies.list(person.id) if s.data.get("kind") == "oauth"])


async def oauth_cookie(w: World, actor: str) -> tuple[dict[str, str], str]:
    """A Cookie header with the actor's own sign-in to the OAuth pages (none for the
    anonymous), and its CSRF token."""
    person = w.person(actor)
    if person is None:
        return {}, "none"
    csrf = secrets.token_urlsafe(16)
    issued = await w.ctx.cookies.create(person.id, {"kind": "oauth", "csrf": csrf, "forced": ""})
    return {"Cookie": f"{OAUTH_COOKIE}={issued.token}"}, csrf


async def alices_codes(w: World) -> int:
    found = 0
    async for key in w.ctx.redis.scan_iter(match=w.ctx.keys.authorization_code("*")):
        found += await w.ctx.redis.hget(key, "account_id") == w.alice.id.encode()
    return found


@scenario("POST", "/auth/sign_in")
async def sign_in_form(w: World, actor: str) -> Outcome:
    person = w.person(actor)
    login, password = (person.username, person.password) if person else ("alice", "a guess")
    csrf = secrets.token_urlsafe(16)
    form = {"csrf": csrf, "user[email]": login, "user[password]": password}
    return await observe(
        lambda: oauth_sessions(w, w.alice),
        lambda: w.api.post(
            "/auth/sign_in", data=form, headers={"Cookie": f"{OAUTH_CSRF_COOKIE}={csrf}"}
        ),
    )


@scenario("POST", "/auth/sign_out")
async def sign_out_form(w: World, actor: str) -> Outcome:
    await oauth_cookie(w, "own")  # alice is signed in somewhere
    cookies, csrf = await oauth_cookie(w, actor)
    return await observe(
        lambda: oauth_sessions(w, w.alice),
        lambda: w.api.post("/auth/sign_out", data={"csrf": csrf}, headers=cookies),
    )


@scenario("POST", "/oauth/authorize")
async def approve_a_client(w: World, actor: str) -> Outcome:
    assert w.alice.client is not None
    cookies, csrf = await oauth_cookie(w, actor)
    form = {
        "csrf": csrf,
        "decision": "approve",
        "response_type": "code",
        "client_id": w.alice.client.client_id,
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob",
    }
    response, changed = await observe(
        lambda: alices_codes(w),
        lambda: w.api.post("/oauth/authorize", data=form, headers=cookies),
    )
    if response.status_code == 200 and "Authorization code" in response.text:
        response.status_code = 302  # out of band, the code is shown instead of sent
    return response, changed


@scenario("POST", "/oauth/userinfo")
async def read_userinfo(w: World, actor: str) -> Outcome:
    return await observe(
        lambda: count(w, Account),
        lambda: w.api.post("/oauth/userinfo", headers=w.headers(actor)),
    )


@scenario("POST", "/api/v1/accounts")
async def register_account(w: World, actor: str) -> Outcome:
    assert w.alice.client is not None
    headers = bearer(await app_token(w.api, w.alice.client)) if actor == "own" else w.headers(actor)
    form = {
        "username": f"new_{actor}",
        "email": f"new_{actor}@example.com",
        "password": PASSWORD,
        "agreement": True,
    }
    return await observe(
        lambda: count(w, Account),
        lambda: w.api.post("/api/v1/accounts", headers=headers, json=form),
    )


@scenario("PATCH", "/api/v1/accounts/update_credentials")
async def update_profile(w: World, actor: str) -> Outcome:
    form = {"display_name": f"set by {actor}", "id": w.alice.id, "account_id": w.alice.id}
    query = select(Account.display_name).where(Account.id == int(w.alice.id))
    return await observe(
        lambda: scalar(w, query),
        lambda: w.api.patch(
            "/api/v1/accounts/update_credentials", headers=w.headers(actor), json=form
        ),
    )


def followers_of_alice(w: World) -> Awaitable[Any]:
    return scalar(w, select(Account.followers_count).where(Account.id == int(w.alice.id)))


@scenario("POST", "/api/v1/accounts/{id}/follow")
async def follow_alice(w: World, actor: str) -> Outcome:
    for person in (w.bob, w.boss):
        await w.api.post(f"/api/v1/accounts/{w.alice.id}/unfollow", headers=person.auth)
    return await observe(
        lambda: followers_of_alice(w),
        lambda: w.api.post(f"/api/v1/accounts/{w.alice.id}/follow", headers=w.headers(actor)),
    )


@scenario("POST", "/api/v1/accounts/{id}/unfollow")
async def unfollow_alice(w: World, actor: str) -> Outcome:
    for person in (w.bob, w.boss):
        await w.api.post(f"/api/v1/accounts/{w.alice.id}/follow", headers=person.auth)
    return await observe(
        lambda: followers_of_alice(w),
        lambda: w.api.post(f"/api/v1/accounts/{w.alice.id}/unfollow", headers=w.headers(actor)),
    )


async def _on_alice(
    w: World, actor: str, action: str, model: Any, *, before: str | None = None
) -> Outcome:
    """`action` on alice by `actor` (`before`: what bob and boss did first), observed on the
    rows of `model` targeting her; then undone, so the world stays as the other rows expect."""
    if before is not None:
        for person in (w.bob, w.boss):
            await w.api.post(f"/api/v1/accounts/{w.alice.id}/{before}", headers=person.auth)
    outcome = await observe(
        lambda: count(w, model, model.target_account_id == int(w.alice.id)),
        lambda: w.api.post(f"/api/v1/accounts/{w.alice.id}/{action}", headers=w.headers(actor)),
    )
    undo = {"block": "unblock", "mute": "unmute"}[before or action]
    for person in (w.bob, w.boss):
        await w.api.post(f"/api/v1/accounts/{w.alice.id}/{undo}", headers=person.auth)
    return outcome


@scenario("POST", "/api/v1/accounts/{id}/block")
async def block_alice(w: World, actor: str) -> Outcome:
    return await _on_alice(w, actor, "block", Block)


@scenario("POST", "/api/v1/accounts/{id}/unblock")
async def unblock_alice(w: World, actor: str) -> Outcome:
    return await _on_alice(w, actor, "unblock", Block, before="block")


@scenario("POST", "/api/v1/accounts/{id}/mute")
async def mute_alice(w: World, actor: str) -> Outcome:
    return await _on_alice(w, actor, "mute", Mute)


@scenario("POST", "/api/v1/accounts/{id}/unmute")
async def unmute_alice(w: World, actor: str) -> Outcome:
    return await _on_alice(w, actor, "unmute", Mute, before="mute")


@scenario("POST", "/api/v1/accounts/{id}/note")
async def note_on_alice(w: World, actor: str) -> Outcome:
    form = {"comment": f"noted by {actor}"}
    return await observe(
        lambda: scalar(
            w,
            select(func.group_concat(AccountNote.comment)).where(
                AccountNote.target_account_id == int(w.alice.id)
            )
            if w.ctx.engine.dialect.name == "sqlite"
            else select(func.string_agg(AccountNote.comment, ",")).where(
                AccountNote.target_account_id == int(w.alice.id)
            ),
        ),
        lambda: w.api.post(
            f"/api/v1/accounts/{w.alice.id}/note", headers=w.headers(actor), data=form
        ),
    )


async def _bobs_request(w: World, actor: str, action: str) -> Outcome:
    """bob asks to follow alice, locked for the while; `actor` acts on bob's request."""
    locked = update(Account).where(Account.id == int(w.alice.id))
    async with w.ctx.db() as db:
        await db.execute(locked.values(locked=True))
        await db.commit()
    try:
        await w.api.post(f"/api/v1/accounts/{w.alice.id}/unfollow", headers=w.bob.auth)
        await w.api.post(f"/api/v1/accounts/{w.alice.id}/follow", headers=w.bob.auth)
        return await observe(
            lambda: count(w, FollowRequest, FollowRequest.target_account_id == int(w.alice.id)),
            lambda: w.api.post(
                f"/api/v1/follow_requests/{w.bob.id}/{action}", headers=w.headers(actor)
            ),
        )
    finally:
        await w.api.post(f"/api/v1/accounts/{w.alice.id}/unfollow", headers=w.bob.auth)
        async with w.ctx.db() as db:
            await db.execute(locked.values(locked=False))
            await db.commit()


@scenario("POST", "/api/v1/follow_requests/{id}/authorize")
async def authorize_request(w: World, actor: str) -> Outcome:
    return await _bobs_request(w, actor, "authorize")


@scenario("POST", "/api/v1/follow_requests/{id}/reject")
async def reject_request(w: World, actor: str) -> Outcome:
    return await _bobs_request(w, actor, "reject")


async def private_status(w: World) -> int:
    for person in (w.bob, w.boss):  # so that they cannot see it
        await w.api.post(f"/api/v1/accounts/{w.alice.id}/unfollow", headers=person.auth)
    return int((await post(w.api, w.alice, "for my followers", visibility="private"))["id"])


@scenario("POST", "/api/v1/statuses")
async def reply_to_alice(w: World, actor: str) -> Outcome:
    status_id = await private_status(w)
    form = {"status": f"a reply by {actor}", "in_reply_to_id": str(status_id)}
    return await observe(
        lambda: scalar(w, select(Status.replies_count).where(Status.id == status_id)),
        lambda: w.api.post("/api/v1/statuses", headers=w.headers(actor), json=form),
    )


@scenario("DELETE", "/api/v1/statuses/{id}")
async def delete_status(w: World, actor: str) -> Outcome:
    status_id = (await post(w.api, w.alice, "delete me if you can"))["id"]

    async def probe() -> tuple[int, Any]:
        readable = (await w.api.get(f"/api/v1/statuses/{status_id}")).status_code
        alice = select(Account.statuses_count).where(Account.id == int(w.alice.id))
        return readable, await scalar(w, alice)

    return await observe(
        probe, lambda: w.api.delete(f"/api/v1/statuses/{status_id}", headers=w.headers(actor))
    )


@scenario("PUT", "/api/v1/statuses/{id}")
async def edit_status(w: World, actor: str) -> Outcome:
    status_id = (await post(w.api, w.alice, "edit me if you can"))["id"]
    return await observe(
        lambda: scalar(w, select(Status.text).where(Status.id == int(status_id))),
        lambda: w.api.put(
            f"/api/v1/statuses/{status_id}", headers=w.headers(actor), json={"status": "edited"}
        ),
    )


@scenario("POST", "/api/v1/polls/{id}/votes")
async def vote(w: World, actor: str) -> Outcome:
    poll = {"options": ["yes", "no"], "expires_in": 3600}
    poll_id = (await post(w.api, w.alice, "Yes or no?", poll=poll))["poll"]["id"]
    return await observe(
        lambda: scalar(w, select(Poll.votes_count).where(Poll.id == int(poll_id))),
        lambda: w.api.post(
            f"/api/v1/polls/{poll_id}/votes", headers=w.headers(actor), json={"choices": [0]}
        ),
    )


def _image() -> bytes:
    out = io.BytesIO()
    PIL.Image.new("RGB", (32, 24), (200, 100, 50)).save(out, "JPEG")
    return out.getvalue()


async def alices_uploads(w: World) -> int:
    return await count(w, MediaAttachment, MediaAttachment.account_id == int(w.alice.id))


def upload_write(path: str) -> None:
    async def run(w: World, actor: str) -> Outcome:
        files = {"file": ("photo.jpg", _image(), "image/jpeg")}
        return await observe(
            lambda: alices_uploads(w),
            lambda: w.api.post(path, headers=w.headers(actor), files=files),
        )

    scenario("POST", path)(run)


upload_write("/api/v2/media")
upload_write("/api/v1/media")


async def alices_upload(w: World) -> str:
    files = {"file": ("photo.jpg", _image(), "image/jpeg")}
    r = await w.api.post("/api/v1/media", headers=w.alice.auth, files=files)
    assert r.status_code == 200, r.text
    media_id: str = r.json()["id"]
    return media_id


@scenario("PUT", "/api/v1/media/{id}")
async def describe_media(w: World, actor: str) -> Outcome:
    media_id = await alices_upload(w)
    return await observe(
        lambda: scalar(
            w, select(MediaAttachment.description).where(MediaAttachment.id == int(media_id))
        ),
        lambda: w.api.put(
            f"/api/v1/media/{media_id}", headers=w.headers(actor), json={"description": "x"}
        ),
    )


@scenario("DELETE", "/api/v1/media/{id}")
async def delete_media(w: World, actor: str) -> Outcome:
    await alices_upload(w)
    media_id = await alices_upload(w)
    return await observe(
        lambda: alices_uploads(w),
        lambda: w.api.delete(f"/api/v1/media/{media_id}", headers=w.headers(actor)),
    )


def favourites(w: World, status_id: int) -> Awaitable[Any]:
    return scalar(w, select(Status.favourites_count).where(Status.id == status_id))


@scenario("POST", "/api/v1/statuses/{id}/favourite")
async def favourite(w: World, actor: str) -> Outcome:
    status_id = await private_status(w)
    return await observe(
        lambda: favourites(w, status_id),
        lambda: w.api.post(f"/api/v1/statuses/{status_id}/favourite", headers=w.headers(actor)),
    )


@scenario("POST", "/api/v1/statuses/{id}/unfavourite")
async def unfavourite(w: World, actor: str) -> Outcome:
    status_id = await private_status(w)
    r = await w.api.post(f"/api/v1/statuses/{status_id}/favourite", headers=w.alice.auth)
    assert r.status_code == 200, r.text
    return await observe(
        lambda: favourites(w, status_id),
        lambda: w.api.post(f"/api/v1/statuses/{status_id}/unfavourite", headers=w.headers(actor)),
    )


def boosts_of(w: World, status_id: int) -> Awaitable[int]:
    return count(w, Status, Status.reblog_of_id == status_id)


@scenario("POST", "/api/v1/statuses/{id}/reblog")
async def reblog(w: World, actor: str) -> Outcome:
    status_id = await private_status(w)
    return await observe(
        lambda: boosts_of(w, status_id),
        lambda: w.api.post(f"/api/v1/statuses/{status_id}/reblog", headers=w.headers(actor)),
    )


@scenario("POST", "/api/v1/statuses/{id}/unreblog")
async def unreblog(w: World, actor: str) -> Outcome:
    status_id = await private_status(w)
    r = await w.api.post(f"/api/v1/statuses/{status_id}/reblog", headers=w.alice.auth)
    assert r.status_code == 200, r.text
    return await observe(
        lambda: boosts_of(w, status_id),
        lambda: w.api.post(f"/api/v1/statuses/{status_id}/unreblog", headers=w.headers(actor)),
    )


def alices_marks(w: World, model: Any, status_id: int) -> Awaitable[int]:
    return count(w, model, model.account_id == int(w.alice.id), model.status_id == status_id)


async def mark_alices(w: World, actor: str, model: Any, action: str, undo: str = "") -> Outcome:
    """`action` on alice's followers-only status (which she did first when `undo` is set)."""
    status_id = await private_status(w)
    if undo:
        r = await w.api.post(f"/api/v1/statuses/{status_id}/{undo}", headers=w.alice.auth)
        assert r.status_code == 200, r.text
    return await observe(
        lambda: alices_marks(w, model, status_id),
        lambda: w.api.post(f"/api/v1/statuses/{status_id}/{action}", headers=w.headers(actor)),
    )


@scenario("POST", "/api/v1/statuses/{id}/bookmark")
async def bookmark(w: World, actor: str) -> Outcome:
    return await mark_alices(w, actor, Bookmark, "bookmark")


@scenario("POST", "/api/v1/statuses/{id}/unbookmark")
async def unbookmark(w: World, actor: str) -> Outcome:
    return await mark_alices(w, actor, Bookmark, "unbookmark", undo="bookmark")


@scenario("POST", "/api/v1/statuses/{id}/pin")
async def pin(w: World, actor: str) -> Outcome:
    return await mark_alices(w, actor, StatusPin, "pin")


@scenario("POST", "/api/v1/statuses/{id}/unpin")
async def unpin(w: World, actor: str) -> Outcome:
    # four runs leave alice three pins of the five she may have
    return await mark_alices(w, actor, StatusPin, "unpin", undo="pin")


async def _alices_thread(w: World, actor: str, action: str, undo: str = "") -> Outcome:
    """`action` on the thread of alice's followers-only status (`undo` done by her first)."""
    status_id = await private_status(w)
    if undo:
        r = await w.api.post(f"/api/v1/statuses/{status_id}/{undo}", headers=w.alice.auth)
        assert r.status_code == 200, r.text
    return await observe(
        lambda: count(
            w,
            ConversationMute,
            ConversationMute.account_id == int(w.alice.id),
            ConversationMute.conversation_id == status_id,
        ),
        lambda: w.api.post(f"/api/v1/statuses/{status_id}/{action}", headers=w.headers(actor)),
    )


@scenario("POST", "/api/v1/statuses/{id}/mute")
async def mute_thread(w: World, actor: str) -> Outcome:
    return await _alices_thread(w, actor, "mute")


@scenario("POST", "/api/v1/statuses/{id}/unmute")
async def unmute_thread(w: World, actor: str) -> Outcome:
    return await _alices_thread(w, actor, "unmute", undo="mute")


async def alices_conversation(w: World) -> int:
    """bob writes to alice alone: the id of her (unread) conversation, a new one each time."""
    await post(w.api, w.bob, "@alice between us", visibility="direct")
    await w.ctx.events.drain()
    newest = select(func.max(AccountConversation.id)).where(
        AccountConversation.account_id == int(w.alice.id), AccountConversation.unread.is_(True)
    )
    entry_id: int | None = await scalar(w, newest)
    assert entry_id is not None, "the direct status made alice no conversation"
    return entry_id


@scenario("POST", "/api/v1/conversations/{id}/read")
async def read_conversation(w: World, actor: str) -> Outcome:
    entry_id = await alices_conversation(w)
    unread = select(AccountConversation.unread).where(AccountConversation.id == entry_id)
    return await observe(
        lambda: scalar(w, unread),
        lambda: w.api.post(f"/api/v1/conversations/{entry_id}/read", headers=w.headers(actor)),
    )


@scenario("DELETE", "/api/v1/conversations/{id}")
async def delete_conversation(w: World, actor: str) -> Outcome:
    entry_id = await alices_conversation(w)
    return await observe(
        lambda: count(w, AccountConversation, AccountConversation.id == entry_id),
        lambda: w.api.delete(f"/api/v1/conversations/{entry_id}", headers=w.headers(actor)),
    )


async def _endorsing_alice(w: World, actor: str, action: str, *, endorsed: bool) -> Outcome:
    """bob and boss follow alice (and endorse her when `endorsed`); `actor` does `action` on
    her; then their endorsements end, so the world stays as the other rows expect."""
    for person in (w.bob, w.boss):
        await w.api.post(f"/api/v1/accounts/{w.alice.id}/follow", headers=person.auth)
        if endorsed:
            r = await w.api.post(f"/api/v1/accounts/{w.alice.id}/pin", headers=person.auth)
            assert r.status_code == 200, r.text
    outcome = await observe(
        lambda: count(w, AccountPin, AccountPin.target_account_id == int(w.alice.id)),
        lambda: w.api.post(f"/api/v1/accounts/{w.alice.id}/{action}", headers=w.headers(actor)),
    )
    for person in (w.bob, w.boss):
        await w.api.post(f"/api/v1/accounts/{w.alice.id}/unpin", headers=person.auth)
    return outcome


@scenario("POST", "/api/v1/accounts/{id}/pin")
async def endorse_alice(w: World, actor: str) -> Outcome:
    return await _endorsing_alice(w, actor, "pin", endorsed=False)


@scenario("POST", "/api/v1/accounts/{id}/unpin")
async def unendorse_alice(w: World, actor: str) -> Outcome:
    return await _endorsing_alice(w, actor, "unpin", endorsed=True)


@scenario("POST", "/api/v1/accounts/{id}/endorse")
async def endorse_alice_44(w: World, actor: str) -> Outcome:
    return await _endorsing_alice(w, actor, "endorse", endorsed=False)


@scenario("POST", "/api/v1/accounts/{id}/unendorse")
async def unendorse_alice_44(w: World, actor: str) -> Outcome:
    return await _endorsing_alice(w, actor, "unendorse", endorsed=True)


@scenario("POST", "/api/v1/accounts/{id}/remove_from_followers")
async def remove_bob_from_followers(w: World, actor: str) -> Outcome:
    await w.api.post(f"/api/v1/accounts/{w.alice.id}/follow", headers=w.bob.auth)
    return await observe(
        lambda: followers_of_alice(w),
        lambda: w.api.post(
            f"/api/v1/accounts/{w.bob.id}/remove_from_followers", headers=w.headers(actor)
        ),
    )


async def on_alices_tag(w: World, actor: str, action: str) -> Outcome:
    """`action` by `actor` on a tag alice follows (unfollow) or not (follow), observed on
    her follows of it; then hers is undone and the actor's, so every run starts the same."""
    tag = "authz"
    for before in ("follow", "unfollow")[: 1 if action == "unfollow" else 2]:
        r = await w.api.post(f"/api/v1/tags/{tag}/{before}", headers=w.alice.auth)
        assert r.status_code == 200, r.text
    followed = select(func.count()).select_from(TagFollow).join(Tag)
    outcome = await observe(
        lambda: scalar(w, followed.where(TagFollow.account_id == int(w.alice.id), Tag.name == tag)),
        lambda: w.api.post(f"/api/v1/tags/{tag}/{action}", headers=w.headers(actor)),
    )
    for person in (w.alice, w.person(actor)):
        if person is not None:
            await w.api.post(f"/api/v1/tags/{tag}/unfollow", headers=person.auth)
    return outcome


@scenario("POST", "/api/v1/tags/{name}/follow")
async def follow_tag(w: World, actor: str) -> Outcome:
    return await on_alices_tag(w, actor, "follow")


@scenario("POST", "/api/v1/tags/{name}/unfollow")
async def unfollow_tag(w: World, actor: str) -> Outcome:
    return await on_alices_tag(w, actor, "unfollow")


@scenario("POST", "/api/v1/notifications/clear")
async def clear_notifications(w: World, actor: str) -> Outcome:
    await notify_alice(w)
    return await observe(
        lambda: count(w, Notification, Notification.account_id == int(w.alice.id)),
        lambda: w.api.post("/api/v1/notifications/clear", headers=w.headers(actor)),
    )


@scenario("POST", "/api/v1/notifications/{id}/dismiss")
async def dismiss_notification(w: World, actor: str) -> Outcome:
    notification_id = await notify_alice(w)
    return await observe(
        lambda: count(w, Notification, Notification.id == notification_id),
        lambda: w.api.post(
            f"/api/v1/notifications/{notification_id}/dismiss", headers=w.headers(actor)
        ),
    )


async def alices_markers(w: World) -> Any:
    r = await w.api.get("/api/v1/markers", headers=w.alice.auth, params={"timeline[]": "home"})
    return r.json()


@scenario("POST", "/api/v1/markers")
async def save_markers(w: World, actor: str) -> Outcome:
    form = {"home[last_read_id]": "1", "home[account_id]": w.alice.id}
    return await observe(
        lambda: alices_markers(w),
        lambda: w.api.post("/api/v1/markers", headers=w.headers(actor), data=form),
    )


async def alices_filters(w: World) -> Any:
    return (await w.api.get("/api/v2/filters", headers=w.alice.auth)).json()


async def alices_filter(w: World) -> dict[str, Any]:
    """A filter of alice's with one keyword and one status."""
    body = {"title": "t", "context": ["home"], "keywords_attributes": [{"keyword": "k"}]}
    r = await w.api.post("/api/v2/filters", headers=w.alice.auth, json=body)
    assert r.status_code == 200, r.text
    made: dict[str, Any] = r.json()
    status_id = (await post(w.api, w.alice, "filtered"))["id"]
    r = await w.api.post(
        f"/api/v2/filters/{made['id']}/statuses",
        headers=w.alice.auth,
        json={"status_id": status_id},
    )
    assert r.status_code == 200, r.text
    made["statuses"] = [r.json()]
    return made


def filter_write(
    method: str, path: str, url: Callable[[dict[str, Any]], str], body: dict[str, Any] | None
) -> None:
    async def run(w: World, actor: str) -> Outcome:
        made = await alices_filter(w)
        return await observe(
            lambda: alices_filters(w),
            lambda: w.api.request(method, url(made), headers=w.headers(actor), json=body),
        )

    scenario(method, path)(run)


async def alices_scheduled(w: World) -> Any:
    return (await w.api.get("/api/v1/scheduled_statuses", headers=w.alice.auth)).json()


def scheduled_write(method: str, body: dict[str, Any] | None) -> None:
    async def run(w: World, actor: str) -> Outcome:
        at = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        r = await w.api.post(
            "/api/v1/statuses", headers=w.alice.auth, json={"status": "later", "scheduled_at": at}
        )
        assert r.status_code == 200, r.text
        url = f"/api/v1/scheduled_statuses/{r.json()['id']}"
        return await observe(
            lambda: alices_scheduled(w),
            lambda: w.api.request(method, url, headers=w.headers(actor), json=body),
        )

    scenario(method, "/api/v1/scheduled_statuses/{id}")(run)


scheduled_write("PUT", {"scheduled_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()})
scheduled_write("DELETE", None)


NEW_FILTER = {"title": "new", "context": ["home"]}
filter_write("POST", "/api/v2/filters", lambda f: "/api/v2/filters", NEW_FILTER)
filter_write("PUT", "/api/v2/filters/{id}", lambda f: f"/api/v2/filters/{f['id']}", {"title": "x"})
filter_write("DELETE", "/api/v2/filters/{id}", lambda f: f"/api/v2/filters/{f['id']}", None)
filter_write(
    "POST",
    "/api/v2/filters/{filter_id}/keywords",
    lambda f: f"/api/v2/filters/{f['id']}/keywords",
    {"keyword": "more"},
)
filter_write(
    "PUT",
    "/api/v2/filter_keywords/{id}",
    lambda f: f"/api/v2/filter_keywords/{f['keywords'][0]['id']}",
    {"keyword": "changed"},
)
filter_write(
    "DELETE",
    "/api/v2/filter_keywords/{id}",
    lambda f: f"/api/v2/filter_keywords/{f['keywords'][0]['id']}",
    None,
)
filter_write(
    "DELETE",
    "/api/v2/filter_statuses/{id}",
    lambda f: f"/api/v2/filter_statuses/{f['statuses'][0]['id']}",
    None,
)
filter_write(
    "POST", "/api/v1/filters", lambda f: "/api/v1/filters", {"phrase": "p", "context": ["home"]}
)
filter_write(
    "PUT",
    "/api/v1/filters/{id}",
    lambda f: f"/api/v1/filters/{f['keywords'][0]['id']}",
    {"phrase": "changed"},
)
filter_write(
    "DELETE", "/api/v1/filters/{id}", lambda f: f"/api/v1/filters/{f['keywords'][0]['id']}", None
)


async def everyones_lists(w: World) -> dict[str, tuple[Person, Any, list[str]]]:
    """Every list of the three people, with its members."""
    found = {}
    for person in (w.alice, w.bob, w.boss):
        for made in (await w.api.get("/api/v1/lists", headers=person.auth)).json():
            r = await w.api.get(f"/api/v1/lists/{made['id']}/accounts", headers=person.auth)
            found[made["id"]] = (person, made, [a["id"] for a in r.json()])
    return found


async def alices_lists(w: World) -> Any:
    return [
        (made, members) for p, made, members in (await everyones_lists(w)).values() if p is w.alice
    ]


Body = Callable[[World], dict[str, Any] | None]


def list_write(
    method: str, path: str, suffix: str | None, body: Body, *, holding: bool = False
) -> None:
    """`method` on alice's new list, `/api/v1/lists/<id><suffix>` (or `/api/v1/lists` with
    `suffix` None), holding alice herself with `holding`; then every list of the three goes,
    so no run leaves anything to the next (nor nears the limit of lists)."""

    async def run(w: World, actor: str) -> Outcome:
        r = await w.api.post("/api/v1/lists", headers=w.alice.auth, json={"title": "alice's"})
        assert r.status_code == 200, r.text
        list_id = r.json()["id"]
        if holding:
            r = await w.api.post(
                f"/api/v1/lists/{list_id}/accounts",
                headers=w.alice.auth,
                json={"account_ids": [w.alice.id]},
            )
            assert r.status_code == 200, r.text
        url = "/api/v1/lists" if suffix is None else f"/api/v1/lists/{list_id}{suffix}"
        try:
            return await observe(
                lambda: alices_lists(w),
                lambda: w.api.request(method, url, headers=w.headers(actor), json=body(w)),
            )
        finally:
            for person, made, _ in (await everyones_lists(w)).values():
                await w.api.delete(f"/api/v1/lists/{made['id']}", headers=person.auth)

    scenario(method, path)(run)


def alice_listed(w: World) -> dict[str, Any]:
    return {"account_ids": [w.alice.id]}


list_write("POST", "/api/v1/lists", None, lambda w: {"title": "new"})
list_write("PUT", "/api/v1/lists/{id}", "", lambda w: {"title": "renamed", "exclusive": True})
list_write("DELETE", "/api/v1/lists/{id}", "", lambda w: None)
list_write("POST", "/api/v1/lists/{id}/accounts", "/accounts", alice_listed)
list_write("DELETE", "/api/v1/lists/{id}/accounts", "/accounts", alice_listed, holding=True)


@scenario("POST", "/api/v2/filters/{filter_id}/statuses")
async def add_filter_status(w: World, actor: str) -> Outcome:
    made = await alices_filter(w)
    status_id = (await post(w.api, w.bob, "another"))["id"]
    return await observe(
        lambda: alices_filters(w),
        lambda: w.api.post(
            f"/api/v2/filters/{made['id']}/statuses",
            headers=w.headers(actor),
            json={"status_id": status_id},
        ),
    )


@scenario("POST", "/api/v2/notifications/{group_key}/dismiss")
async def dismiss_notification_group(w: World, actor: str) -> Outcome:
    status_id = (await post(w.api, w.alice, "favourite me"))["id"]
    await w.api.post(f"/api/v1/statuses/{status_id}/favourite", headers=w.bob.auth)
    await w.ctx.events.drain()
    mine = (Notification.account_id == int(w.alice.id), Notification.status_id == int(status_id))
    key = await scalar(w, select(Notification.group_key).where(*mine))
    assert key is not None, "bob's favourite did not notify alice"
    return await observe(
        lambda: count(w, Notification, *mine),
        lambda: w.api.post(f"/api/v2/notifications/{key}/dismiss", headers=w.headers(actor)),
    )


@scenario("DELETE", "/api/v1/sessions/{id}")
async def end_session(w: World, actor: str) -> Outcome:
    issued = await w.issue(w.alice)
    session = await w.ctx.tokens.resolve(issued.access_token, touch=False)
    assert session is not None
    return await observe(
        lambda: token_alive(w, issued.access_token),
        lambda: w.api.delete(f"/api/v1/sessions/{session.id}", headers=w.headers(actor)),
    )


async def review_by_api(w: World, actor: str, action: str) -> Outcome:
    tag_id, name = await w.new_tag()
    return await observe(
        lambda: review(w, name),
        lambda: w.api.post(
            f"/api/v1/admin/trends/tags/{tag_id}/{action}", headers=w.headers(actor)
        ),
    )


@scenario("POST", "/api/v1/admin/trends/tags/{id}/approve")
async def approve_by_api(w: World, actor: str) -> Outcome:
    return await review_by_api(w, actor, "approve")


@scenario("POST", "/api/v1/admin/trends/tags/{id}/reject")
async def reject_by_api(w: World, actor: str) -> Outcome:
    return await review_by_api(w, actor, "reject")


# announcements, rules, instance texts


async def announcement(w: World, **fields: Any) -> str:
    """An announcement by boss (published unless told otherwise): its id."""
    body = {"text": "hello everyone", **fields}
    r = await w.api.post("/api/v1/admin/announcements", headers=w.boss.auth, json=body)
    assert r.status_code == 200, r.text
    announcement_id: str = r.json()["id"]
    return announcement_id


async def announcement_row(w: World, announcement_id: str) -> Any:
    async with w.ctx.db() as db:
        row = await db.get(Announcement, int(announcement_id))
        return None if row is None else (row.text, row.published, row.ends_at)


def alices_reactions(w: World, announcement_id: str) -> Awaitable[int]:
    mine = (
        AnnouncementReaction.announcement_id == int(announcement_id),
        AnnouncementReaction.account_id == int(w.alice.id),
    )
    return count(w, AnnouncementReaction, *mine)


@scenario("POST", "/api/v1/announcements/{id}/dismiss")
async def dismiss_announcement(w: World, actor: str) -> Outcome:
    announcement_id = await announcement(w)
    alices = (
        AnnouncementRead.announcement_id == int(announcement_id),
        AnnouncementRead.account_id == int(w.alice.id),
    )
    return await observe(
        lambda: count(w, AnnouncementRead, *alices),
        lambda: w.api.post(
            f"/api/v1/announcements/{announcement_id}/dismiss", headers=w.headers(actor)
        ),
    )


@scenario("PUT", "/api/v1/announcements/{id}/reactions/{name}")
async def react_to_announcement(w: World, actor: str) -> Outcome:
    announcement_id = await announcement(w)
    return await observe(
        lambda: alices_reactions(w, announcement_id),
        lambda: w.api.put(
            f"/api/v1/announcements/{announcement_id}/reactions/%F0%9F%91%8D",
            headers=w.headers(actor),
        ),
    )


@scenario("DELETE", "/api/v1/announcements/{id}/reactions/{name}")
async def take_back_reaction(w: World, actor: str) -> Outcome:
    announcement_id = await announcement(w)
    path = f"/api/v1/announcements/{announcement_id}/reactions/%F0%9F%91%8D"
    assert (await w.api.put(path, headers=w.alice.auth)).status_code == 200
    return await observe(
        lambda: alices_reactions(w, announcement_id),
        lambda: w.api.delete(path, headers=w.headers(actor)),
    )


@scenario("POST", "/api/v1/admin/announcements")
async def create_announcement(w: World, actor: str) -> Outcome:
    return await observe(
        lambda: count(w, Announcement),
        lambda: w.api.post(
            "/api/v1/admin/announcements", headers=w.headers(actor), json={"text": f"by {actor}"}
        ),
    )


async def act_on_announcement(
    w: World, actor: str, method: str, action: str = "", **fields: Any
) -> Outcome:
    announcement_id = await announcement(w, **fields)
    path = f"/api/v1/admin/announcements/{announcement_id}{action}"
    return await observe(
        lambda: announcement_row(w, announcement_id),
        lambda: w.api.request(method, path, headers=w.headers(actor), json={"text": actor}),
    )


@scenario("PUT", "/api/v1/admin/announcements/{id}")
async def change_announcement(w: World, actor: str) -> Outcome:
    return await act_on_announcement(w, actor, "PUT")


@scenario("DELETE", "/api/v1/admin/announcements/{id}")
async def delete_announcement(w: World, actor: str) -> Outcome:
    return await act_on_announcement(w, actor, "DELETE")


@scenario("POST", "/api/v1/admin/announcements/{id}/publish")
async def publish_announcement(w: World, actor: str) -> Outcome:
    return await act_on_announcement(w, actor, "POST", "/publish", published=False)


@scenario("POST", "/api/v1/admin/announcements/{id}/unpublish")
async def unpublish_announcement(w: World, actor: str) -> Outcome:
    return await act_on_announcement(w, actor, "POST", "/unpublish")


@scenario("POST", "/api/v1/admin/announcements/{id}/end")
async def end_announcement(w: World, actor: str) -> Outcome:
    return await act_on_announcement(w, actor, "POST", "/end")


@scenario("POST", "/api/v1/admin/rules")
async def add_rule(w: World, actor: str) -> Outcome:
    return await observe(
        lambda: count(w, Rule),
        lambda: w.api.post("/api/v1/admin/rules", headers=w.headers(actor), json={"text": actor}),
    )


@scenario("DELETE", "/api/v1/admin/rules/{id}")
async def remove_rule(w: World, actor: str) -> Outcome:
    r = await w.api.post("/api/v1/admin/rules", headers=w.boss.auth, json={"text": "Be kind"})
    assert r.status_code == 200, r.text
    rule_id = int(r.json()["id"])
    return await observe(
        lambda: count(w, Rule, Rule.id == rule_id),
        lambda: w.api.delete(f"/api/v1/admin/rules/{rule_id}", headers=w.headers(actor)),
    )


@scenario("PUT", "/api/v1/admin/extended_description")
async def set_extended_description(w: World, actor: str) -> Outcome:
    return await observe(
        lambda: scalar(w, select(SiteText.text)),
        lambda: w.api.put(
            "/api/v1/admin/extended_description",
            headers=w.headers(actor),
            json={"text": f"written by {actor}"},
        ),
    )


@scenario("POST", "/admin/login")
async def sign_in(w: World, actor: str) -> Outcome:
    form = {
        "own": {"login": w.alice.username, "password": w.alice.password},
        "other": {"login": w.alice.username, "password": w.bob.password},
        "admin": {"login": w.boss.username, "password": w.boss.password},
        "anonymous": {},
    }[actor]

    async def dashboard_sessions() -> tuple[int, int]:
        alice, boss = w.ctx.cookies.list(w.alice.id), w.ctx.cookies.list(w.boss.id)
        return len(await alice), len(await boss)

    async with w.browser_with(None) as browser:
        return await observe(dashboard_sessions, lambda: browser.post("/admin/login", data=form))


@scenario("POST", "/admin/logout")
async def sign_out(w: World, actor: str) -> Outcome:
    issued = await w.dashboard_session()
    mine = actor == "admin"
    headers = {"X-CSRF-Token": issued.session.data["csrf"]} if mine else w.headers(actor)
    async with w.browser_with(issued.token if mine else None) as browser:
        return await observe(
            lambda: w.ctx.cookies.resolve(issued.token, touch=False),
            lambda: browser.post("/admin/logout", headers=headers),
        )


async def review_on_dashboard(w: World, actor: str, action: str, start: Review) -> Outcome:
    tag_id, name = await w.new_tag()
    await w.ctx.trends.set_review(name, start)
    browser, headers = (
        (w.browser, {"X-CSRF-Token": w.csrf}) if actor == "admin" else (w.api, w.headers(actor))
    )
    return await observe(
        lambda: review(w, name),
        lambda: browser.post(f"/admin/tags/{tag_id}/{action}", headers=headers),
    )


@scenario("POST", "/admin/tags/{id}/approve")
async def approve_on_dashboard(w: World, actor: str) -> Outcome:
    return await review_on_dashboard(w, actor, "approve", Review.PENDING)


@scenario("POST", "/admin/tags/{id}/reject")
async def reject_on_dashboard(w: World, actor: str) -> Outcome:
    return await review_on_dashboard(w, actor, "reject", Review.PENDING)


@scenario("POST", "/admin/tags/{id}/reset")
async def reset_on_dashboard(w: World, actor: str) -> Outcome:
    return await review_on_dashboard(w, actor, "reset", Review.APPROVED)


def test_the_matrix_covers_exactly_the_write_routes(app: Starlette) -> None:
    found = write_routes(app.routes)
    missing, extra = found.routes - set(MATRIX), set(MATRIX) - found.routes
    assert not missing, f"write routes without a row in MATRIX: {sorted(missing)}"
    assert not extra, f"MATRIX rows for routes the app does not have: {sorted(extra)}"
    assert set(SCENARIOS) == set(MATRIX)
    # Every scenario's probe is shown able to see a change by at least one cell of its row
    # (but the reads that may be sent by POST, which change nothing for anyone).
    assert all(
        any(getattr(row, a).changed for a in ACTORS)
        for key, row in MATRIX.items()
        if key not in READS_BY_POST
    )
    assert found.opaque_mounts == {"/admin/static"}  # see test_mounted_apps_refuse_writes


def test_write_routes_are_found_through_mounts() -> None:
    async def endpoint(_: Any) -> None: ...

    class Endpoint:  # a class endpoint accepts whatever methods it defines
        async def __call__(self, scope: Any, receive: Any, send: Any) -> None: ...

    inner = Router([Route("/{id}", endpoint, methods=["GET", "DELETE"])])
    routes = [
        Route("/a", endpoint, methods=["GET"]),
        Route("/b", endpoint, methods=["POST", "PATCH"]),
        Route("/c", Endpoint()),
        WebSocketRoute("/ws", endpoint),
        Mount("/things", routes=inner.routes),
        Mount("/files", app=StaticFiles(directory=".")),
    ]
    found = write_routes(routes)
    assert found.routes == {
        ("POST", "/b"),
        ("PATCH", "/b"),
        *((m, "/c") for m in WRITE_METHODS),
        ("DELETE", "/things/{id}"),
    }
    assert found.opaque_mounts == {"/files"}


async def test_mounted_apps_refuse_writes(client: httpx.AsyncClient) -> None:
    for method in sorted(WRITE_METHODS):
        r = await client.request(method, "/admin/static/admin.css")
        assert r.status_code == 405, method


def mismatch(route: RouteKey, expected: Cell, r: httpx.Response, changed: bool) -> str | None:
    got = Cell(r.status_code, changed)
    if got != expected:
        return f"want {expected}, got {got}: {r.text[:200]}"
    if r.status_code < 400 or route in HTML_ROUTES:
        return None
    if not r.headers.get("content-type", "").startswith("application/json"):
        return f"not a JSON error: {r.text[:200]}"
    return None if "error" in r.json() else f"no error in the JSON: {r.text[:200]}"


async def test_every_write_route_for_every_actor(world: World) -> None:
    mismatches = []
    for route, row in MATRIX.items():
        for actor in ACTORS:
            r, changed = await SCENARIOS[route](world, actor)
            problem = mismatch(route, getattr(row, actor), r, changed)
            if problem:
                mismatches.append(f"{route[0]} {route[1]} as {actor}: {problem}")
    assert not mismatches, "\n" + "\n".join(mismatches)


async def test_hidden_and_missing_look_the_same(world: World) -> None:
    """A refusal on someone else's resource says nothing a missing one would not."""
    hidden = await private_status(world)
    missing = hidden + (1 << 40)  # no status has this id yet
    requests = [
        ("DELETE", "/api/v1/statuses/{}", None),
        ("POST", "/api/v1/statuses/{}/favourite", None),
        ("POST", "/api/v1/statuses/{}/unfavourite", None),
        ("POST", "/api/v1/statuses/{}/bookmark", None),
        ("POST", "/api/v1/statuses/{}/unbookmark", None),
        ("POST", "/api/v1/statuses/{}/pin", None),
        ("POST", "/api/v1/statuses/{}/unpin", None),
        ("POST", "/api/v1/statuses/{}/mute", None),
        ("POST", "/api/v1/statuses/{}/unmute", None),
        ("POST", "/api/v1/statuses", {"status": "hi", "in_reply_to_id": "{}"}),
    ]
    for person in (world.bob, world.boss):
        for method, template, body in requests:
            answers = []
            for status_id in (hidden, missing):
                json = {k: v.format(status_id) for k, v in body.items()} if body else None
                r = await world.api.request(
                    method, template.format(status_id), headers=person.auth, json=json
                )
                answers.append((r.status_code, r.json()))
            assert answers[0] == answers[1], (person.username, method, template)
            assert answers[0][0] in (404, 422)
