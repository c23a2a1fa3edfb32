"""The trend engine: record and remove hashtag uses, rank tags, review them."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Sequence

from typing_extensions import Unpack

from . import store
from .keys import TrendKeys
from .models import History, Point, Review, Trend, Use
from .scoring import lowest_rank, score_of
from .settings import DAY_S, SettingsOptions, TrendSettings
from .store import RECORD, REMOVE, REVIEW, SETTLE, TOP, Arg, Call, Script
from .tags import normalize_tag
from .types import AnyRedis, Clock, Id

_USES_PER_CALL = 100
"""Uses a script call counts: long enough to amortise the call, short enough (about 2 ms) not
to hold up the other clients of the Redis."""
_CALLS_PER_ROUND_TRIP = 10
_TAGS_PER_SETTLE = 50
"""Tags a settle call scores. A tag scored first in its bucket reads its baseline (288 fields
by default), about 100 µs: 50 hold Redis for about 5 ms at worst (measured), a record call
1-3 ms."""


class TrendEngine:
    """Hashtag trends in Redis, scored by velocity among distinct authors.

    `TrendEngine(redis)` with the defaults of `TrendSettings`; override any of them by keyword
    (`TrendEngine(redis, bucket_s=60, min_accounts=3)`) or pass `settings=`. `clock` gives
    the current time in seconds (default `time.time`).
    """

    def __init__(
        self,
        redis: AnyRedis,
        settings: TrendSettings | None = None,
        *,
        clock: Clock | None = None,
        **options: Unpack[SettingsOptions],
    ) -> None:
        base = settings or TrendSettings()
        self.settings = dataclasses.replace(base, **options) if options else base
        self.keys = TrendKeys(self.settings.prefix)
        self._redis = redis
        self._clock = clock or time.time
        s = self.settings
        # rank sets outlive any rank: 32 half-lives take a score of 4e7 below 0.01
        rank_ttl_s = (s.recent_buckets + s.baseline_buckets + 1) * s.bucket_s + 32 * s.half_life_s
        self._script_keys = [*self.keys.ranks(), self.keys.review, self.keys.dirty]
        self._config = " ".join(
            str(value)
            for value in (
                s.recent_buckets, s.baseline_buckets, s.bucket_s, s.min_accounts,
                s.half_life_s, repr(s.min_expected), repr(s.forget_below), rank_ttl_s,
                s.history_days,
            )
        )  # fmt: skip

    async def load_scripts(self) -> None:
        """Register the scripts now rather than on first use."""
        await store.load(self._redis)

    async def record(self, tag: str, author_id: Id, status_id: Id, at: float | None = None) -> bool:
        """Count a use of `tag` in a status posted at `at` (default: now). One round trip.

        False when the status was already counted for this tag, or is older than the windows.
        """
        return bool(await self._many(RECORD, [Use(tag, author_id, status_id, self._at(at))]))

    async def settle(self) -> int:
        """Score the tags that gained recent authors since they were last scored, and rank
        them; how many. `record` and `record_many` only count: call this after them, at most
        every second or so under load (scoring once a tag, however many uses it got in
        between, is most of what keeps recording fast). A round trip per 50 tags; bounded by
        what was marked when it began, so recording faster than it scores cannot keep it going."""
        done, budget = 0, None
        while True:
            args: list[Arg] = [repr(self._clock()), self._config, self.keys.base, _TAGS_PER_SETTLE]
            reply = await store.call(self._redis, SETTLE, self._script_keys, args)
            scored, left = int(reply[0]), int(reply[1])
            done += scored
            budget = scored + left if budget is None else budget
            if not left or done >= budget:
                return done

    async def remove(self, tag: str, author_id: Id, status_id: Id, at: float) -> bool:
        """Take back a use (the status was deleted); `at` as recorded. One round trip."""
        return bool(await self._many(REMOVE, [Use(tag, author_id, status_id, at)]))

    async def record_many(self, uses: Iterable[Use]) -> int:
        """Record many uses, 100 a script call, one round trip per 1,000; how many were new."""
        return await self._many(RECORD, uses)

    async def remove_many(self, uses: Iterable[Use]) -> int:
        """Remove many uses, 100 a script call, one round trip per 1,000; how many were
        counted."""
        return await self._many(REMOVE, uses)

    async def top(self, n: int = 10, *, public: bool = True, offset: int = 0) -> list[Trend]:
        """The `n` highest scores from `offset`. One round trip.

        Public: approved tags (or, with `trendable_by_default`, all but rejected ones).
        Admin (`public=False`): every tag, whatever its review state.
        """
        if n <= 0:
            return []
        keys = self.keys
        if not public:
            return await self._read(keys.ranks_all, [0, max(offset, 0), n])
        if self.settings.trendable_by_default:  # all but the rejected
            return await self._read(keys.ranks_all, [1, max(offset, 0), n])
        return await self._read(keys.ranks_approved, [0, max(offset, 0), n])

    async def trend(self, tag: str) -> Trend:
        """One tag's score, counts and review state. One round trip."""
        (found,) = await self._read(self.keys.ranks_all, [0, 0, 0, normalize_tag(tag)])
        return found

    async def history(self, tag: str, *, days: int = 7, buckets: int | None = None) -> History:
        """Uses and accounts for the newest `buckets` buckets (default: the recent window)
        and the newest `days` days, newest first. One round trip."""
        s, keys, name = self.settings, self.keys, normalize_tag(tag)
        now = self._clock()
        bucket_starts = [
            (int(now // s.bucket_s) - i) * s.bucket_s for i in range(buckets or s.recent_buckets)
        ]
        day_starts = [(int(now // DAY_S) - i) * DAY_S for i in range(days)]
        bucket_fields: list[str] = []
        for start in bucket_starts:
            bucket_fields += keys.counts_fields(start // s.bucket_s)
        commands: list[tuple[Arg, ...]] = [("HMGET", keys.counts(name), *bucket_fields)]
        for start in day_starts:
            day = keys.day(name, start // DAY_S)
            commands += [("HGET", day, "uses"), ("HLEN", day)]
        counted, *per_day = await store.pipelined(self._redis, commands)
        values = [int(value or 0) for value in counted]
        points = [
            Point(start, values[2 * i], values[2 * i + 1]) for i, start in enumerate(bucket_starts)
        ]
        points += [
            Point(start, int(per_day[2 * i] or 0), max(int(per_day[2 * i + 1]) - 1, 0))
            for i, start in enumerate(day_starts)
        ]
        return History(name, points[: len(bucket_starts)], points[len(bucket_starts) :])

    async def set_review(self, tag: str, state: Review | str) -> None:
        """Approve, reject, or return a tag to pending. One round trip."""
        k = self.keys
        keys = [k.review, *k.ranks()]
        await store.call(self._redis, REVIEW, keys, [normalize_tag(tag), Review(state).value])

    async def review_state(self, tag: str) -> Review:
        return (await self.review_states([tag]))[normalize_tag(tag)]

    async def review_states(self, tags: Sequence[str]) -> dict[str, Review]:
        """Review states by normalised tag, in one round trip."""
        names = [normalize_tag(tag) for tag in tags]
        if not names:
            return {}
        with store.store_errors():
            states: list[bytes | str | None] = await self._redis.hmget(self.keys.review, names)
        return {name: _review(state) for name, state in zip(names, states, strict=True)}

    def _at(self, at: float | None) -> float:
        return self._clock() if at is None else at

    def _call(self, script: Script, uses: Sequence[Use], now: float) -> Call:
        """One script call over `uses`: five arguments a use, after the shared head."""
        args: list[Arg] = [repr(now), self._config, self.keys.base]
        bucket_s = self.settings.bucket_s
        for use in uses:
            at = use.at
            args += (
                normalize_tag(use.tag), use.author_id, use.status_id,
                int(at // bucket_s), int(at // DAY_S),
            )  # fmt: skip
        return script, self._script_keys, args

    async def _many(self, script: Script, uses: Iterable[Use]) -> int:
        now, done, batch = self._clock(), 0, list(uses)
        calls = [
            self._call(script, batch[i : i + _USES_PER_CALL], now)
            for i in range(0, len(batch), _USES_PER_CALL)
        ]
        for i in range(0, len(calls), _CALLS_PER_ROUND_TRIP):
            results = await store.batch(self._redis, calls[i : i + _CALLS_PER_ROUND_TRIP])
            done += sum(int(result) for result in results)
        return done

    async def _read(self, ranked: str, args: list[Arg]) -> list[Trend]:
        s, k = self.settings, self.keys
        now = self._clock()
        keys = [ranked, k.ranks_all, k.review]
        head: list[Arg] = [
            int(now // s.bucket_s), s.recent_buckets, k.counts_prefix, k.last_prefix,
            repr(lowest_rank(s.forget_below, now, s.half_life_s)),
        ]  # fmt: skip
        rows = await store.call(self._redis, TOP, keys, [*head, *args])
        return [self._trend(row, now) for row in rows]

    def _trend(self, row: list[bytes | int], now: float) -> Trend:
        tag, rank, uses, accounts, state = row
        assert isinstance(tag, bytes)
        assert isinstance(rank, bytes)
        assert isinstance(state, bytes)
        score = score_of(float(rank), now, self.settings.half_life_s) if rank else 0.0
        if score < self.settings.forget_below:
            score = 0.0
        return Trend(tag.decode(), score, int(uses), int(accounts), _review(state))


def _review(state: bytes | str | None) -> Review:
    if isinstance(state, bytes):
        state = state.decode()
    return Review(state) if state else Review.PENDING
