"""How much memory this process has held."""

from __future__ import annotations


def own_peak_rss_mb() -> int | None:
    """This process's peak resident memory in MB since it started its program (``VmHWM``),
    or None where ``/proc`` does not say. ``getrusage`` would not do: Linux carries the
    high-water mark of the parent over a fork and an exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None
