"""The score, in Python: the reference for common.lua and the decay applied at read time."""

from __future__ import annotations

import math


def surprise(observed: float, expected: float) -> float:
    """Poisson log-likelihood ratio (G statistic) of a rise from `expected` to `observed`.

    2·(O·ln(O/E) - (O - E)) when O > E, else 0. Mastodon's (O - E)²/E is its second-order
    approximation: the two agree for small rises and part ways when E is small.
    """
    if observed <= expected:
        return 0.0
    return 2.0 * (observed * math.log(observed / expected) - (observed - expected))


def rank(peak: float, peak_at: float, half_life_s: float) -> float:
    """The order key of a decaying peak: the same order at any later time."""
    return math.log2(peak) + peak_at / half_life_s


def score_of(rank_: float, now: float, half_life_s: float) -> float:
    """The peak behind `rank_`, decayed to `now`: peak · 2^(-(now - peak_at)/half_life)."""
    return float(2.0 ** (rank_ - now / half_life_s))


def lowest_rank(forget_below: float, now: float, half_life_s: float) -> float:
    """Ranks at or below this have decayed below `forget_below`."""
    return math.log2(forget_below) + now / half_life_s
