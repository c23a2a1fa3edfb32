"""The merge of a home page with large authors' recent sets, by the rules a push applies."""

from __future__ import annotations

from social.timelines.large import merge_page, options, recent


def member(status: int, author: int, **fields: object) -> bytes:
    defaults: dict[str, object] = {
        "original_author": None,
        "replied_to": None,
        "language": None,
        "hidden_with": (),
    }
    return recent(status, author, **{**defaults, **fields}).member().encode()  # type: ignore[arg-type]


def test_a_page_keeps_one_of_each_status_in_order_and_leaves_out_what_a_push_would() -> None:
    large = [b"10", options(False, "en").encode(), b"20", options(True, None).encode()]
    hidden = [b"30", b"inf", b"40", b"100.0"]  # 40's mute ended at 100
    found = [
        member(9, 10, language="en"),
        member(8, 20, original_author=30),  # a boost of a hidden author
        member(7, 10, original_author=5),  # a boost by a follow with reblogs off
        member(6, 10, language="de"),  # a follow taking English only
        member(5, 20, hidden_with=(40,)),  # mentions 40, whose mute ended
        member(4, 20, replied_to=99),  # a reply to whom the reader may not follow
        member(3, 20),
    ]
    entries, unsure = merge_page(
        1, [(9, 10), (2, 2)], large, hidden, found, limit=4, oldest=False, now_s=200.0
    )
    assert entries == [(9, 10), (5, 20), (4, 20), (3, 20), (2, 2)]
    assert unsure == {4: 99}  # settled by the database: the page keeps 4 of these
    oldest, _ = merge_page(
        1, [(2, 2)], large, hidden, list(reversed(found)), limit=2, oldest=True, now_s=200.0
    )
    assert oldest == [(2, 2), (3, 20)]
