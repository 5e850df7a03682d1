"""A process's own peak memory, as the benchmarks and the bulk build report it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trialkg.rss import own_peak_rss_mb

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def test_peak_grows_with_what_the_process_touches() -> None:
    before = own_peak_rss_mb()
    assert before is not None and before > 0
    block = bytearray(200 << 20)  # zero pages: touch them
    for i in range(0, len(block), 4096):
        block[i] = 1
    after = own_peak_rss_mb()
    assert after is not None and after - before >= 150
    del block


def test_a_new_program_does_not_inherit_the_parents_peak() -> None:
    block = bytearray(300 << 20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    parent = own_peak_rss_mb()
    del block
    child = subprocess.run(
        [sys.executable, "-c", "from trialkg.rss import own_peak_rss_mb; print(own_peak_rss_mb())"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert parent is not None and parent >= 300
    assert int(child.stdout) < parent - 200
