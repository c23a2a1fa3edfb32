"""Id cursors, as Mastodon pages: the page's bounds, order and size."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import Integer, column, select, table

from social.platform.paging import MAX_ID, PageQuery, paged

things = table("things", column("id", Integer))


def sql(page: PageQuery) -> str:
    query = paged(select(things.c.id), things.c.id, page)  # type: ignore[arg-type]
    text = str(query.compile(compile_kwargs={"literal_binds": True}))
    return " ".join(text.split())


def test_newest_first_below_max_id_above_since_id() -> None:
    text = sql(PageQuery(max_id=50, since_id=10, limit=5))
    assert "things.id < 50" in text
    assert "things.id > 10" in text
    assert text.endswith("ORDER BY things.id DESC LIMIT 5")


def test_min_id_pages_oldest_first() -> None:
    text = sql(PageQuery(min_id=10))
    assert text.endswith("WHERE things.id > 10 ORDER BY things.id ASC LIMIT 20")


def test_limit_is_clamped_and_blank_cursors_are_none() -> None:
    page = PageQuery.model_validate({"limit": "100", "max_id": "", "min_id": ""})
    assert (page.limit, page.max_id, page.min_id) == (40, None, None)


@pytest.mark.parametrize("bad", [{"limit": "0"}, {"max_id": "-1"}, {"since_id": str(MAX_ID + 1)}])
def test_out_of_range_is_refused(bad: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        PageQuery.model_validate(bad)
