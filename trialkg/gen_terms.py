"""Generate :mod:`trialkg.terms` from the ontology Turtle file.

Run ``python -m trialkg.gen_terms`` after editing ``ontology/trialkg.ttl``; a test fails
when the generated module is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import OWL, RDF, Graph, URIRef

from trialkg.paths import PACKAGE_DIR, ontology_file

NS = "https://w3id.org/trialkg/ontology#"

HEADER = '''"""Terms of the trialkg ontology as Python attributes (a typo raises AttributeError).

Generated from ontology/trialkg.ttl by ``python -m trialkg.gen_terms``: do not edit.
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class TKG(DefinedNamespace):
    """The ``tkg:`` namespace, ``https://w3id.org/trialkg/ontology#``."""

    _NS = Namespace("https://w3id.org/trialkg/ontology#")
    _fail = True

'''


FOOTER = """

# Looking a term up on a DefinedNamespace goes through its metaclass and builds a new URIRef
# each time (the mappings do it millions of times): bind each term once, as a class
# attribute. Unknown names still raise AttributeError.
for _name in TKG.__annotations__:
    setattr(TKG, _name, TKG._NS[_name])
"""


def ontology_terms(graph: Graph) -> dict[str, str]:
    """Return local name -> kind ('class', 'property', 'individual') of every declared term."""
    kinds = {
        OWL.Class: "class",
        OWL.ObjectProperty: "property",
        OWL.DatatypeProperty: "property",
        OWL.AnnotationProperty: "property",
        OWL.NamedIndividual: "individual",
    }
    terms: dict[str, str] = {}
    for rdf_type, kind in kinds.items():
        for subject in graph.subjects(RDF.type, rdf_type):
            if isinstance(subject, URIRef) and str(subject).startswith(NS):
                terms.setdefault(str(subject)[len(NS) :], kind)
    return terms


def render(graph: Graph) -> str:
    """Render the terms module text."""
    terms = ontology_terms(graph)
    lines = [HEADER]
    for kind, heading in (
        ("class", "classes"),
        ("property", "properties"),
        ("individual", "individuals"),
    ):
        names = sorted(n for n, k in terms.items() if k == kind)
        lines.append(f"    # {heading}\n")
        lines.extend(f"    {name}: URIRef\n" for name in names)
        lines.append("\n")
    return "".join(lines).rstrip("\n") + "\n" + FOOTER


def main() -> None:
    """Write trialkg/terms.py."""
    text = render(Graph().parse(ontology_file()))
    target = PACKAGE_DIR / "terms.py"
    Path(target).write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")


if __name__ == "__main__":
    main()
