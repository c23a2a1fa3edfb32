"""The declarative base and the id column every table shares."""

from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from social.platform.ids import next_id


class Base(DeclarativeBase):
    pass


def id_column() -> Mapped[int]:
    return mapped_column(BigInteger, primary_key=True, autoincrement=False, default=next_id)
