"""Status text, as Mastodon reads it: hashtags and mentions found, links counted as 23
characters, content rendered as escaped HTML with links."""

from __future__ import annotations

from social.statuses.text import Links, counted_length, parse, render, tag_in_path, tag_name

LINKS = Links("https://social.example", lambda name: f"https://social.example/@{name}")


def test_tags_are_found_once_each_in_one_spelling() -> None:
    parsed = parse("#Café and #CAFÉ, #\uff43\uff41\uff46é again; #2024 is no tag but #2024s is")
    assert parsed.tags == {"café": "Café", "2024s": "2024s"}


def test_tags_inside_words_urls_and_anchors_are_not_tags() -> None:
    parsed = parse("a#b https://x.example/#frag (#ok) &#39; #fine")
    assert set(parsed.tags) == {"ok", "fine"}


def test_a_character_that_decomposes_into_words_is_no_tag() -> None:
    # U+FDFA is one letter that NFKC spells as four words: no tag can hold the spaces
    assert parse("#\ufdfa #kept").tags == {"kept": "kept"}


def test_long_tags_are_cut_at_one_hundred_characters() -> None:
    (name,) = parse("#" + "a" * 150).tags
    assert name == "a" * 100


def test_mentions_local_and_remote_once_each() -> None:
    parsed = parse("@alice hi @Alice and @bob@remote.example, mail a@b.example")
    assert parsed.mentions == [("alice", None), ("bob", "remote.example")]


def test_links_count_as_twenty_three_characters() -> None:
    assert counted_length("see https://example.com/" + "x" * 200) == len("see ") + 23


def test_content_is_escaped_and_linked() -> None:
    html = render("<b>hi</b> @alice #Tag\n\nhttps://example.com/a?b=1", LINKS)
    assert html.startswith("<p>&lt;b&gt;hi&lt;/b&gt; ")
    assert 'href="https://social.example/@alice" class="u-url mention"' in html
    assert 'href="https://social.example/tags/tag" class="mention hashtag"' in html
    assert html.endswith(
        '<p><a href="https://example.com/a?b=1" target="_blank" '
        'rel="nofollow noopener noreferrer">example.com/a?b=1</a></p>'
    )


def test_unknown_mentions_stay_text() -> None:
    nobody = Links("https://social.example", lambda _name: None)
    assert render("@ghost", nobody) == "<p>@ghost</p>"


def test_a_tag_named_in_a_path() -> None:
    assert tag_in_path("Straße") == "strasse"
    assert tag_in_path("#Café") == "café"
    assert tag_in_path("123") is None
    assert tag_in_path("a b") is None
    assert tag_in_path("x" * 101) is None
    assert tag_name("\uff21\uff22\uff23") == "abc"  # full-width letters
