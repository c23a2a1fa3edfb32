"""The memo the consumer groups of one process share: bounded in size and in time."""

from __future__ import annotations

import time

from social.platform.memo import Memo


def test_a_result_put_is_got_until_it_expires() -> None:
    memo = Memo(max_weight=4, ttl_s=0.05)
    memo.put(("audience", 1), (1, 2, 3))
    assert memo.get(("audience", 1)) == (1, 2, 3)
    assert memo.get(("audience", 2)) is None
    time.sleep(0.06)  # past its time: gone (however much later this runs)
    assert memo.get(("audience", 1)) is None


def test_past_its_weight_the_oldest_go_first() -> None:
    memo = Memo(max_weight=3, ttl_s=60)
    for key in range(5):
        memo.put(key, key * 10)
    assert [memo.get(key) for key in range(5)] == [None, None, 20, 30, 40]
    memo.put(2, 21)  # put again: the newest now
    memo.put(5, 50)
    assert [memo.get(key) for key in (2, 3, 4, 5)] == [21, None, 40, 50]
    memo.put(6, 60, weight=2)  # weighs two: the two oldest make room
    assert [memo.get(key) for key in (2, 4, 5, 6)] == [None, None, 50, 60]
    memo.put(7, 70, weight=4)  # heavier than all it may hold: not kept, nothing dropped
    assert [memo.get(key) for key in (5, 6, 7)] == [50, 60, None]
    assert memo.weight == 3
