"""Every Redis key the app uses (outside the libraries), built in one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str = "social:"

    def account(self, account_id: int) -> str:
        return f"{self.prefix}account:{account_id}"
