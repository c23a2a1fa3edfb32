"""An authorization request (`GET /oauth/authorize`, RFC 6749 section 4.1.1, PKCE of RFC
7636): read and checked once, carried through the sign-in and consent pages, and answered
with a code or a refusal on the client's redirect URI.

A request whose client is unknown or whose redirect URI is not the client's own is `Unclear`:
it is answered on our own error page, never by a redirect (RFC 6749 section 4.1.2.1). Any
other mistake is a `Refused` the client is told about on its redirect URI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from social.oauth import apps, codes
from social.platform import scopes
from social.platform.context import AppContext
from social.platform.db.models import Application

FIELDS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "force_login",
)
"""What a request carries from page to page (anything else it was sent with is ignored)."""
TRUTHY = frozenset({"1", "t", "true", "yes", "on"})
"""Compared lower-cased: Mastodon.py sends Python's `True`/`False`, JavaScript `true`/`false`."""


class Unclear(Exception):
    """No client to answer: shown on our own page."""


class Refused(Exception):
    """A refusal for the client's redirect URI: an RFC 6749 error code and its description."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


@dataclass(frozen=True)
class AuthorizationRequest:
    app: Application
    redirect_uri: str
    scopes: tuple[str, ...]
    state: str | None
    challenge: str | None
    force_login: bool

    @property
    def oob(self) -> bool:
        """The code is shown to copy instead of sent to the client."""
        return self.redirect_uri == apps.OOB

    def fields(self) -> dict[str, str]:
        """The request again, to carry in a form or a URL."""
        carried = {
            "response_type": "code",
            "client_id": self.app.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": " ".join(self.scopes),
        }
        if self.state is not None:
            carried["state"] = self.state
        if self.challenge is not None:
            carried["code_challenge"] = self.challenge
            carried["code_challenge_method"] = "S256"
        if self.force_login:
            carried["force_login"] = "true"
        return carried

    def query(self) -> str:
        return urlencode(self.fields())

    def answer(self, **params: str) -> str:
        """The client's redirect URI with `params` (and the state) in its query."""
        if self.state is not None:
            params = {**params, "state": self.state}
        parts = urlsplit(self.redirect_uri)
        query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
        return urlunsplit(parts._replace(query=query))

    def grant(self, account_id: int) -> codes.Grant:
        return codes.Grant(self.app.id, self.redirect_uri, self.scopes, account_id, self.challenge)


async def read_request(ctx: AppContext, params: Mapping[str, object]) -> AuthorizationRequest:
    """The request `params` make; `Unclear` or `Refused` when it cannot be granted."""
    given = {name: value for name in FIELDS if isinstance(value := params.get(name), str)}
    client_id = given.get("client_id", "")
    app = await apps.by_client_id(ctx, client_id) if 0 < len(client_id) <= 200 else None
    if app is None:
        raise Unclear("This application is not known here.")
    registered = apps.redirect_uris(app)
    redirect_uri = given.get("redirect_uri") or (registered[0] if len(registered) == 1 else "")
    if redirect_uri not in registered:
        raise Unclear("The redirect URI is not one this application registered.")
    request = AuthorizationRequest(
        app,
        redirect_uri,
        (),
        given.get("state"),
        None,
        str(given.get("force_login", "")).lower() in TRUTHY,
    )
    if given.get("response_type") != "code":
        raise RefusedFor(request, "unsupported_response_type", "response_type must be code")
    try:
        wanted = scopes.parse_scopes(given.get("scope"), default="read")
    except ValueError as exc:
        raise RefusedFor(request, "invalid_scope", str(exc)) from None
    if not scopes.is_subset(wanted, app.scopes.split()):
        raise RefusedFor(
            request, "invalid_scope", "The requested scope exceeds the application's scopes"
        )
    challenge = given.get("code_challenge")
    method = given.get("code_challenge_method")
    if challenge is not None or method is not None:
        if method != "S256":
            raise RefusedFor(request, "invalid_request", "code_challenge_method must be S256")
        if challenge is None or not codes.CHALLENGE.match(challenge):
            raise RefusedFor(request, "invalid_request", "code_challenge is not an S256 challenge")
    return AuthorizationRequest(
        app, redirect_uri, tuple(wanted), request.state, challenge, request.force_login
    )


class RefusedFor(Refused):
    """A `Refused` with the request it answers (its redirect URI and state)."""

    def __init__(self, request: AuthorizationRequest, code: str, description: str) -> None:
        super().__init__(code, description)
        self.request = request


async def already_granted(ctx: AppContext, account_id: int, request: AuthorizationRequest) -> bool:
    """Whether the person holds a live token of this app with these scopes: then no consent is
    asked again (as Mastodon, unless `force_login`)."""
    for session in await ctx.tokens.list(str(account_id)):
        if session.data.get("app_id") != str(request.app.id):
            continue
        if scopes.is_subset(request.scopes, session.data.get("scopes", "").split()):
            return True
    return False


SCOPE_WORDS = {
    "read": "read all your account's data",
    "write": "change all your account's data",
    "follow": "follow, unfollow, block and mute accounts",
    "push": "receive your push notifications",
    "profile": "read only your profile's basic information",
    "read:accounts": "see accounts' information",
    "read:blocks": "see your blocks",
    "read:bookmarks": "see your bookmarks",
    "read:favourites": "see your favourites",
    "read:filters": "see your filters",
    "read:follows": "see whom you follow",
    "read:lists": "see your lists",
    "read:mutes": "see your mutes",
    "read:notifications": "see your notifications",
    "read:search": "search on your behalf",
    "read:statuses": "see all posts you can see",
    "write:accounts": "change your profile",
    "write:blocks": "block accounts and domains",
    "write:bookmarks": "bookmark posts",
    "write:conversations": "mute and delete conversations",
    "write:favourites": "favourite posts",
    "write:filters": "create filters",
    "write:follows": "follow people",
    "write:lists": "create lists",
    "write:media": "upload media files",
    "write:mutes": "mute people and conversations",
    "write:notifications": "clear your notifications",
    "write:reports": "report other people",
    "write:statuses": "publish posts",
    "admin:read": "read all data on the server",
    "admin:write": "change all data on the server",
    "admin:read:accounts": "read sensitive information of all accounts",
    "admin:write:accounts": "moderate accounts",
    "admin:read:reports": "read sensitive information of all reports",
    "admin:write:reports": "moderate reports",
}
"""What each scope lets an app do, in the words of the consent page."""


def in_words(asked: tuple[str, ...]) -> list[str]:
    return [SCOPE_WORDS.get(scope, scope) for scope in asked]
