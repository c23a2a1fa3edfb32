"""NodeInfo (`/.well-known/nodeinfo`, `/nodeinfo/2.0`, `/nodeinfo/2.1`): what software this is,
for clients deciding which API they talk to.

The software is named for what it is, `social`. Clients that know Mastodon-compatible servers
by name still take it for one: megalodon's `detector` (Whalebird) reads `metadata.upstream.name`
when it does not know `software.name`, as it does for Fedibird, and `mastodon` there makes it
speak Mastodon's API. Phanpy enables Mastodon's version-gated extras (exclusive lists, filtered
notifications, ...) only for `software.name` "mastodon": those stay off here, rightly, while
everything it decides by the instance's version string stays on.

There is no federation, which NodeInfo's schema cannot say (`protocols` needs one at least):
`activitypub` names the family of the API, and `metadata.federation.enabled` says false, where
Pleroma and Akkoma say whether they federate.
"""

from __future__ import annotations

from typing import Literal

from social import __version__
from social.instance.entities import (
    NodeInfo,
    NodeInfoLink,
    NodeInfoLinks,
    NodeInfoServices,
    NodeInfoSoftware,
    NodeInfoUsage,
    NodeInfoUsers,
)
from social.instance.render import MASTODON_VERSION, SOURCE_URL
from social.instance.stats import Stats
from social.platform.context import AppContext

SOFTWARE = "social"
SCHEMA = "http://nodeinfo.diaspora.software/ns/schema/{version}"
VERSIONS: tuple[Literal["2.0", "2.1"], ...] = ("2.0", "2.1")


def links(ctx: AppContext) -> NodeInfoLinks:
    base = ctx.settings.base_url
    return NodeInfoLinks(
        links=[
            NodeInfoLink(rel=SCHEMA.format(version=v), href=f"{base}/nodeinfo/{v}")
            for v in VERSIONS
        ]
    )


def nodeinfo(ctx: AppContext, version: Literal["2.0", "2.1"], stats: Stats) -> NodeInfo:
    s = ctx.settings
    software = NodeInfoSoftware(name=SOFTWARE, version=__version__)
    if version == "2.1":
        software.repository = SOURCE_URL
    return NodeInfo(
        version=version,
        software=software,
        protocols=["activitypub"],
        services=NodeInfoServices(inbound=[], outbound=[]),
        openRegistrations=s.registrations_open,
        usage=NodeInfoUsage(
            users=NodeInfoUsers(
                total=stats.users,
                activeMonth=stats.active_month,
                activeHalfyear=stats.active_halfyear,
            ),
            localPosts=stats.statuses,
        ),
        metadata={
            "nodeName": s.title,
            "nodeDescription": s.description,
            "upstream": {"name": "mastodon", "version": MASTODON_VERSION},
            "federation": {"enabled": False},
        },
    )
