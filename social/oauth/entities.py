"""Mastodon's Application and Token entities, and the signed-in sessions of our extension."""

from __future__ import annotations

from pydantic import BaseModel


class Application(BaseModel):
    id: str | None = None
    name: str
    website: str | None
    scopes: list[str]
    redirect_uri: str
    redirect_uris: list[str]
    vapid_key: str = ""


class CredentialApplication(Application):
    client_id: str
    client_secret: str
    client_secret_expires_at: int = 0


class Token(BaseModel):
    access_token: str
    token_type: str = "Bearer"
    scope: str
    created_at: int
    expires_in: int | None = None
    refresh_token: str | None = None


class SessionApp(BaseModel):
    name: str


class LoginSession(BaseModel):
    """Our extension (`GET /api/v1/sessions`): one signed-in device or app."""

    id: str
    created_at: str
    last_active_at: str
    expires_at: str
    app: SessionApp | None
    user_agent: str
    current: bool
