"""Mastodon's documented limits as policies (docs.joinmastodon.org, "Rate limits")."""

from __future__ import annotations

from ratelimit.keyfuncs import by_account, by_body_field, by_ip, by_ip_unauthenticated
from ratelimit.policy import Policy
from ratelimit.quota import Limit

SIGN_IN_PATHS = ("/oauth/token", "/auth/sign_in")
SIGN_IN_FIELDS = ("username", "email", "user[email]")


def mastodon_policies(
    *, api_paths: tuple[str, ...] = ("/api/*",), scale: float = 1.0
) -> list[Policy]:
    """API 300/5 min per account, and per IP for requests without one (as Mastodon); sign-in
    25/5 min per IP and 25/hour per username or email; sign-up 5/30 min per IP; per account,
    30 status deletions per 30 min, 300 posts per 3 hours and 30 media uploads per 30 min.
    `scale` multiplies every amount
    (at least 1).

    Sign-in and sign-up use the exact log and fall back in process when Redis is down;
    the rest use the sliding-window counter and fail open. Change one with
    `dataclasses.replace(policy, limits=[...])`.
    """

    def n(amount: int) -> int:
        return max(1, round(amount * scale))

    post = {"POST"}
    return [
        Policy("api-account", [Limit(n(300), 300)], by_account, paths=api_paths),
        Policy("api-ip", [Limit(n(300), 300)], by_ip_unauthenticated, paths=api_paths),
        Policy(
            "sign-in-ip",
            [Limit(n(25), 300)],
            by_ip,
            paths=SIGN_IN_PATHS,
            methods=post,
            strategy="sliding-log",
            on_store_error="fallback",
        ),
        Policy(
            "sign-in-account",
            [Limit(n(25), 3600)],
            by_body_field(*SIGN_IN_FIELDS),
            paths=SIGN_IN_PATHS,
            methods=post,
            strategy="sliding-log",
            on_store_error="fallback",
        ),
        Policy(
            "sign-up-ip",
            [Limit(n(5), 1800)],
            by_ip,
            paths=["/api/v1/accounts"],
            methods=post,
            strategy="sliding-log",
            on_store_error="fallback",
        ),
        Policy(
            "statuses-delete",
            [Limit(n(30), 1800)],
            by_account,
            paths=["/api/v1/statuses/{id}"],
            methods={"DELETE"},
        ),
        Policy(
            "statuses-post",
            [Limit(n(300), 3 * 3600)],
            by_account,
            paths=["/api/v1/statuses"],
            methods=post,
        ),
        Policy(
            "media-upload",
            [Limit(n(30), 1800)],
            by_account,
            paths=["/api/v1/media", "/api/v2/media"],
            methods=post,
        ),
    ]
