"""The mapping child's batches, and the engine fed the mapped N-Quads in chunks."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from trialkg import bulk
from trialkg.bulk import _Batches, _Files


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


def _spooled(tmp_path: Path, parts: list[bytes]) -> list[Path]:
    files = []
    for k, part in enumerate(parts):
        files.append(tmp_path / f"worker-{k}.nq")
        files[-1].write_bytes(part)
    return files


@pytest.mark.parametrize("chunk", [1, 100, 1 << 20])
def test_mapped_files_load_as_one_stream_and_are_deleted_once_read(
    tmp_path: Path, chunk: int
) -> None:
    import pyoxigraph as ox

    lines = NQUADS.splitlines(keepends=True)
    files = _spooled(tmp_path, [b"".join(lines[:7]), b"", b"".join(lines[7:])])
    told: list[int] = []
    source = _Files(files, told.append)
    store = ox.Store()
    assert bulk.load_in_chunks(store, source, chunk) == 40
    whole = ox.Store()
    whole.bulk_load(NQUADS, format=ox.RdfFormat.N_QUADS)
    assert set(store) == set(whole)
    assert told == sorted(told) and told[-1] == len(NQUADS)
    assert not any(f.exists() for f in files)


def test_a_read_of_mapped_files_stops_at_the_end_of_each_file(tmp_path: Path) -> None:
    files = _spooled(tmp_path, [b"a b c .\n", b"d e f .\ng h i .\n"])
    source = _Files(files, lambda read: None)
    assert source.read(100) == b"a b c .\n"  # no line from the next file joined to it
    assert source.readline() == b"d e f .\n"
    assert not files[0].exists() and files[1].exists()
    assert source.read(100) == b"g h i .\n"
    assert source.read(100) == b""
    assert not files[1].exists()


def test_a_refused_line_in_mapped_files_is_named_by_its_place_in_the_stream(
    tmp_path: Path,
) -> None:
    import pyoxigraph as ox

    files = _spooled(tmp_path, [NQUADS, b"<http://example.org/s> <p> broken .\n"])
    with pytest.raises(SyntaxError, match="after line 40 of the N-Quads"):
        bulk.load_in_chunks(ox.Store(), _Files(files, lambda read: None), len(NQUADS))
