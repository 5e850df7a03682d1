"""A deterministic, seeded generator of ClinicalTrials.gov-shaped records (API v2 JSON).

    .venv/bin/python -m benchmarks.synthetic --trials 1000 --out build/synthetic

The records go through the project's own input path (``trialkg import ctgov`` or
``trialkg build --ctgov``), never straight into triples. Their shape follows real records:
2-4 arms, each with one to three drugs drawn from a shared pool with a Zipf-like spread (a few
drugs in many trials, most in few), each drug's intervention described with its dose and
route, conditions and keywords likewise, with the MeSH headings of the conditions and
drugs a registry's derived section gives; results with a participant flow, 3-6 outcome
measures with per-arm values (medians with 95% CIs, rates at a time point), a hazard ratio
with CI and p-value per time-to-event outcome, and adverse events (serious and other) from a
shared pool of terms. About one trial in three has a second record version from a later date,
and some of those disagree with the first (actual enrollment vs anticipated, a changed
status), as real record histories do.

By default every trial has posted results. With ``results_share`` below 1, only that share
has (drawn per trial); the others carry their protocol only, as most registry records do:
planned outcomes, an estimated enrollment and a status that may still be recruiting.
ClinicalTrials.gov held over 36,000 posted results in May 2019 (Zarin et al., N Engl J Med
2019;381:1966), a small share of its registered studies.
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DRUG_STEMS = (
    "palbo", "ribo", "abema", "letro", "anastro", "exeme", "fulve", "tamoxi", "trastu",
    "pertu", "capeci", "paclita", "doceta", "olapa", "alpeli", "everoli", "elace", "camizes",
)  # fmt: skip
CONDITIONS = (
    "Breast Cancer", "HR+/HER2- Breast Cancer", "HER2-positive Breast Cancer",
    "Metastatic Breast Cancer", "Early Breast Cancer", "Triple Negative Breast Cancer",
    "Advanced Solid Tumors", "Lung Cancer", "Colorectal Cancer", "Prostate Cancer",
)  # fmt: skip
#: the MeSH heading (name, UI as the registry pads it) NLM assigns to each condition
CONDITION_HEADINGS = {
    "Breast Cancer": ("Breast Neoplasms", "D000001943"),
    "HR+/HER2- Breast Cancer": ("Breast Neoplasms", "D000001943"),
    "HER2-positive Breast Cancer": ("Breast Neoplasms", "D000001943"),
    "Metastatic Breast Cancer": ("Breast Neoplasms", "D000001943"),
    "Early Breast Cancer": ("Breast Neoplasms", "D000001943"),
    "Triple Negative Breast Cancer": ("Triple Negative Breast Neoplasms", "D000064726"),
    "Advanced Solid Tumors": ("Neoplasms", "D000009369"),
    "Lung Cancer": ("Lung Neoplasms", "D000008175"),
    "Colorectal Cancer": ("Colorectal Neoplasms", "D000015179"),
    "Prostate Cancer": ("Prostatic Neoplasms", "D000011471"),
}
AE_TERMS = tuple(
    f"{a} {b}"
    for a in ("Neutropenia", "Anaemia", "Fatigue", "Nausea", "Diarrhoea", "Alopecia", "Rash",
              "Stomatitis", "Arthralgia", "Hot flush", "Headache", "Cough")
    for b in ("", "grade 2", "grade 3", "grade 4")
)  # fmt: skip
OUTCOMES = (
    ("Progression-Free Survival (PFS)", "months", "MEDIAN", True),
    ("Overall Survival (OS)", "months", "MEDIAN", True),
    ("Invasive Disease Free Survival (iDFS)", "percentage of participants", "NUMBER", True),
    ("Objective Response Rate (ORR)", "percentage of participants", "NUMBER", False),
    ("Clinical Benefit Rate (CBR)", "percentage of participants", "NUMBER", False),
    ("Duration of Response", "months", "MEDIAN", False),
)


def zipf_pick(rng: random.Random, pool: int, s: float = 1.1) -> int:
    """An index in ``range(pool)``, small indices far more likely (Zipf-like, exponent s)."""
    while True:
        k = int(rng.paretovariate(s)) - 1
        if k < pool:
            return k


def drug_name(index: int) -> str:
    stem = DRUG_STEMS[index % len(DRUG_STEMS)]
    return f"{stem}{'cib' if index % 3 == 0 else 'mab'}-{index // len(DRUG_STEMS)}"


def drug_heading(name: str) -> dict[str, str]:
    """The MeSH heading of a synthetic drug: a supplementary concept numbered from its place
    in the pool, far beyond the UIs MeSH has given (C999000000 on), as a registry pads it."""
    stem, _, k = name.rpartition("-")
    index = int(k) * len(DRUG_STEMS) + DRUG_STEMS.index(stem[:-3])
    return {"id": f"C{999_000_000 + index:09d}", "term": name}


def dosing(name: str) -> str:
    """How an intervention's description states a drug is given, from its name alone (so
    that the records draw the same numbers as without it): a small molecule ("...cib") by
    mouth in mg, an antibody ("...mab") into a vein in mg/kg."""
    code = sum(map(ord, name))
    if "cib-" in name:
        dose = (50, 75, 100, 125, 150, 200, 250, 400)[code % 8]
        return f"{name} {dose} mg orally once daily, days 1-21 of each 28-day cycle"
    dose = (2, 4, 6, 8, 10, 15)[code % 6]
    return f"{name} {dose} mg/kg intravenously every 3 weeks"


def _groups(prefix: str, arms: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"id": f"{prefix}{i:03d}", "title": a["label"], "description": a["description"]}
        for i, a in enumerate(arms)
    ]


def trial(i: int, rng: random.Random, drugs: int, results: bool = True) -> dict[str, Any]:
    """One trial's record (first version); without ``results``, its protocol only."""
    nct = f"NCT9{i:07d}"
    n_arms = rng.choice((2, 2, 2, 3, 4))
    shared = drug_name(zipf_pick(rng, drugs))
    arms: list[dict[str, Any]] = []
    interventions: dict[str, list[str]] = {}
    for a in range(n_arms):
        names = [shared] if a > 0 else [shared, drug_name(zipf_pick(rng, drugs))]
        if rng.random() < 0.3:
            names.append(drug_name(zipf_pick(rng, drugs)))
        names = sorted(set(names))
        label = f"Arm {chr(65 + a)}"
        arms.append(
            {
                "label": label,
                "type": "EXPERIMENTAL" if a == 0 else "ACTIVE_COMPARATOR",
                "description": f"{' plus '.join(names)} ({label})",
                "interventionNames": [f"Drug: {n}" for n in names],
            }
        )
        for n in names:
            interventions.setdefault(n, []).append(label)
    per_arm = [rng.randint(40, 600) for _ in arms]
    enrollment = sum(per_arm)
    conditions = sorted({CONDITIONS[zipf_pick(rng, len(CONDITIONS))] for _ in range(2)})
    outcomes = rng.sample(OUTCOMES, rng.randint(3, 6))
    groups_o = _groups("OG", arms)
    measures = []
    for o_i, (title, unit, param, tte) in enumerate(outcomes):
        base = rng.uniform(4, 40) if unit == "months" else rng.uniform(20, 90)
        values = [round(base * rng.uniform(0.8, 1.4), 1) for _ in arms]
        if unit != "months":  # a percentage of participants
            values = [min(v, 99.9) for v in values]
        measurements = []
        for g, v in zip(groups_o, values, strict=True):
            m: dict[str, Any] = {"groupId": g["id"], "value": str(v)}
            if param == "MEDIAN":
                m["lowerLimit"], m["upperLimit"] = str(round(v * 0.8, 1)), str(round(v * 1.2, 1))
            measurements.append(m)
        measure: dict[str, Any] = {
            "type": "PRIMARY" if o_i == 0 else "SECONDARY",
            "title": title,
            "paramType": param,
            "unitOfMeasure": unit,
            "timeFrame": "Up to 5 years" if param != "NUMBER" else "4 years",
            "groups": groups_o,
            "denoms": [
                {
                    "units": "Participants",
                    "counts": [
                        {"groupId": g["id"], "value": str(n)}
                        for g, n in zip(groups_o, per_arm, strict=True)
                    ],
                }
            ],
            "classes": [{"categories": [{"measurements": measurements}]}],
        }
        if param == "MEDIAN":
            measure["dispersionType"] = "95% Confidence Interval"
        if tte:
            hr = round(rng.uniform(0.5, 1.2), 2)
            measure["analyses"] = [
                {
                    "groupIds": [groups_o[0]["id"], groups_o[1]["id"]],
                    "pValue": str(round(rng.uniform(0.0001, 0.9), 4)),
                    "statisticalMethod": "Log Rank",
                    "paramType": "Hazard Ratio (HR)",
                    "paramValue": str(hr),
                    "ciPctValue": "95",
                    "ciNumSides": "TWO_SIDED",
                    "ciLowerLimit": str(round(hr * 0.8, 2)),
                    "ciUpperLimit": str(round(hr * 1.25, 2)),
                }
            ]
        measures.append(measure)
    groups_e = _groups("EG", arms)
    events: dict[str, list[dict[str, Any]]] = {"seriousEvents": [], "otherEvents": []}
    for key, count in (("seriousEvents", rng.randint(1, 4)), ("otherEvents", rng.randint(3, 10))):
        for term in sorted({AE_TERMS[zipf_pick(rng, len(AE_TERMS))].strip() for _ in range(count)}):
            events[key].append(
                {
                    "term": term,
                    "organSystem": "General disorders",
                    "sourceVocabulary": "MedDRA 23.1",
                    "stats": [
                        {
                            "groupId": g["id"],
                            "numEvents": (k := rng.randint(0, n // 3)),
                            "numAffected": k,
                            "numAtRisk": n,
                        }
                        for g, n in zip(groups_e, per_arm, strict=True)
                    ],
                }
            )
    groups_f = _groups("FG", arms)
    record = {
        "protocolSection": {
            "identificationModule": {
                "nctId": nct,
                "orgStudyIdInfo": {"id": f"SYN-{i}"},
                "briefTitle": f"Synthetic trial {i} of {arms[0]['description']}",
                "acronym": f"SYN{i}",
            },
            "statusModule": {
                "overallStatus": rng.choice(("COMPLETED", "ACTIVE_NOT_RECRUITING")),
                "lastUpdatePostDateStruct": {"date": "2023-06-15"},
                "startDateStruct": {"date": f"{rng.randint(2005, 2020)}-0{rng.randint(1, 9)}"},
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": {"name": f"Sponsor {zipf_pick(rng, 200)}"}
            },
            "conditionsModule": {"conditions": conditions, "keywords": conditions[:1]},
            "designModule": {
                "studyType": "INTERVENTIONAL",
                "phases": [rng.choice(("PHASE2", "PHASE3"))],
                "designInfo": {
                    "allocation": "RANDOMIZED",
                    "interventionModel": "PARALLEL",
                    "primaryPurpose": "TREATMENT",
                    "maskingInfo": {"masking": "NONE"},
                },
                "enrollmentInfo": {"count": enrollment, "type": "ACTUAL"},
            },
            "armsInterventionsModule": {
                "armGroups": arms,
                "interventions": [
                    {"type": "DRUG", "name": n, "armGroupLabels": labels, "description": dosing(n)}
                    for n, labels in sorted(interventions.items())
                ],
            },
            "eligibilityModule": {"sex": "ALL", "minimumAge": "18 Years"},
        },
        "resultsSection": {
            "participantFlowModule": {
                "groups": groups_f,
                "periods": [
                    {
                        "title": "Overall Study",
                        "milestones": [
                            {
                                "type": "STARTED",
                                "achievements": [
                                    {"groupId": g["id"], "numSubjects": str(n)}
                                    for g, n in zip(groups_f, per_arm, strict=True)
                                ],
                            }
                        ],
                    }
                ],
            },
            "outcomeMeasuresModule": {"outcomeMeasures": measures},
            "adverseEventsModule": {"timeFrame": "5 years", "eventGroups": groups_e, **events},
        },
        "derivedSection": {  # headings drawn from the names alone: the same draws as before
            "conditionBrowseModule": {
                "meshes": [
                    {"id": ui, "term": term}
                    for term, ui in sorted({CONDITION_HEADINGS[c] for c in conditions})
                ]
            },
            "interventionBrowseModule": {
                "meshes": [drug_heading(n) for n in sorted(interventions)]
            },
        },
        "hasResults": True,
    }
    if not results:
        _protocol_only(record, rng)
    return record


def _protocol_only(record: dict[str, Any], rng: random.Random) -> None:
    """Turn a record with results into one without: its outcome measures become planned
    outcomes, its enrollment an estimate, its status one of a registered study's."""
    measures = record.pop("resultsSection")["outcomeMeasuresModule"]["outcomeMeasures"]
    record["hasResults"] = False
    protocol = record["protocolSection"]
    protocol["outcomesModule"] = {
        f"{kind}Outcomes": [
            {"measure": m["title"], "timeFrame": m["timeFrame"]}
            for m in measures
            if (m["type"] == "PRIMARY") == (kind == "primary")
        ]
        for kind in ("primary", "secondary")
    }
    protocol["designModule"]["enrollmentInfo"]["type"] = "ESTIMATED"
    protocol["statusModule"]["overallStatus"] = rng.choice(
        ("RECRUITING", "RECRUITING", "ACTIVE_NOT_RECRUITING", "NOT_YET_RECRUITING", "COMPLETED")
    )


def versions(
    i: int, rng: random.Random, drugs: int, results_share: float = 1.0
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The record versions of trial ``i``: (file name, record). A trial has results with
    probability ``results_share`` (drawn only when it is below 1, so that the default draws
    the same records as ever)."""
    results = results_share >= 1.0 or rng.random() < results_share
    first = trial(i, rng, drugs, results)
    nct = first["protocolSection"]["identificationModule"]["nctId"]
    yield f"{nct}-2023-06-15.json", first
    if rng.random() < 1 / 3:
        later = json.loads(json.dumps(first))
        status = later["protocolSection"]["statusModule"]
        status["lastUpdatePostDateStruct"]["date"] = "2024-03-01"
        if rng.random() < 0.5:  # a disagreement between the two versions
            info = later["protocolSection"]["designModule"]["enrollmentInfo"]
            info["count"] += rng.randint(1, 40)
            status["overallStatus"] = "COMPLETED"
        yield f"{nct}-2024-03-01.json", later


def generate(
    trials: int, out: Path, seed: int = 1, first: int = 0, results_share: float = 1.0
) -> list[Path]:
    """Write the records of ``trials`` trials (numbered from ``first``) into ``out``, a
    ``results_share`` of them with posted results; return the files, sorted."""
    if not 0.0 <= results_share <= 1.0:
        raise ValueError(f"results_share must be between 0 and 1, not {results_share}")
    rng = random.Random(seed)
    drugs = max(20, trials // 20)
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(first, first + trials):
        for name, record in versions(i, rng, drugs, results_share):
            path = out / name
            path.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
            files.append(path)
    return sorted(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("build/synthetic"))
    parser.add_argument(
        "--results-share", type=float, default=1.0, help="share of trials with posted results"
    )
    args = parser.parse_args()
    files = generate(args.trials, args.out, args.seed, results_share=args.results_share)
    print(f"wrote {len(files)} records of {args.trials} trials to {args.out}")


if __name__ == "__main__":
    main()
