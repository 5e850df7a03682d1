"""An external SPARQL 1.1 server as the store: loading it and querying it.

Loading: the Virtuoso bulk loader (``ld_dir`` / ``rdf_loader_run`` through ``isql-vt``) or
the SPARQL 1.1 Graph Store HTTP Protocol (``PUT`` of each graph). Every named graph of the
embedded store is loaded under its own name, and the union default graph under
``https://w3id.org/trialkg/graph/union``.

Querying: SPARQL 1.1 Protocol with ``default-graph-uri`` set to the union graph and one
``named-graph-uri`` per trialkg graph, so the dataset a query sees is the same as on the
embedded store. Dialect differences are handled here and listed in
docs/decisions/0002-external-store.md.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from trialkg.store import Store

UNION_GRAPH = "https://w3id.org/trialkg/graph/union"
DATASET_GRAPH = "https://w3id.org/trialkg/graph/dataset"
XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


class ExternalStoreError(RuntimeError):
    """The external server refused a request or could not be reached."""


def graph_files(store: Store, folder: Path) -> list[tuple[Path, str]]:
    """Write each graph of ``store`` as N-Triples (``<hash>.nt`` + ``.nt.graph``) for loading."""
    folder.mkdir(parents=True, exist_ok=True)
    lines: dict[str, list[str]] = {}
    for quad in store.quads():
        graph = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else UNION_GRAPH
        lines.setdefault(graph, []).append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    out = []
    for graph in sorted(lines):
        name = hashlib.sha256(graph.encode()).hexdigest()[:16]
        path = folder / f"{name}.nt"
        path.write_text("".join(sorted(lines[graph])), encoding="utf-8")
        (folder / f"{name}.nt.graph").write_text(graph + "\n", encoding="utf-8")
        out.append((path, graph))
    return out


def virtuoso_bulk_load(
    store: Store,
    folder: Path,
    isql: str = "127.0.0.1:1111",
    user: str = "dba",
    password: str = "dba",
) -> int:
    """Load every graph through Virtuoso's bulk loader; ``folder`` must be in DirsAllowed.

    Graphs already on the server under the same names are cleared first. Returns the number
    of graphs loaded.
    """
    exe = shutil.which("isql-vt") or shutil.which("isql")
    if exe is None:
        raise ExternalStoreError("the Virtuoso client isql-vt is not installed")
    files = graph_files(store, folder.resolve())
    clear = " ".join(f"SPARQL CLEAR GRAPH <{g}>;" for _, g in files)
    script = (
        f"{clear} DELETE FROM DB.DBA.load_list WHERE ll_file LIKE '{folder.resolve()}/%';"
        f" ld_dir('{folder.resolve()}', '%.nt', NULL); rdf_loader_run(); checkpoint;"
        " SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;"
    )
    proc = subprocess.run(
        [exe, isql, user, password, f"exec={script}"], capture_output=True, text=True, timeout=600
    )
    if proc.returncode != 0 or "*** Error" in proc.stdout or "0 Rows." not in proc.stdout:
        raise ExternalStoreError(f"Virtuoso bulk load failed:\n{proc.stdout}\n{proc.stderr}")
    return len(files)


def gsp_load(store: Store, gsp_url: str, auth: tuple[str, str] | None = None) -> int:
    """Load every graph with the Graph Store Protocol (``PUT <gsp_url>?graph=<name>``)."""
    with tempfile.TemporaryDirectory(prefix="trialkg-gsp-") as tmp:
        files = graph_files(store, Path(tmp))
        for path, graph in files:
            _put(gsp_url, path, graph, auth)
    return len(files)


def _put(gsp_url: str, path: Path, graph: str, auth: tuple[str, str] | None) -> None:
    """PUT one graph as N-Triples."""
    url = f"{gsp_url}?{urllib.parse.urlencode({'graph': graph})}"
    req = urllib.request.Request(
        url, data=path.read_bytes(), method="PUT", headers={"Content-Type": "application/n-triples"}
    )
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    try:
        urllib.request.urlopen(req, timeout=300).read()
    except urllib.error.URLError as exc:
        raise ExternalStoreError(f"PUT {url} failed: {exc}") from exc


def _term(binding: dict[str, str]) -> Any:
    kind = binding["type"]
    value = binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if "xml:lang" in binding:
        return ox.Literal(value, language=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype == XSD_BOOLEAN and value in ("1", "0"):
        value = "true" if value == "1" else "false"  # Virtuoso writes booleans as 1/0
    if datatype:
        return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return ox.Literal(value)


class RemoteStore:
    """Queries an external SPARQL endpoint loaded with a trialkg dataset."""

    def __init__(self, url: str, timeout: float = 120.0) -> None:
        self.url = url
        self.timeout = timeout
        self._graphs: list[str] | None = None

    def _request(self, query: str, accept: str, dataset: bool = True) -> bytes:
        params: list[tuple[str, str]] = [("query", query)]
        if dataset:
            params.append(("default-graph-uri", UNION_GRAPH))
            params += [("named-graph-uri", g) for g in self.named_graphs()]
        data = urllib.parse.urlencode(params).encode()
        req = urllib.request.Request(
            self.url,
            data=data,
            headers={"Accept": accept, "Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return bytes(resp.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", errors="replace")[:2000]
            raise ExternalStoreError(f"{self.url} answered {exc.code}: {detail}") from exc
        except urllib.error.URLError as exc:
            raise ExternalStoreError(f"cannot reach {self.url}: {exc.reason}") from exc

    def named_graphs(self) -> list[str]:
        """The trialkg graphs on the server, from the dataset description."""
        if self._graphs is None:
            q = (
                "SELECT DISTINCT ?g WHERE { GRAPH <" + DATASET_GRAPH + "> {"
                " <https://w3id.org/trialkg/dataset> <http://rdfs.org/ns/void#subset> ?g } }"
            )
            raw = self._request(q, "application/sparql-results+json", dataset=False)
            rows = json.loads(raw)["results"]["bindings"]
            self._graphs = sorted({r["g"]["value"] for r in rows} | {DATASET_GRAPH})
            if not self._graphs:
                raise ExternalStoreError(f"{self.url} holds no trialkg dataset: load it first")
        return self._graphs

    def select(self, sparql: str, **_: Any) -> list[dict[str, Any]]:
        raw = self._request(sparql, "application/sparql-results+json")
        data = json.loads(raw)
        names = data["head"].get("vars", [])
        return [
            {n: (_term(b[n]) if n in b else None) for n in names}
            for b in data["results"]["bindings"]
        ]

    def ask(self, sparql: str) -> bool:
        data = json.loads(self._request(sparql, "application/sparql-results+json"))
        if "boolean" in data:
            return bool(data["boolean"])
        rows = data["results"]["bindings"]  # Virtuoso's older ASK shape
        return bool(rows) and rows[0][next(iter(rows[0]))]["value"] in ("1", "true")

    def query(self, sparql: str, **_: Any) -> Any:
        """ASK -> bool; SELECT -> rows (dicts of terms)."""
        if _is_ask(sparql):
            return self.ask(sparql)
        return self.select(sparql)

    def construct(self, sparql: str) -> bytes:
        return self._request(sparql, "application/n-triples")

    def __len__(self) -> int:
        """Number of triples in the trialkg named graphs."""
        return sum(self.graph_size(g) for g in self.named_graphs())

    def execute(self, sparql: str) -> tuple[str, Any]:
        """Run any query: ("bool", bool), ("table", (names, rows)) or ("graph", triples)."""
        form = query_form(sparql)
        if form == "ASK":
            return "bool", self.ask(sparql)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return "graph", list(ox.parse(self.construct(sparql), format=ox.RdfFormat.N_TRIPLES))
        raw = self._request(sparql, "application/sparql-results+json")
        data = json.loads(raw)
        names = data["head"].get("vars", [])
        rows = [
            [_term(b[n]) if n in b else None for n in names] for b in data["results"]["bindings"]
        ]
        return "table", (names, rows)

    def graph_size(self, name: str) -> int:
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        return int(rows[0]["n"].value)


def query_form(sparql: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the form of a query, after its prologue."""
    body = re.sub(r"<[^<>\s]*>", "<>", sparql)
    body = re.sub(r"#[^\n]*", " ", body)
    body = re.sub(r"(?i)\b(PREFIX\s+[\w-]*:\s*<>|BASE\s*<>)", " ", body)
    m = re.match(r"\s*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", body, re.IGNORECASE)
    if m is None:
        raise ExternalStoreError("not a SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE)")
    return m.group(1).upper()


def _is_ask(sparql: str) -> bool:
    return query_form(sparql) == "ASK"
