"""The mapping child's background writer: order kept, memory bounded, errors surfaced."""

from __future__ import annotations

import io
import threading

import pytest

from trialkg.bulk import _BackgroundWriter


class SlowSink(io.BytesIO):
    """A sink that lets one write through each time the test opens the gate."""

    def __init__(self) -> None:
        super().__init__()
        self.gate = threading.Semaphore(0)

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.gate.acquire()
        return super().write(data)


def test_writes_arrive_in_order() -> None:
    sink = io.BytesIO()
    writer = _BackgroundWriter(sink, limit=10)
    for i in range(200):
        writer.write(f"{i};".encode())
    writer.close()
    assert sink.getvalue().decode().split(";")[:-1] == [str(i) for i in range(200)]


def test_a_write_beyond_the_limit_waits_for_the_sink() -> None:
    sink = SlowSink()
    writer = _BackgroundWriter(sink, limit=8)
    writer.write(b"12345678")  # fills the limit: the thread now waits at the gate
    done = threading.Event()

    def second() -> None:
        writer.write(b"abcd")
        done.set()

    threading.Thread(target=second, daemon=True).start()
    assert not done.wait(0.3)  # held back while 8 bytes are pending
    sink.gate.release()
    assert done.wait(5)
    sink.gate.release()
    writer.close()
    assert sink.getvalue() == b"12345678abcd"


def test_an_error_of_the_sink_is_raised_to_the_mapper() -> None:
    class Broken(io.BytesIO):
        def write(self, data: bytes) -> int:  # type: ignore[override]
            raise BrokenPipeError("the loader closed the pipe")

    writer = _BackgroundWriter(Broken(), limit=1 << 20)
    writer.write(b"x")
    with pytest.raises(BrokenPipeError, match="loader closed"):
        for _ in range(10_000):
            writer.write(b"y")
        writer.close()
