"""Generate the HTML reference of the ontology with pyLODE (a build artefact).

Run ``python -m trialkg.gen_docs build/docs/ontology.html`` (or ``make docs``).
"""

from __future__ import annotations

import sys
from pathlib import Path

from trialkg.paths import ontology_file

NOTICE = "<!-- generated from ontology/trialkg.ttl by trialkg.gen_docs: do not edit -->\n"


def generate(destination: Path) -> Path:
    """Write the HTML reference of every term to ``destination``."""
    from pylode import OntPub  # optional heavy dependency (dev extra)

    destination.parent.mkdir(parents=True, exist_ok=True)
    html = OntPub(str(ontology_file())).make_html()
    destination.write_text(NOTICE + str(html), encoding="utf-8")
    return destination


def main() -> None:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/docs/ontology.html")
    sys.stdout.write(f"wrote {generate(target)}\n")


if __name__ == "__main__":
    main()
