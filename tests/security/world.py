"""Three people on one app: alice and bob (users, each with their own OAuth client) and boss
(an admin, also signed in to the dashboard). Every client and token may use the admin scopes,
so that only the admin role tells boss apart."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
from sqlalchemy import select
from starlette.applications import Starlette

from sessions import COOKIE_NAME, IssuedToken
from social.accounts.service import create_account
from social.admin.http import session as dashboard
from social.oauth import entities as oauth_entities
from social.oauth.tokens import issue_user_token
from social.platform.context import AppContext
from social.platform.db.models import Application, Tag
from tests.helpers import ClientApp, User, bearer, post, register_app, register_user
from tests.trends.helpers import https_client

SCOPES = "read write follow push profile admin:read admin:write"
PASSWORDS = {
    "alice": "alice's long passphrase",
    "bob": "bob's different passphrase",
    "boss": "the boss's own passphrase",
}
ACTORS = ("own", "other", "admin", "anonymous")
COOKIE_DOMAIN = "localhost.local"  # where httpx's cookie jar files host-only cookies of localhost


@dataclass
class Person(User):
    password: str = ""
    refresh_token: str = ""
    client: ClientApp | None = None

    @property
    def credentials(self) -> dict[str, str]:
        """This person's OAuth client authenticating itself (in a form body)."""
        assert self.client is not None
        return {"client_id": self.client.client_id, "client_secret": self.client.client_secret}


@dataclass
class World:
    app: Starlette
    api: httpx.AsyncClient
    alice: Person
    bob: Person
    boss: Person
    browser: httpx.AsyncClient  # boss, signed in to the dashboard (its cookie)
    csrf: str  # the CSRF token of that dashboard session
    _tags: itertools.count[int] = field(default_factory=itertools.count)

    @property
    def ctx(self) -> AppContext:
        ctx: AppContext = self.app.state.ctx
        return ctx

    def person(self, actor: str) -> Person | None:
        """own: alice, who owns the resources; other: bob; admin: boss; anonymous: nobody."""
        return {"own": self.alice, "other": self.bob, "admin": self.boss}.get(actor)

    def headers(self, actor: str) -> dict[str, str]:
        person = self.person(actor)
        return person.auth if person else {}

    def credentials(self, actor: str) -> dict[str, str]:
        person = self.person(actor)
        return person.credentials if person else {}

    async def issue(self, person: Person) -> oauth_entities.Token:
        """Another login of `person` on their client, without the password hashing cost."""
        return await issue(self.ctx, person)

    async def dashboard_session(self) -> IssuedToken:
        """Another dashboard session of boss, without the password hashing cost."""
        return await dashboard_session(self.ctx, self.boss.id)

    @contextlib.asynccontextmanager
    async def browser_with(self, cookie: str | None) -> AsyncIterator[httpx.AsyncClient]:
        """A fresh browser (https, so it keeps `__Host-` cookies), holding `cookie` if given."""
        async with https_client(self.app) as browser:
            if cookie:
                browser.cookies.set(COOKIE_NAME, cookie, domain=COOKIE_DOMAIN)
            yield browser

    async def new_tag(self) -> tuple[int, str]:
        """A hashtag nobody used before, from a status of alice: (its id, its name)."""
        name = f"security{next(self._tags)}"
        await post(self.api, self.alice, f"#{name}")
        async with self.ctx.db() as db:
            tag_id = (await db.execute(select(Tag.id).where(Tag.name == name))).scalar_one()
        return tag_id, name


async def _user(api: httpx.AsyncClient, username: str) -> Person:
    client = await register_app(api, scopes=SCOPES)
    token = await register_user(api, client, username, password=PASSWORDS[username])
    me = await api.get("/api/v1/accounts/verify_credentials", headers=bearer(token["access_token"]))
    return Person(
        me.json()["id"],
        token["access_token"],
        username,
        password=PASSWORDS[username],
        refresh_token=token["refresh_token"],
        client=client,
    )


async def issue(ctx: AppContext, person: Person) -> oauth_entities.Token:
    """A login of `person` on their client, as the password grant makes it."""
    assert person.client is not None
    query = select(Application).where(Application.client_id == person.client.client_id)
    async with ctx.db() as db:
        client = (await db.execute(query)).scalar_one()
    return await issue_user_token(ctx, account_id=int(person.id), app=client, scopes=SCOPES.split())


async def dashboard_session(ctx: AppContext, admin_id: str) -> IssuedToken:
    """A dashboard session, as `social.admin.http.session.sign_in` makes it."""
    # `new_csrf_token` as the dashboard module holds it: where tests/logscan.py watches it
    csrf = dashboard.new_csrf_token()  # type: ignore[attr-defined]
    data = {"csrf": csrf, "kind": dashboard.KIND}
    return await ctx.cookies.create(admin_id, data)


async def _admin(ctx: AppContext, api: httpx.AsyncClient, username: str) -> Person:
    async with ctx.db() as db:
        account, _ = await create_account(
            db,
            username=username,
            email=f"{username}@example.com",
            password=PASSWORDS[username],
            role="admin",
        )
    person = Person(str(account.id), "", username, PASSWORDS[username])
    person.client = await register_app(api, scopes=SCOPES)
    token = await issue(ctx, person)
    person.token, person.refresh_token = token.access_token, token.refresh_token or ""
    return person


async def build_world(app: Starlette, api: httpx.AsyncClient, browser: httpx.AsyncClient) -> World:
    """boss signs in neither by the password grant nor on the dashboard's form (the password
    hash costs a quarter of a second): the scenarios that need those do them."""
    ctx: AppContext = app.state.ctx
    alice, bob = await _user(api, "alice"), await _user(api, "bob")
    boss = await _admin(ctx, api, "boss")
    session = await dashboard_session(ctx, boss.id)
    browser.cookies.set(COOKIE_NAME, session.token, domain=COOKIE_DOMAIN)
    return World(app, api, alice, bob, boss, browser, session.session.data["csrf"])
