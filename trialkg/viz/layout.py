"""Node positions computed before the browser draws anything, so large views open fast.

Graphviz's ``sfdp`` (a multilevel force-directed layout) places thousands of nodes in seconds;
without it networkx's spring layout is used (slower above a few thousand nodes). The trial view
uses a layered layout: one row per kind of node, each row ordered by its neighbours.
"""

from __future__ import annotations

import math
import shutil
import subprocess
from collections import defaultdict

import networkx as nx

Positions = dict[str, tuple[float, float]]
SFDP_SCALE = 90.0  # sfdp works in inches; vis-network in pixels


class LayoutError(RuntimeError):
    """The layout program failed; the message carries what it said."""


def force_layout(graph: nx.MultiDiGraph, seed: int = 1) -> tuple[Positions, str]:
    """Positions of every node and the name of the method that computed them."""
    nodes = sorted(graph.nodes)
    if not nodes:
        return {}, "none"
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}, "single"
    sfdp = shutil.which("sfdp")
    if sfdp:
        return _sfdp(graph, nodes, sfdp, seed), "sfdp"
    simple = nx.Graph()
    simple.add_nodes_from(nodes)
    simple.add_edges_from((s, o) for s, o in graph.edges() if s != o)
    iterations = 50 if len(nodes) <= 1000 else 20
    raw = nx.spring_layout(simple, seed=seed, iterations=iterations)
    scale = 60.0 * math.sqrt(len(nodes))
    return {n: (float(x) * scale, float(y) * scale) for n, (x, y) in raw.items()}, "spring"


def _sfdp(graph: nx.MultiDiGraph, nodes: list[str], sfdp: str, seed: int) -> Positions:
    index = {n: i for i, n in enumerate(nodes)}
    lines = ["graph G {", f"graph [start={seed}];"]
    lines += [f"{i};" for i in range(len(nodes))]
    pairs = sorted({tuple(sorted((index[s], index[o]))) for s, o in graph.edges() if s != o})
    lines += [f"{a} -- {b};" for a, b in pairs]
    lines.append("}")
    proc = subprocess.run(
        [sfdp, "-Tplain"], input="\n".join(lines), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise LayoutError(f"sfdp failed ({proc.returncode}): {proc.stderr.strip()[:500]}")
    positions: Positions = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "node":
            # y grows upwards in graphviz and downwards on a canvas
            x, y = float(parts[2]) * SFDP_SCALE, -float(parts[3]) * SFDP_SCALE
            positions[nodes[int(parts[1])]] = (round(x, 1), round(y, 1))
    missing = [n for n in nodes if n not in positions]
    if missing:
        raise LayoutError(
            f"sfdp returned no position for {len(missing)} node(s), e.g. {missing[0]}"
        )
    return positions


def layered_layout(
    graph: nx.MultiDiGraph,
    rows: dict[str, int],
    anchor_row: int,
    spacing: float = 230.0,
    row_gap: float = 140.0,
) -> Positions:
    """Rows top to bottom; the anchor row is spread evenly, every other row sits under or over
    its neighbours (barycentres), nodes kept at least ``spacing`` apart."""
    by_row: dict[int, list[str]] = defaultdict(list)
    for node in sorted(graph.nodes):
        by_row[rows[node]].append(node)
    if not by_row:
        return {}
    if anchor_row not in by_row:
        anchor_row = max(by_row, key=lambda r: (len(by_row[r]), -r))
    undirected = graph.to_undirected(as_view=True)
    x: dict[str, float] = {}
    anchor = sorted(by_row[anchor_row], key=lambda n: graph.nodes[n].get("label", n))
    for i, node in enumerate(anchor):
        x[node] = i * spacing * 1.5
    order = [r for r in sorted(by_row) if r > anchor_row]
    order += [r for r in sorted(by_row, reverse=True) if r < anchor_row]
    for row in order:
        x.update(_place_row(by_row[row], x, undirected, graph, spacing))
    return {n: (x[n], rows[n] * row_gap) for n in graph.nodes}


def _place_row(
    members: list[str],
    placed: dict[str, float],
    undirected: nx.Graph,
    graph: nx.MultiDiGraph,
    spacing: float,
) -> dict[str, float]:
    right = max(placed.values(), default=0.0) + spacing
    wanted: dict[str, float] = {}
    for node in members:
        near = [placed[n] for n in undirected.neighbors(node) if n in placed]
        wanted[node] = sum(near) / len(near) if near else right
    ordered = sorted(members, key=lambda n: (wanted[n], graph.nodes[n].get("label", n)))
    out: dict[str, float] = {}
    last = -math.inf
    for node in ordered:
        out[node] = max(wanted[node], last + spacing)
        last = out[node]
    if ordered:  # centre the row on what it wanted, keeping the spacing
        shift = (sum(wanted.values()) - sum(out.values())) / len(ordered)
        out = {n: v + shift for n, v in out.items()}
    return out
