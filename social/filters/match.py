"""Which of a viewer's filters a status matches, as Mastodon's `CustomFilter.apply_cached_filters`:
each filter's keywords as one case-insensitive alternation (a whole-word keyword bounded by `\\b`
only on a side where it starts or ends with a word character), searched in the status's text
(spoiler, content without its HTML, poll options, media descriptions); and its statuses by id.
No I/O: `Screen` is built from the cached blob (`screen.py`) and asked per status."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CONTEXTS = ("home", "notifications", "public", "thread", "account")
HIDE = "hide"

_WORD = re.compile(r"\w")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_PARAGRAPH = re.compile(r"</p>\s*<p[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def keyword_pattern(keyword: str, whole_word: bool) -> str:
    escaped = re.escape(keyword)
    if not whole_word or not keyword:
        return escaped
    start = r"\b" if _WORD.match(keyword[0]) else ""
    end = r"\b" if _WORD.match(keyword[-1]) else ""
    return f"{start}{escaped}{end}"


def plain_text(content: str) -> str:
    """Status HTML as text: line breaks and paragraphs kept as newlines, tags dropped."""
    text = _PARAGRAPH.sub("\n\n", _BREAK.sub("\n", content))
    return html.unescape(_TAG.sub("", text))


def searchable_text(status: dict[str, Any]) -> str:
    parts = [status.get("spoiler_text") or "", plain_text(status.get("content") or "")]
    poll = status.get("poll")
    if isinstance(poll, dict):
        parts += [str(o.get("title", "")) for o in poll.get("options", [])]
    parts += [str(m.get("description") or "") for m in status.get("media_attachments") or []]
    return "\n\n".join(parts)


@dataclass(frozen=True)
class CompiledFilter:
    entity: dict[str, Any]
    """The Filter entity without its rules (as a FilterResult names it)."""
    contexts: frozenset[str]
    action: str
    until_s: float | None
    """Expiry as a Unix time; None: never."""
    pattern: re.Pattern[str] | None
    status_ids: frozenset[int]

    def active(self, context: str, now_s: float) -> bool:
        return context in self.contexts and (self.until_s is None or self.until_s > now_s)


class Verdict:
    """What a viewer's filters say of one status: hidden, or the FilterResults (maybe none)."""

    __slots__ = ("hidden", "results")

    def __init__(self, hidden: bool, results: list[dict[str, Any]]) -> None:
        self.hidden = hidden
        self.results = results


class Screen:
    """One viewer's filters, compiled once per cached blob."""

    __slots__ = ("filters",)

    def __init__(self, filters: Sequence[CompiledFilter]) -> None:
        self.filters = tuple(filters)

    @classmethod
    def compile(cls, blob: list[dict[str, Any]]) -> Screen:
        compiled = []
        for f in blob:
            keywords = [keyword_pattern(k, bool(w)) for k, w in f["keywords"]]
            pattern = re.compile("|".join(keywords), re.IGNORECASE) if keywords else None
            entity = {k: f[k] for k in ("id", "title", "context", "expires_at", "filter_action")}
            compiled.append(
                CompiledFilter(
                    entity=entity,
                    contexts=frozenset(f["context"]),
                    action=f["filter_action"],
                    until_s=f["until_s"],
                    pattern=pattern,
                    status_ids=frozenset(f["status_ids"]),
                )
            )
        return cls(compiled)

    def active(self, context: str, now_s: float | None = None) -> tuple[CompiledFilter, ...]:
        """The filters that apply in `context` now (unexpired)."""
        if not self.filters:
            return ()
        now = time.time() if now_s is None else now_s
        return tuple(f for f in self.filters if f.active(context, now))


def judge(active: Sequence[CompiledFilter], status: dict[str, Any]) -> Verdict:
    """`status` (a Status entity) against the filters that apply (`Screen.active`)."""
    text: str | None = None
    results = []
    hidden = False
    status_id = int(status["id"])
    for f in active:
        keyword_matches = None
        if f.pattern is not None:
            if text is None:
                text = searchable_text(status)
            found = f.pattern.search(text)
            if found is not None:
                keyword_matches = [found.group(0)]
        status_matches = [str(status_id)] if status_id in f.status_ids else None
        if keyword_matches is None and status_matches is None:
            continue
        hidden = hidden or f.action == HIDE
        results.append(
            {
                "filter": f.entity,
                "keyword_matches": keyword_matches,
                "status_matches": status_matches,
            }
        )
    return Verdict(hidden, results)
