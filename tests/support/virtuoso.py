"""Start a throw-away Virtuoso Open Source server on loopback for the external-store tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
DisableUnixSocket = 1
ServerThreads = 10
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {d}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 400
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Virtuoso:
    folder: Path
    process: subprocess.Popen[bytes]
    isql: str
    url: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(folder: Path, wait: float = 90.0) -> Virtuoso:
    """Start virtuoso-t with its files under ``folder``; return once /sparql answers."""
    exe = shutil.which("virtuoso-t")
    if exe is None:
        raise FileNotFoundError("virtuoso-t is not installed (Debian: virtuoso-opensource-7-bin)")
    folder.mkdir(parents=True, exist_ok=True)
    isql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(INI.format(d=folder, isql_port=isql_port, http_port=http_port))
    log = (folder / "stdout.log").open("wb")
    proc = subprocess.Popen(
        [exe, "+configfile", str(ini), "+foreground"],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{http_port}/sparql"
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited: {(folder / 'stdout.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2) as resp:
                if resp.status == 200:
                    return Virtuoso(folder, proc, f"127.0.0.1:{isql_port}", url)
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise TimeoutError(f"Virtuoso did not answer at {url} within {wait} s")
