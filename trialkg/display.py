"""Short display forms of IRIs for tables and views."""

from __future__ import annotations

SHORT_PREFIXES = {
    "https://w3id.org/trialkg/ontology#": "tkg:",
    "https://w3id.org/trialkg/id/": "id:",
    "https://w3id.org/trialkg/graph/": "graph:",
    "http://purl.obolibrary.org/obo/": "obo:",
}


def short(value: str) -> str:
    """``https://w3id.org/trialkg/id/study/patina`` -> ``id:study/patina``."""
    for ns, prefix in SHORT_PREFIXES.items():
        if value.startswith(ns):
            return prefix + value[len(ns) :]
    return value
