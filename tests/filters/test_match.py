"""Matching as Mastodon's: case-insensitive, whole words bounded only where a word character is."""

from __future__ import annotations

from typing import Any

from social.filters.match import Screen, judge, plain_text


def screen(
    *keywords: tuple[str, bool], action: str = "warn", until_s: float | None = None
) -> Screen:
    return Screen.compile(
        [
            {
                "id": "1",
                "title": "t",
                "context": ["home"],
                "expires_at": None,
                "until_s": until_s,
                "filter_action": action,
                "keywords": [list(k) for k in keywords],
                "status_ids": [7],
            }
        ]
    )


def status(content: str, spoiler: str = "", id_: str = "1") -> dict[str, Any]:
    return {"id": id_, "content": content, "spoiler_text": spoiler, "media_attachments": []}


def matches(s: Screen, st: dict[str, Any]) -> list[Any]:
    return judge(s.active("home"), st).results


def test_whole_word_needs_word_boundaries_substring_does_not() -> None:
    whole, part = screen(("cat", True)), screen(("cat", False))
    assert matches(whole, status("<p>A Cat sat</p>"))[0]["keyword_matches"] == ["Cat"]
    assert not matches(whole, status("<p>concatenate</p>"))
    assert matches(part, status("<p>concatenate</p>"))[0]["keyword_matches"] == ["cat"]


def test_a_keyword_ending_in_punctuation_is_bounded_only_at_its_word_side() -> None:
    s = screen(("#tag!", True))
    assert matches(s, status("so #tag!!"))
    assert matches(screen(("c++", True)), status("I write c++code"))


def test_html_is_stripped_and_the_spoiler_searched() -> None:
    s = screen(("bold move", True))
    assert matches(s, status("<p><b>bold</b> move</p>"))
    assert matches(screen(("spoiler", True)), status("x", spoiler="Spoiler inside"))
    assert not matches(screen(("span", True)), status('<p><span class="h">x</span></p>'))
    assert plain_text("<p>a</p><p>b &amp; c<br>d</p>") == "a\n\nb & c\nd"


def test_status_matches_and_hide_and_other_contexts_and_expiry() -> None:
    s = screen(action="hide")
    verdict = judge(s.active("home"), status("anything", id_="7"))
    assert verdict.hidden
    assert verdict.results[0]["status_matches"] == ["7"]
    assert s.active("public") == ()
    assert screen(("x", False), until_s=1.0).active("home") == ()
