"""One spelling per hashtag."""

from __future__ import annotations

import pytest

from trending import InvalidTag, TrendEngine, normalize_tag

from .conftest import T0

FULL_WIDTH_CAFE = "\uff23\uff21\uff26\uff25\u0301"


@pytest.mark.parametrize("spelling", ["#Café", "#CAFÉ", "café", "##cafe\u0301", FULL_WIDTH_CAFE])
def test_case_and_unicode_forms_are_one_tag(spelling: str) -> None:
    assert normalize_tag(spelling) == "café"


@pytest.mark.parametrize("bad", ["", "#", "two words", "tab\tbed", "nul\x00", "x" * 201])
def test_what_cannot_be_a_hashtag_is_refused(bad: str) -> None:
    with pytest.raises(InvalidTag):
        normalize_tag(bad)
    with pytest.raises(ValueError, match="tag"):
        normalize_tag(bad)


async def test_the_engine_counts_spellings_as_one_tag(engine: TrendEngine) -> None:
    await engine.record("#Café", 1, 1, at=T0)
    await engine.record("#CAFÉ", 2, 2, at=T0)

    cafe = await engine.trend("CAFÉ")
    assert (cafe.tag, cafe.uses, cafe.accounts) == ("café", 2, 2)
    assert (await engine.history("#café", days=1)).days[0].uses == 2
