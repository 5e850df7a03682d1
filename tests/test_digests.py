"""The compact digest set the bulk build deduplicates shared graphs with."""

from __future__ import annotations

import hashlib
import random

import pytest

from trialkg.digests import DigestSet, union_size


def _digest(i: int) -> bytes:
    return hashlib.blake2b(i.to_bytes(8, "little"), digest_size=16).digest()


def test_agrees_with_a_set_across_merges() -> None:
    rng = random.Random(7)
    digests = DigestSet(merge_at=50)  # many merges
    reference: set[bytes] = set()
    for _ in range(200):
        batch = [_digest(rng.randrange(3000)) for _ in range(rng.randrange(1, 40))]
        expected = []
        for d in batch:
            expected.append(d not in reference)
            reference.add(d)
        assert digests.add_new(batch) == expected
    assert len(digests) == len(reference)
    assert all(d in digests for d in reference)
    assert _digest(3001) not in digests


def test_a_repeat_within_one_call_is_not_new() -> None:
    digests = DigestSet()
    assert digests.add_new([_digest(1), _digest(1), _digest(2)]) == [True, False, True]
    assert len(digests) == 2


def test_digests_with_equal_first_words_are_told_apart() -> None:
    head = b"\x00" * 7 + b"\x05"
    a, b, c = (head + bytes([i]) * 8 for i in (1, 2, 3))
    digests = DigestSet(merge_at=1)
    assert digests.add_new([a]) == [True]
    assert digests.add_new([b]) == [True]  # merged next to a: a run of two equal high words
    assert digests.add_new([b, c, a]) == [False, True, False]
    assert all(d in digests for d in (a, b, c))
    assert len(digests) == 3


def test_order_follows_the_bytes() -> None:
    digests = DigestSet(merge_at=1)
    low, high = b"\x00" * 15 + b"\x01", b"\xff" * 16
    digests.add_new([high])
    digests.add_new([low])
    assert digests.add_new([low, high]) == [False, False]


def test_a_digest_of_another_length_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes long, not 3"):
        DigestSet().add_new([b"abc"])
    assert b"abc" not in DigestSet()


def test_union_size_counts_each_digest_once_across_sets() -> None:
    rng = random.Random(7)
    pool = [rng.randbytes(16) for _ in range(3000)]
    pool.append(pool[0][:8] + bytes(8))  # the same first word as another member
    sets, members = [], set()
    for k in range(3):
        chosen = rng.sample(pool, 1200)
        digests = DigestSet(merge_at=600)
        digests.add_new(chosen[:700])
        digests.add_new(chosen[700:])  # some members still wait unmerged
        sets.append(digests)
        members |= set(chosen)
        assert len(digests.to_array()) == len(set(chosen)), k
    assert union_size(d.to_array() for d in sets) == len(members)
    assert union_size([]) == 0 and union_size([DigestSet().to_array()]) == 0
