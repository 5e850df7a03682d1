"""A process's own peak memory, as the benchmarks and the bulk build report it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from trialkg.rss import own_peak_rss_mb

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def _run(code: str) -> list[int]:
    """Run ``code`` in a new interpreter; return the integers it prints."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [int(word) for word in out.stdout.split()]


def test_peak_grows_with_what_the_process_touches() -> None:
    # in a new process: this one may have held more before, which a high-water mark keeps
    before, after = _run(
        "from trialkg.rss import own_peak_rss_mb as peak\n"
        "before = peak()\n"
        "block = bytearray(200 << 20)\n"
        "for i in range(0, len(block), 4096): block[i] = 1\n"
        "print(before, peak())"
    )
    assert before > 0 and after - before >= 150


def test_a_new_program_does_not_inherit_the_parents_peak() -> None:
    block = bytearray(300 << 20)
    for i in range(0, len(block), 4096):
        block[i] = 1
    parent = own_peak_rss_mb()
    del block
    (child,) = _run("from trialkg.rss import own_peak_rss_mb; print(own_peak_rss_mb())")
    assert parent is not None and parent >= 300
    assert child < parent - 200
