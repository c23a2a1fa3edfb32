"""Who may see a status (the rule every read path applies), without a server."""

from __future__ import annotations

import pytest

from social.statuses.audience import may_see
from social.statuses.render import CachedStatus

AUTHOR, MENTIONED, FOLLOWER, STRANGER = 1, 2, 3, 4


def status(visibility: str) -> CachedStatus:
    return CachedStatus(AUTHOR, (MENTIONED,), visibility, b"{}")


@pytest.mark.parametrize(
    ("visibility", "who_sees"),
    [
        ("public", {None, AUTHOR, MENTIONED, FOLLOWER, STRANGER}),
        ("unlisted", {None, AUTHOR, MENTIONED, FOLLOWER, STRANGER}),
        ("private", {AUTHOR, MENTIONED, FOLLOWER}),
        ("direct", {AUTHOR, MENTIONED}),
    ],
)
def test_who_may_see_a_status(visibility: str, who_sees: set[int | None]) -> None:
    following = {AUTHOR}  # what each viewer follows, for the test: the follower follows her
    for viewer in (None, AUTHOR, MENTIONED, FOLLOWER, STRANGER):
        follows = following if viewer == FOLLOWER else set()
        assert may_see(status(visibility), viewer, follows) is (viewer in who_sees), viewer
