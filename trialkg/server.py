"""A read-only SPARQL 1.1 Protocol endpoint over the store, safe by default.

- binds to 127.0.0.1 unless told otherwise;
- read-only: SPARQL Update is refused (HTTP 403);
- ``SERVICE`` (federated queries) refused unless enabled;
- every query runs in a worker process with a time limit: a query over the limit gets a
  clear error (HTTP 503) and its worker is replaced, so no request thread hangs;
- results over the row limit get a clear error (HTTP 400) instead of a huge response;
- malformed queries get HTTP 400 with the parser's message (line and column);
- GET and POST (URL-encoded form or ``application/sparql-query`` body), content negotiation
  for SPARQL JSON/XML/CSV/TSV and Turtle/N-Triples/JSON-LD;
- ``/`` lists the query library with one-click runs and links the network views and plots
  (``/views/``, written by ``trialkg viz --gallery``); all HTML output is escaped.
"""

from __future__ import annotations

import contextlib
import html
import multiprocessing as mp
import re
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

from trialkg.results import GRAPH_FORMATS, MEDIA_TYPES, TABLE_FORMATS

FORMAT_BY_MEDIA = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/turtle": "turtle",
    "application/x-turtle": "turtle",
    "application/n-triples": "ntriples",
    "text/plain": "ntriples",
    "application/ld+json": "jsonld",
}


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0
    max_rows: int = 10_000
    allow_service: bool = False


class EndpointError(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def uses_service(query: str) -> bool:
    """True if the query has a SERVICE clause (ignoring IRIs, strings and comments)."""
    text = re.sub(r"<[^<>\s]*>", " ", query)
    text = re.sub(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'', " ", text)
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', " ", text)
    text = re.sub(r"#[^\n]*", " ", text)
    return re.search(r"\bSERVICE\b", text, re.IGNORECASE) is not None


def negotiate(accept: str, requested: str | None) -> tuple[str, str]:
    """Pick (table format, graph format) from a ``format`` parameter or the Accept header."""
    table, graph = "json", "turtle"
    if requested:
        if requested in TABLE_FORMATS:
            return requested, graph
        if requested in GRAPH_FORMATS:
            return table, requested
        raise EndpointError(
            HTTPStatus.BAD_REQUEST,
            f"unknown format {requested!r}; use one of {', '.join(TABLE_FORMATS + GRAPH_FORMATS)}",
        )
    ranked = []
    for i, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, media.lower()))
    table_set = graph_set = False
    for _, _, media in sorted(ranked):
        fmt = FORMAT_BY_MEDIA.get(media)
        if fmt in TABLE_FORMATS and not table_set:
            table, table_set = fmt, True
        elif fmt in GRAPH_FORMATS and not graph_set:
            graph, graph_set = fmt, True
    return table, graph


# -- worker processes -------------------------------------------------------------------------


def _worker_main(store_path: str, conn: Connection) -> None:
    import signal

    import pyoxigraph as ox

    from trialkg.results import RowLimitExceeded, render

    # Ctrl-C reaches the whole process group: the server stops, and its workers with it
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store = ox.Store.read_only(store_path)
    while True:
        try:
            job = conn.recv()
        except EOFError:  # the server has stopped
            return
        if job is None:
            return
        query, table_fmt, graph_fmt, max_rows = job
        try:
            body, media = render(store.query(query), table_fmt, graph_fmt, max_rows)
            conn.send(("ok", body, media))
        except SyntaxError as exc:
            conn.send(("syntax", str(exc), ""))
        except RowLimitExceeded as exc:
            conn.send(("rows", str(exc), ""))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}", ""))


class _Worker:
    def __init__(self, ctx: Any, store_path: str) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(store_path, child), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """Query workers that each hold a read-only handle on the store."""

    def __init__(self, store_path: Path, size: int = 2) -> None:
        self._ctx = mp.get_context("spawn")
        self._path = str(store_path)
        self._lock = threading.Lock()
        self._idle = [_Worker(self._ctx, self._path) for _ in range(size)]
        self._slots = threading.Semaphore(size)

    def run(self, query: str, table_fmt: str, graph_fmt: str, limits: Limits) -> tuple[bytes, str]:
        with self._slots:
            with self._lock:
                worker = self._idle.pop()
            try:
                worker.conn.send((query, table_fmt, graph_fmt, limits.max_rows))
                if not worker.conn.poll(limits.timeout):
                    worker.stop()
                    worker = _Worker(self._ctx, self._path)
                    raise EndpointError(
                        HTTPStatus.SERVICE_UNAVAILABLE,
                        f"the query ran longer than the time limit of {limits.timeout:g} s and "
                        "was stopped: narrow it or add LIMIT",
                    )
                status, payload, media = worker.conn.recv()
            except (EOFError, OSError, BrokenPipeError) as exc:
                worker.stop()
                worker = _Worker(self._ctx, self._path)
                raise EndpointError(
                    HTTPStatus.INTERNAL_SERVER_ERROR, f"query worker failed: {exc}"
                ) from exc
            finally:
                with self._lock:
                    self._idle.append(worker)
        if status == "ok":
            return payload, media
        if status == "syntax":
            raise EndpointError(HTTPStatus.BAD_REQUEST, f"malformed query: {payload}")
        if status == "rows":
            raise EndpointError(HTTPStatus.BAD_REQUEST, payload)
        raise EndpointError(HTTPStatus.INTERNAL_SERVER_ERROR, payload)

    def close(self) -> None:
        with self._lock:
            for w in self._idle:
                with contextlib.suppress(OSError, BrokenPipeError):
                    w.conn.send(None)
                w.stop()
            self._idle = []


# -- HTTP ---------------------------------------------------------------------------------------


VIEW_FILE = re.compile(r"^[a-z0-9][a-z0-9-]*\.(html|svg|png)$")
VIEW_MEDIA = {"html": "text/html; charset=utf-8", "svg": "image/svg+xml", "png": "image/png"}


def view_files(views: Path | None) -> list[str]:
    """The servable files of a views folder (plain names only: nothing outside it)."""
    if views is None or not views.is_dir():
        return []
    return sorted(p.name for p in views.iterdir() if p.is_file() and VIEW_FILE.match(p.name))


def index_page(views: Path | None = None) -> bytes:
    """The HTML page listing the query library and the views (every value escaped)."""
    from trialkg.query import library

    view_items = "".join(
        f'<li><a href="/views/{html.escape(quote(name))}">{html.escape(name)}</a></li>'
        for name in view_files(views)
        if name != "index.html"
    )
    views_html = (
        "<h2>Network views and plots</h2><ul>" + view_items + "</ul>"
        "<p>Focus views of any node: <code>trialkg viz --focus NODE --depth N</code>.</p>"
        if view_items
        else ""
    )
    items = []
    for q in library():
        link = "/sparql?format=csv&query=" + quote(q.text)
        json_link = "/sparql?query=" + quote(q.text)
        items.append(
            f"<li><b>{html.escape(q.slug)}</b>: {html.escape(q.summary)}"
            f"<br><small>{html.escape(q.description)}</small>"
            f'<br><a href="{html.escape(link)}">run (CSV)</a> · '
            f'<a href="{html.escape(json_link)}">run (SPARQL JSON)</a></li>'
        )
    body = (
        "<!doctype html><html><head><meta charset='utf-8'><title>trialkg SPARQL endpoint</title>"
        "</head><body><h1>trialkg SPARQL endpoint</h1>"
        "<p>SPARQL 1.1 Protocol at <code>/sparql</code> (GET or POST, read-only).</p>"
        + views_html
        + "<h2>Query library</h2><ul>"
        + "".join(items)
        + "</ul></body></html>"
    )
    return body.encode("utf-8")


def make_handler(
    pool: WorkerPool, limits: Limits, views: Path | None = None
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "trialkg"
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: HTTPStatus, body: bytes, media: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self._cors()
            self.end_headers()
            self.wfile.write(body)

        def _cors(self) -> None:
            # Read-only data: browser clients such as YASGUI may query from any origin.
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")

        def do_OPTIONS(self) -> None:
            self.send_response(HTTPStatus.NO_CONTENT)
            self._cors()
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _error(self, exc: EndpointError) -> None:
            self._send(
                exc.status, (exc.message + "\n").encode("utf-8"), "text/plain; charset=utf-8"
            )

        def do_GET(self) -> None:
            url = urlparse(self.path)
            if url.path in ("/", "/index.html"):
                self._send(HTTPStatus.OK, index_page(views), "text/html; charset=utf-8")
                return
            if url.path.startswith("/views/"):
                self._view(url.path[len("/views/") :] or "index.html")
                return
            if url.path != "/sparql":
                self._error(EndpointError(HTTPStatus.NOT_FOUND, f"no such page: {url.path}"))
                return
            params = parse_qs(url.query)
            if "update" in params:
                self._error(
                    EndpointError(
                        HTTPStatus.FORBIDDEN, "read-only endpoint: SPARQL Update is refused"
                    )
                )
                return
            self._answer(params.get("query", [""])[0], params)

        def _view(self, name: str) -> None:
            if views is None or name not in view_files(views):
                self._error(EndpointError(HTTPStatus.NOT_FOUND, f"no such view: {name}"))
                return
            media = VIEW_MEDIA[name.rsplit(".", 1)[1]]
            self._send(HTTPStatus.OK, (views / name).read_bytes(), media)

        def do_POST(self) -> None:
            url = urlparse(self.path)
            if url.path != "/sparql":
                self._error(EndpointError(HTTPStatus.NOT_FOUND, f"no such page: {url.path}"))
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > 1_000_000:
                self._error(
                    EndpointError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request body over 1 MB")
                )
                return
            raw = self.rfile.read(length).decode("utf-8", errors="replace")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            params = parse_qs(urlparse(self.path).query)
            if ctype == "application/sparql-update":
                self._error(
                    EndpointError(
                        HTTPStatus.FORBIDDEN, "read-only endpoint: SPARQL Update is refused"
                    )
                )
                return
            if ctype == "application/sparql-query":
                self._answer(raw, params)
                return
            if ctype in ("application/x-www-form-urlencoded", ""):
                form = parse_qs(raw)
                if "update" in form:
                    self._error(
                        EndpointError(
                            HTTPStatus.FORBIDDEN, "read-only endpoint: SPARQL Update is refused"
                        )
                    )
                    return
                self._answer(form.get("query", [""])[0], {**params, **form})
                return
            self._error(
                EndpointError(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE, f"unsupported Content-Type {ctype!r}"
                )
            )

        def _answer(self, query: str, params: dict[str, list[str]]) -> None:
            try:
                if not query.strip():
                    raise EndpointError(HTTPStatus.BAD_REQUEST, "missing 'query' parameter")
                if uses_service(query) and not limits.allow_service:
                    raise EndpointError(
                        HTTPStatus.BAD_REQUEST,
                        "SERVICE (federated query) is disabled on this endpoint "
                        "(start it with --allow-service to enable)",
                    )
                chosen = params.get("format") or params.get("output")
                requested = chosen[0] if chosen else None
                table_fmt, graph_fmt = negotiate(self.headers.get("Accept", ""), requested)
                body, media = pool.run(query, table_fmt, graph_fmt, limits)
            except EndpointError as exc:
                self._error(exc)
                return
            self._send(HTTPStatus.OK, body, media)

    return Handler


class Endpoint:
    """A running endpoint: ``start()`` in a thread or ``serve_forever()``."""

    def __init__(
        self,
        store_path: Path,
        host: str = "127.0.0.1",
        port: int = 7878,
        limits: Limits | None = None,
        workers: int = 2,
        views: Path | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.pool = WorkerPool(store_path, workers)
        handler = make_handler(self.pool, self.limits, views)
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        host_text = host.decode() if isinstance(host, bytes) else str(host)
        return f"http://{host_text}:{port}/sparql"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def serve_forever(self) -> None:
        self.httpd.serve_forever()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.pool.close()


__all__ = ["MEDIA_TYPES", "Endpoint", "Limits", "negotiate", "uses_service"]
