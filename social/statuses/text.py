"""Status text: hashtags, mentions and links found; content rendered as safe HTML, as Mastodon.
Tags are normalised by the `trending` library's one rule, wherever the app meets one."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from trending import InvalidTag, normalize_tag

TAG_MAX = 100
# A tag: word characters, at least one of them not a digit; not inside a word, URL or anchor.
TAG_RE = re.compile(r"(?<![\w/)#&])#(\w*[^\W\d]\w*)")
MENTION_RE = re.compile(r"(?<![\w/@])@([A-Za-z0-9_]{1,30})(?:@([A-Za-z0-9.-]+\.[A-Za-z]{2,}))?")
URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")
URL_LENGTH = 23  # a link counts as this many characters, whatever its length (as Mastodon)


PATH_TAG_RE = re.compile(r"#?(\w*[^\W\d]\w*)\Z")


def tag_in_path(raw: str) -> str | None:
    """The tag a path names (`/tags/Café`, `/timelines/tag/%23cafe`), normalised as tags are
    stored; None when no tag could be spelled so."""
    match = PATH_TAG_RE.match(raw)
    if match is None or len(match.group(1)) > TAG_MAX:
        return None
    return tag_name(match.group(1))


def tag_name(written: str) -> str | None:
    """A tag's one spelling; None for what no tag can be (a compatibility character that
    decomposes into words with spaces between, say)."""
    try:
        return normalize_tag(written[:TAG_MAX])
    except InvalidTag:
        return None


@dataclass
class Parsed:
    tags: dict[str, str] = field(default_factory=dict)  # normalized -> as first written
    mentions: list[tuple[str, str | None]] = field(default_factory=list)  # (username, domain)


def parse(text: str) -> Parsed:
    parsed = Parsed()
    for match in TAG_RE.finditer(_without_urls(text)):
        name = match.group(1)[:TAG_MAX]
        normal = tag_name(name)
        if normal is not None:
            parsed.tags.setdefault(normal, name)
    seen: set[str] = set()
    for match in MENTION_RE.finditer(_without_urls(text)):
        username, domain = match.group(1), match.group(2)
        if username.lower() not in seen:
            seen.add(username.lower())
            parsed.mentions.append((username, domain))
    return parsed


def _without_urls(text: str) -> str:
    return URL_RE.sub(lambda m: " " * len(m.group(0)), text)


def counted_length(text: str) -> int:
    return len(URL_RE.sub("x" * URL_LENGTH, text))


@dataclass(frozen=True)
class Links:
    base_url: str
    mention_url: Callable[[str], str | None]  # username -> profile URL if the account exists


def render(text: str, links: Links) -> str:
    """Paragraphs of escaped text with links for URLs, hashtags and known local mentions."""
    paragraphs = [p for p in re.split(r"\n{2,}", text.strip()) if p.strip()]
    return "".join(
        "<p>" + "<br />".join(_render_line(line, links) for line in p.split("\n")) + "</p>"
        for p in paragraphs
    )


_TOKEN_RE = re.compile(f"({URL_RE.pattern})|{TAG_RE.pattern}|{MENTION_RE.pattern}")


def _render_line(line: str, links: Links) -> str:
    out: list[str] = []
    last = 0
    for match in _TOKEN_RE.finditer(line):
        url, tag, username, domain = match.group(1), match.group(2), match.group(3), match.group(4)
        replacement = None
        if url:
            replacement = _link(url)
        elif tag:
            normal = tag_name(tag)
            href = f"{links.base_url}/tags/{quote(normal or tag[:TAG_MAX])}"
            replacement = (
                f'<a href="{href}" class="mention hashtag" rel="tag">'
                f"#<span>{html.escape(tag)}</span></a>"
            )
        elif username and not domain:
            profile = links.mention_url(username)
            if profile:
                replacement = (
                    f'<span class="h-card" translate="no"><a href="{html.escape(profile)}" '
                    f'class="u-url mention">@<span>{html.escape(username)}</span></a></span>'
                )
        if replacement is None:
            continue
        out.append(html.escape(line[last : match.start()]))
        out.append(replacement)
        last = match.end()
    out.append(html.escape(line[last:]))
    return "".join(out)


def _link(url: str) -> str:
    escaped = html.escape(url)
    shown = url.split("://", 1)[1]
    return (
        f'<a href="{escaped}" target="_blank" rel="nofollow noopener noreferrer">'
        f"{html.escape(shown)}</a>"
    )
