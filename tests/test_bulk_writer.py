"""The mapping child's batches and background writer."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest

from trialkg import bulk
from trialkg.bulk import _BackgroundWriter, _Batches


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


def test_versions_of_a_trial_go_to_separate_batches_that_still_fill_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk, "BATCH_RECORDS", 3)
    batches, full = _Batches(b""), []
    for nct in ["NCT1", "NCT1", "NCT2", "NCT3", "NCT3", "NCT4", "NCT5"]:
        done = batches.add(nct, f"{nct}.json", nct, b"", b"", set())
        if done is not None:
            full.append([item[0] for item in done.items])
    rest = [[item[0] for item in b.items] for b in batches.rest()]
    assert full == [
        ["NCT1.json", "NCT2.json", "NCT3.json"],
        ["NCT1.json", "NCT3.json", "NCT4.json"],
    ]
    assert rest == [["NCT5.json"]]
    assert batches.rest() == []


NQUADS = b"".join(
    f'<http://example.org/s{i}> <http://example.org/p> "{"x" * (i % 7) * 9}" '
    f"<http://example.org/g{i % 3}> .\n".encode()
    for i in range(40)
)


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("chunk", [1, 64, 1000, 1 << 20])
def test_chunked_loading_loads_every_line_once(chunk: int, threads: int) -> None:
    import pyoxigraph as ox

    whole, chunked = ox.Store(), ox.Store()
    whole.bulk_load(NQUADS, format=ox.RdfFormat.N_QUADS)
    source = io.BytesIO(NQUADS[:-1])  # the last line without its line end
    assert bulk.load_in_chunks(chunked, source, chunk, threads=threads) == 39
    assert len(chunked) == 40 and set(chunked) == set(whole)


@pytest.mark.parametrize("threads", [1, 2])
def test_chunked_loading_names_where_a_refused_line_is(threads: int) -> None:
    import pyoxigraph as ox

    bad = NQUADS + b"<http://example.org/s> <p> broken .\n"
    with pytest.raises(SyntaxError, match="after line 40 of the N-Quads"):
        bulk.load_in_chunks(ox.Store(), io.BytesIO(bad), len(NQUADS), threads=threads)


def test_chunked_loading_reads_no_further_once_a_chunk_is_refused() -> None:
    import pyoxigraph as ox

    bad = b"<http://example.org/s> <p> broken .\n" + NQUADS * 2000
    source = io.BytesIO(bad)
    with pytest.raises(SyntaxError, match="after line 0 of the N-Quads"):
        bulk.load_in_chunks(ox.Store(), source, 100, threads=1)
    assert source.tell() < len(bad) // 2  # a few chunks queued at most, not the rest


@pytest.mark.parametrize("option", [["--chunk-mb", "128"], ["--chunk-mb", "0"], ["--workers", "2"]])
def test_bulk_options_without_registry_records_are_refused(option: list[str]) -> None:
    from typer.testing import CliRunner

    from trialkg.cli import app

    result = CliRunner().invoke(app, ["build", *option])
    assert result.exit_code == 2 and "--ctgov" in result.output


def test_writers_sharing_a_pipe_keep_their_pieces_whole(tmp_path: Path) -> None:
    import os

    read_fd, write_fd = os.pipe()
    lock = tmp_path / "pipe.lock"
    pieces = 40

    def write(k: int, fd: int) -> None:
        pipe = bulk._LockedPipe(fd, lock)
        for i in range(pieces):  # pieces of 300 KB, far beyond what a pipe keeps whole
            pipe.write(b"".join(f"{k} {i} {j:06d} {'x' * 80}\n".encode() for j in range(3000)))
        pipe.close()

    # each writer's own copy of the write end, made before the original is closed below
    writers = [threading.Thread(target=write, args=(k, os.dup(write_fd))) for k in range(3)]
    for w in writers:
        w.start()
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as source:
        data = source.read()
    for w in writers:
        w.join()
    lines = data.decode().splitlines()
    assert len(lines) == 3 * pieces * 3000
    runs: list[tuple[str, str]] = []
    for line in lines:
        k, i, _j, pad = line.split(" ")
        assert pad == "x" * 80
        if not runs or runs[-1] != (k, i):
            runs.append((k, i))
    assert len(runs) == 3 * pieces  # each piece arrived in one run of lines
