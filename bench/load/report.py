"""The mixed-load benchmark's figures: one run's requests, errors and deliveries, printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psutil

from bench.load.http import MIX
from bench.load.seed import Seeded


@dataclass
class Run:
    processes: int
    seconds: float
    latencies_ms: dict[str, list[float]]
    statuses: dict[str, dict[int, int]]
    transport_errors: dict[str, int]
    error_bodies: list[str]
    delivered: list[tuple[float, float]]
    """(post sent at, post sent -> receipt in ms) per expected receipt that came."""
    expected: int
    closed_early: int
    duplicates: int
    cpu_percent: dict[str, float] = field(default_factory=dict)
    backlog: dict[str, int] = field(default_factory=dict)
    home_only_per_s: float | None = None
    """Requests/s of the same generator sending home reads only, just before (the baseline)."""

    @property
    def requests(self) -> int:
        return sum(len(v) for v in self.latencies_ms.values())

    @property
    def delivery_ms(self) -> list[float]:
        return [ms for _, ms in self.delivered]

    def delivery_p50_by_third(self) -> list[float]:
        """Median delivery of the posts sent in each third of the window: growing means the
        consumers fall further behind."""
        if not self.delivered:
            return []
        first = min(at for at, _ in self.delivered)
        span = max(at for at, _ in self.delivered) - first or 1.0
        thirds: list[list[float]] = [[], [], []]
        for at, ms in self.delivered:
            thirds[min(2, int((at - first) / span * 3))].append(ms)
        return [percentile(t, 0.5) for t in thirds]

    @property
    def p99_ms(self) -> float:
        return percentile([ms for v in self.latencies_ms.values() for ms in v], 0.99)

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.seconds

    def errors(self, kind: str | None = None) -> int:
        kinds = [kind] if kind else list(self.statuses)
        bad = sum(n for k in kinds for code, n in self.statuses[k].items() if not 200 <= code < 300)
        return bad + sum(
            n for k, n in self.transport_errors.items() if kind in (None, k.split(":")[0])
        )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def deliveries(
    seeded: Seeded, sockets: int, posts: list[Any], receipts: list[Any]
) -> tuple[list[tuple[float, float]], int]:
    """Post sent -> first receipt, for every socket that should hear the post: its author's and
    its followers' (`user` streams carry one's own statuses too); and how many should."""
    first: dict[tuple[int, int], float] = {}
    for socket, seq, at in receipts:
        first.setdefault((socket, seq), at)
    latencies: list[tuple[float, float]] = []
    expected = 0
    for seq, author, sent, status in posts:
        if not 200 <= status < 300:
            continue
        audience = [s for s in [author, *seeded.followers[author]] if s < sockets]
        expected += len(audience)
        for s in audience:
            if (s, seq) in first:
                latencies.append((sent, (first[(s, seq)] - sent) * 1000))
    return latencies, expected


def report(run: Run, concurrency: int) -> None:
    noun = "process" if run.processes == 1 else "processes"
    print(
        f"\n{run.processes} server {noun}: {run.requests_per_s:,.0f} req/s over {run.seconds:g} s "
        f"at {concurrency} connections, errors {run.errors()}"
    )
    print(f"  {'kind':10} {'share':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    every = [ms for v in run.latencies_ms.values() for ms in v]
    rows = [("all", every, None), *((k, run.latencies_ms[k], k) for k in MIX)]
    for name, ms, kind in rows:
        print(
            f"  {name:10} {len(ms) / max(1, run.requests):6.1%} {len(ms) / run.seconds:8,.0f} "
            f"{percentile(ms, 0.5):8.1f} {percentile(ms, 0.99):8.1f} {run.errors(kind):7}"
        )
    if run.home_only_per_s:
        print(
            f"  baseline, home reads only: {run.home_only_per_s:,.0f} req/s; "
            f"mixed / home-only {run.requests_per_s / run.home_only_per_s:.2f}x"
        )
    d = run.delivery_ms
    print(
        f"  delivery, POST sent -> receipt on `user` sockets: p50 {percentile(d, 0.5):.1f} ms  "
        f"p99 {percentile(d, 0.99):.1f} ms  max {max(d, default=float('nan')):.1f} ms  "
        f"delivered {len(d):,}/{run.expected:,}, duplicates {run.duplicates:,}, "
        f"sockets closed early {run.closed_early}"
    )
    thirds = " / ".join(f"{ms:.0f} ms" for ms in run.delivery_p50_by_third()) or "none"
    behind = ", ".join(f"{g} {n}" for g, n in sorted(run.backlog.items())) or "no groups"
    print(f"  delivery p50 by third of the window: {thirds}; events behind at its end: {behind}")
    cpu = run.cpu_percent
    shares = ", ".join(f"{k} {v:.0f}%" for k, v in cpu.items() if k != "machine" and v >= 0.5)
    cores = psutil.cpu_count() or 1
    print(f"  CPU, % of one core (machine {cpu['machine']:.0f}% of {cores * 100}%): {shares}")
    for problem in run.error_bodies:
        print(f"  error: {problem}")
    for name, count in run.transport_errors.items():
        print(f"  transport error: {name} x{count}")


def compare(runs: list[Run]) -> None:
    """The last server count against the first, measured in the same run."""
    if len(runs) < 2 or not all(r.requests and r.delivered for r in runs):
        return
    base, last = runs[0], runs[-1]
    p99 = last.p99_ms / base.p99_ms
    delivery = percentile(last.delivery_ms, 0.99) / percentile(base.delivery_ms, 0.99)
    print(
        f"\nratio {last.processes} processes / {base.processes}: "
        f"req/s {last.requests_per_s / base.requests_per_s:.2f}x, "
        f"p99 {p99:.2f}x, delivery p99 {delivery:.2f}x"
    )
