"""The SPARQL endpoint over real HTTP on loopback, driven by SPARQLWrapper and urllib."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

from trialkg.server import Endpoint, Limits, negotiate, uses_service
from trialkg.store import current_data_dir

pytestmark = pytest.mark.reasoner

PFS = """PREFIX tkg: <https://w3id.org/trialkg/ontology#>
SELECT ?v WHERE {
  <https://w3id.org/trialkg/id/study/patina/result/pfs/palbociclib/median> tkg:value ?v
}"""
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def endpoint(seed_store_root: Path) -> Iterator[Endpoint]:
    ep = Endpoint(
        current_data_dir(seed_store_root),
        port=0,
        limits=Limits(timeout=2.0, max_rows=200),
        workers=2,
    )
    ep.start()
    yield ep
    ep.close()


def http(
    url: str, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str, str]:
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


def test_binds_to_loopback(endpoint: Endpoint) -> None:
    assert endpoint.httpd.server_address[0] == "127.0.0.1"


def test_sparqlwrapper_get_and_post(endpoint: Endpoint) -> None:
    for method in ("GET", POST):
        client = SPARQLWrapper(endpoint.url)
        client.setQuery(PFS)
        client.setReturnFormat(JSON)
        if method == POST:
            client.setMethod(POST)
        data = client.query().convert()
        assert [b["v"]["value"] for b in data["results"]["bindings"]] == ["44.3"]


def test_content_negotiation(endpoint: Endpoint) -> None:
    client = SPARQLWrapper(endpoint.url)
    client.setQuery(PFS)
    client.setReturnFormat(CSV)
    assert client.query().convert().decode().splitlines() == ["v", "44.3"]
    client = SPARQLWrapper(endpoint.url)
    client.setQuery("CONSTRUCT WHERE { <https://w3id.org/trialkg/id/study/patina> ?p ?o }")
    client.setReturnFormat(TURTLE)
    assert b"https://w3id.org/trialkg/id/study/patina" in client.query().convert()
    body = PFS.encode()
    status, ctype, text = http(
        endpoint.url,
        body,
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+xml"},
    )
    assert status == 200 and "sparql-results+xml" in ctype and "<literal" in text
    status, ctype, text = http(endpoint.url + "?format=tsv&query=" + urllib.request.quote(PFS))
    assert status == 200 and text.startswith("?v")


def test_update_is_refused(endpoint: Endpoint) -> None:
    update = "INSERT DATA { <http://x> <http://y> <http://z> }"
    status, _, text = http(
        endpoint.url, update.encode(), {"Content-Type": "application/sparql-update"}
    )
    assert status == 403 and "read-only" in text
    status, _, text = http(
        endpoint.url,
        urllib.parse.urlencode({"update": update}).encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 403
    status, _, _ = http(endpoint.url + "?query=" + urllib.request.quote(update))
    assert status == 400


def test_service_is_refused(endpoint: Endpoint) -> None:
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    status, _, text = http(endpoint.url + "?query=" + urllib.request.quote(q))
    assert status == 400 and "SERVICE" in text and "disabled" in text
    assert not uses_service('SELECT * WHERE { ?s <http://x/SERVICE> "SERVICE" } # SERVICE')
    assert uses_service("select * where { service <http://x> { ?s ?p ?o } }")


def test_malformed_query_gets_400_with_position(endpoint: Endpoint) -> None:
    client = SPARQLWrapper(endpoint.url)
    client.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed) as info:
        client.query()
    assert "1:" in str(info.value)


def test_time_limit_stops_the_query_and_the_endpoint_recovers(endpoint: Endpoint) -> None:
    status, _, text = http(endpoint.url + "?query=" + urllib.request.quote(SLOW))
    assert status == 503 and "time limit" in text
    status, _, text = http(endpoint.url + "?format=csv&query=" + urllib.request.quote(PFS))
    assert status == 200 and "44.3" in text


def test_row_limit_gives_clear_error(endpoint: Endpoint) -> None:
    q = "SELECT * WHERE { ?s ?p ?o }"
    status, _, text = http(endpoint.url + "?query=" + urllib.request.quote(q))
    assert status == 400 and "more than 200 rows" in text


def test_concurrent_clients(endpoint: Endpoint) -> None:
    def one(i: int) -> list[str]:
        client = SPARQLWrapper(endpoint.url)
        client.setQuery(PFS)
        client.setReturnFormat(JSON)
        data = client.query().convert()
        return [b["v"]["value"] for b in data["results"]["bindings"]]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(one, range(24)))
    assert results == [["44.3"]] * 24


def test_index_lists_queries(endpoint: Endpoint) -> None:
    status, ctype, text = http(endpoint.url.replace("/sparql", "/"))
    assert status == 200 and "text/html" in ctype
    assert "hazard-ratios" in text and "run (CSV)" in text


def test_index_escapes_query_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    import trialkg.query
    from trialkg.query import QueryFile
    from trialkg.server import index_page

    hostile = QueryFile(
        "x", Path("x.rq"), "<script>alert(1)</script>", 'a "b" & <i>', "SELECT * WHERE { ?s ?p ?o }"
    )
    monkeypatch.setattr(trialkg.query, "library", lambda: [hostile])
    page = index_page().decode("utf-8")
    assert "<script>" not in page and "<i>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_cors_preflight_for_browser_clients(endpoint: Endpoint) -> None:
    req = urllib.request.Request(endpoint.url, method="OPTIONS")
    with urllib.request.urlopen(req, timeout=10) as resp:
        assert resp.status == 204
        assert resp.headers["Access-Control-Allow-Origin"] == "*"
        assert "POST" in resp.headers["Access-Control-Allow-Methods"]


def test_negotiate() -> None:
    assert negotiate("text/csv;q=0.5, application/sparql-results+xml", None) == ("xml", "turtle")
    assert negotiate("application/n-triples", None) == ("json", "ntriples")
    assert negotiate("", "jsonld") == ("json", "jsonld")
    assert json.dumps(negotiate("*/*", None)) == '["json", "turtle"]'


def test_ctrl_c_stops_the_server_quietly(seed_store_root: Path) -> None:
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) stops ``trialkg serve``
    and its query workers with exit status 0 and no traceback."""
    import os
    import signal
    import subprocess
    import sys
    import time

    script = (
        "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        "from trialkg.cli import app; sys.argv = ['trialkg', 'serve', '--store', sys.argv[1], "
        "'--port', '0']; app()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(seed_store_root)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        while not any("SPARQL endpoint at http://127.0.0.1:" in line for line in lines):
            line = proc.stdout.readline().decode()  # a note on the views, then the URL
            assert line, f"the server ended before serving: {lines}"
            lines.append(line)
        time.sleep(1.0)  # the workers are up
        os.killpg(proc.pid, signal.SIGINT)
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0
    assert "Traceback" not in rest.decode(), rest.decode()
