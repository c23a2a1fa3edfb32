"""Mastodon's Tag entity (with its history of uses), and the admin's view of a trend."""

from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel, Field

from social.platform.context import AppContext
from social.platform.db.models import Tag
from trending import History, Review, Trend


class TagHistory(BaseModel):
    day: str = Field(description="Start of the day, seconds since the epoch (UTC)")
    uses: str
    accounts: str


class TagEntity(BaseModel):
    id: str
    name: str
    url: str
    history: list[TagHistory]
    following: bool = False


class AdminTag(TagEntity):
    trendable: bool
    usable: bool = True
    requires_review: bool
    score: float = Field(description="Velocity score, decayed from its peak")
    uses: int = Field(description="Uses in the recent window")
    accounts: int = Field(description="Distinct authors in the recent window")
    review: Review


def render_tag(ctx: AppContext, tag: Tag, history: History) -> TagEntity:
    return TagEntity(
        id=str(tag.id),
        name=tag.display_name or tag.name,
        url=f"{ctx.settings.base_url}/tags/{quote(tag.name)}",
        history=[TagHistory(**day) for day in history.mastodon()],
    )


def render_admin_tag(ctx: AppContext, tag: Tag, trend: Trend, history: History) -> AdminTag:
    public = render_tag(ctx, tag, history)
    shown = ctx.settings.trendable_by_default and trend.review is not Review.REJECTED
    return AdminTag(
        **public.model_dump(),
        trendable=trend.review is Review.APPROVED or shown,
        requires_review=trend.review is Review.PENDING,
        score=round(trend.score, 3),
        uses=trend.uses,
        accounts=trend.accounts,
        review=trend.review,
    )
