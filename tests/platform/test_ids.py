"""Ids: time-ordered, and never the same from two processes minting in the same millisecond."""

from __future__ import annotations

import time

from social.platform import ids
from social.platform.ids import NODES, IdGenerator, claim_node, id_at
from social.platform.keys import Keys
from social.platform.redis.client import AnyRedis


def test_ids_increase_and_carry_their_time() -> None:
    generator = IdGenerator()
    before = time.time()
    minted = [generator.next_id() for _ in range(5_000)]  # more than a millisecond holds
    assert minted == sorted(set(minted))
    assert id_at(before) <= minted[0] < id_at(time.time() + 1)


def test_processes_with_their_own_nodes_never_meet() -> None:
    # The worst case: every process mints in the same milliseconds, from the same sequence.
    processes = [IdGenerator(node) for node in range(NODES)]
    minted = [g.next_id() for _ in range(200) for g in processes]
    assert len(set(minted)) == len(minted)


async def test_each_starting_process_claims_the_next_node(redis: AnyRedis) -> None:
    key = Keys("t:").id_nodes()
    claimed = [await claim_node(redis, key) for _ in range(NODES + 1)]
    assert claimed[:NODES] == list(range(NODES))
    assert claimed[NODES] == 0  # round the 64
    assert ids._generator.node == 0
