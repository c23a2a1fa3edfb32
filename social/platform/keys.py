"""Every Redis key the app uses (outside the libraries), built in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str = "social:"

    @property
    def account_prefix(self) -> str:
        return f"{self.prefix}account:"

    @property
    def status_prefix(self) -> str:
        return f"{self.prefix}status:"

    @property
    def favourites_prefix(self) -> str:
        return f"{self.prefix}favs:"

    @property
    def bookmarks_prefix(self) -> str:
        return f"{self.prefix}bookmarks:"

    @property
    def pins_prefix(self) -> str:
        return f"{self.prefix}pins:"

    @property
    def reblogs_prefix(self) -> str:
        return f"{self.prefix}boosted:"

    def account(self, account_id: int) -> str:
        return f"{self.prefix}account:{account_id}"

    def status(self, status_id: int) -> str:
        return f"{self.prefix}status:{status_id}"

    def home_feed(self, account_id: int) -> str:
        return f"{self.prefix}feed:home:{{{account_id}}}"

    def home_feed_rebuild_lock(self, account_id: int) -> str:
        """Shares the feed's hash tag."""
        return f"{self.prefix}feed:home:{{{account_id}}}:rebuild"

    def home_reblogs(self, account_id: int) -> str:
        """Hash: per status boosted into the home, the feed member of the boost that brought it
        (a later boost of it is left out while either is among the newest entries). Shares
        the feed's hash tag."""
        return f"{self.prefix}feed:home:{{{account_id}}}:reblogs"

    def home_hidden(self, account_id: int) -> str:
        """Sorted set: the authors whose statuses may not enter the home (blocks, mutes),
        scored by when that ends (`inf`: until undone). Shares the feed's hash tag, so the
        feed's script checks it as it adds."""
        return f"{self.prefix}feed:home:{{{account_id}}}:hidden"

    def home_large(self, account_id: int) -> str:
        """Hash: the large authors the home merges as it is read (their statuses are not pushed
        into it), each with the follow's options (`<reblogs 1|0>|<languages,...>`). Shares the
        feed's hash tag, so the feed's script reads it."""
        return f"{self.prefix}feed:home:{{{account_id}}}:large"

    def author_recent(self, author_id: int) -> str:
        """Sorted set: a large author's recent statuses and boosts, by id, capped as a feed,
        sentinel `0` once filled; members `<status>:<author>:<original's author|0>:<replied-to
        account|0>:<language>:<accounts hiding it, comma-separated>`."""
        return f"{self.prefix}feed:author:{{{author_id}}}"

    def list_feed(self, owner_id: int, list_id: int) -> str:
        """Sorted set: a list's timeline, as a home feed is. Hashed by the list's owner, so
        the feed's script checks the owner's `home_hidden` as it adds."""
        return f"{self.prefix}feed:list:{{{owner_id}}}:{list_id}"

    def list_feed_rebuild_lock(self, owner_id: int, list_id: int) -> str:
        """Shares the list feed's hash tag."""
        return f"{self.prefix}feed:list:{{{owner_id}}}:{list_id}:rebuild"

    def lists_muted(self, owner_id: int) -> str:
        """Sorted set: the authors a timed mute keeps out of the owner's lists, by when it
        ends: a list read that finds one ended merges them back (same hash tag as the lists'
        feeds, which the read script takes it with)."""
        return f"{self.prefix}feed:list:{{{owner_id}}}:muted"

    def list_reblogs(self, owner_id: int, list_id: int) -> str:
        """Hash: as `home_reblogs`, for a list's feed (same hash tag)."""
        return f"{self.prefix}feed:list:{{{owner_id}}}:{list_id}:reblogs"

    @property
    def filters_prefix(self) -> str:
        return f"{self.prefix}filters:"

    def filters(self, account_id: int) -> str:
        """String: the account's active filters, compiled for matching (JSON); `[]` for none."""
        return f"{self.filters_prefix}{{{account_id}}}"

    def filters_version(self, account_id: int) -> str:
        """Counter raised by every write to the account's filters (same hash tag): a fill read
        before a write never stores what the write replaced."""
        return f"{self.filters_prefix}{{{account_id}}}:v"

    def favourites(self, account_id: int) -> str:
        """Set: the ids of the statuses the account favourited, and `0` once complete."""
        return f"{self.favourites_prefix}{{{account_id}}}"

    def reblogs(self, account_id: int) -> str:
        """Set: the ids of the statuses the account boosted, and `0` once complete."""
        return f"{self.reblogs_prefix}{{{account_id}}}"

    def bookmarks(self, account_id: int) -> str:
        """Set: the ids of the statuses the account bookmarked, and `0` once complete."""
        return f"{self.bookmarks_prefix}{{{account_id}}}"

    def pins(self, account_id: int) -> str:
        """Set: the ids of the account's statuses it pinned, and `0` once complete."""
        return f"{self.pins_prefix}{{{account_id}}}"

    @property
    def muted_threads_prefix(self) -> str:
        return f"{self.prefix}muted-threads:"

    def muted_threads(self, account_id: int) -> str:
        """Set: the ids of the threads (conversations) the account muted, `0` once complete,
        and `any` when it holds at least one."""
        return f"{self.muted_threads_prefix}{{{account_id}}}"

    def marks_fill(self, kind: str, account_id: int) -> str:
        """String: the token of a fill of the account's `kind` set (`favs`, `bookmarks`,
        `pins`) under way; a write to the set deletes it, and the fill then gives up. Shares
        the set's hash tag."""
        return f"{self.prefix}fill:{kind}:{{{account_id}}}"

    def followed_tags(self, account_id: int) -> str:
        """Set: the ids of the tags the account follows, and `0` once complete."""
        return f"{self.prefix}tagfollows:{{{account_id}}}"

    def trend_pages(self) -> str:
        """Hash: the public trending-tags pages as rendered, by `<offset>:<limit>`; expires
        shortly after its first page is written, deleted by a review."""
        return f"{self.prefix}trends:pages"

    def markers(self, account_id: int) -> str:
        """Hash: the account's read markers, per timeline its Marker JSON (`<timeline>`) and
        version (`<timeline>:v`), and `complete` once it holds every marker the account has."""
        return f"{self.prefix}markers:{{{account_id}}}"

    def idempotency(self, account_id: int, key_digest: str) -> str:
        return f"{self.prefix}idem:status:{account_id}:{key_digest}"

    def scheduled_idempotency(self, account_id: int, key_digest: str) -> str:
        """String: `Idempotency-Key` -> the scheduled status it made (`pending` meanwhile)."""
        return f"{self.prefix}idem:scheduled:{account_id}:{key_digest}"

    def stream_channel(self, channel: str) -> str:
        """A streaming channel's history (a stream) and, by the same name, its pub/sub channel."""
        return f"{self.prefix}stream:{{{channel}}}"

    def authorization_code(self, code_digest: str) -> str:
        """Hash: an OAuth authorization code's grant (client, redirect URI, scopes, person,
        PKCE challenge), whether it was redeemed, and the access token issued from it."""
        return f"{self.prefix}oauth:code:{code_digest}"

    def refresh_used(self, token_digest: str) -> str:
        """String: `<user>:<app>` of a refresh token already exchanged (reuse detection)."""
        return f"{self.prefix}oauth:used:{token_digest}"

    def id_nodes(self) -> str:
        """Counter: the next id node a starting process takes (social/ids.py)."""
        return f"{self.prefix}ids:nodes"

    def stream_watched(self, stream: str) -> str:
        """Present while someone listens to the channel of history `stream` (a
        `stream_channel`), and for a history TTL after the last one left: only then is the
        history written (a resume needs it; a follower who is not watching does not)."""
        return f"{stream}:watched"

    def stream_watchers(self) -> str:
        """Sorted set: the accounts whose `user` channel is watched (`stream_watched`), each
        scored with when its mark ends (epoch seconds): a large account's status goes to the
        channels of its followers among them, not of every follower."""
        return f"{self.prefix}stream:{{watchers}}"

    def stream_relations(self) -> str:
        """Pub/sub channel announcing accounts whose blocks or mutes changed (their open
        streams reload what they hide)."""
        return f"{self.prefix}stream:relations"

    def search_index(self, kind: str) -> str:
        """Sorted set, every score 0: the prefix index of `accounts` or `tags`, members
        `<normalised term>\\x00<id>`, read with ZRANGEBYLEX (social/search/index.py). One
        hash tag for the index, its marker and its lock."""
        return f"{self.prefix}search:{{index}}:{kind}"

    def search_index_ready(self) -> str:
        """String: set once a rebuild filled both indexes from the database (until then, and
        after a loss, searches ask the database)."""
        return f"{self.prefix}search:{{index}}:ready"

    def search_index_rebuild_lock(self) -> str:
        return f"{self.prefix}search:{{index}}:rebuild"

    def stream_revoked(self) -> str:
        """Pub/sub channel announcing revoked access-token session ids."""
        return f"{self.prefix}stream:revoked"
