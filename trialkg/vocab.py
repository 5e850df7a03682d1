"""Controlled values of the curated-record format and the ontology terms they stand for.

Each table maps the short value a curator writes in YAML to an ontology IRI. The tables are
the single place where record values meet the ontology; a test checks every IRI exists.
"""

from __future__ import annotations

from rdflib import URIRef

from trialkg import iri
from trialkg.terms import TKG

UO = "http://purl.obolibrary.org/obo/UO_"

UNITS: dict[str, URIRef] = {
    "minute": URIRef(UO + "0000031"),
    "hour": URIRef(UO + "0000032"),
    "day": URIRef(UO + "0000033"),
    "week": URIRef(UO + "0000034"),
    "month": URIRef(UO + "0000035"),
    "year": URIRef(UO + "0000036"),
    "percent": URIRef(UO + "0000187"),
}

#: Units of a dose (``tkg:doseUnit``), from UO; a unit UO lacks (milligram per square metre)
#: is defined in kg/reference.yaml.
DOSE_UNITS: dict[str, URIRef] = {
    "gram": URIRef(UO + "0000021"),
    "milligram": URIRef(UO + "0000022"),
    "microgram": URIRef(UO + "0000023"),
    "milligram-per-kilogram": URIRef(UO + "0000308"),
}

#: The route a drug is given by (``tkg:route``).
ROUTES: dict[str, URIRef] = {
    "oral": TKG.OralRoute,
    "intravenous": TKG.IntravenousRoute,
    "subcutaneous": TKG.SubcutaneousRoute,
    "intramuscular": TKG.IntramuscularRoute,
    "intrathecal": TKG.IntrathecalRoute,
    "topical": TKG.TopicalRoute,
}

SOURCE_KINDS: dict[str, URIRef] = {
    "journal-article": TKG.JournalArticle,
    "news-article": TKG.NewsArticle,
    "conference-report": TKG.ConferenceReport,
    "conference-abstract": TKG.ConferenceAbstract,
    "registry-record": TKG.RegistryRecord,
}

STUDY_KINDS: dict[str, URIRef] = {
    "interventional": TKG.InterventionalStudy,
    "observational": TKG.ObservationalStudy,
}

ALLOCATIONS: dict[str, URIRef] = {
    "randomized": TKG.RandomAllocation,
    "non-randomized": TKG.NonRandomAllocation,
}

PHASES: dict[str, URIRef] = {
    "early-1": TKG.EarlyPhase1,
    "1": TKG.Phase1,
    "1/2": TKG.Phase1b2,
    "2": TKG.Phase2,
    "2/3": TKG.Phase2b3,
    "3": TKG.Phase3,
    "4": TKG.Phase4,
    "not-applicable": TKG.PhaseNotApplicable,
}

DESIGN_FEATURES: dict[str, URIRef] = {
    "open-label": TKG.OpenLabel,
    "single-blind": TKG.SingleBlind,
    "double-blind": TKG.DoubleBlind,
    "prospective": TKG.Prospective,
    "retrospective": TKG.Retrospective,
    "monocentric": TKG.Monocentric,
    "multicentric": TKG.Multicentric,
    "real-world": TKG.RealWorld,
    "parallel-group": TKG.ParallelGroup,
    "single-group": TKG.SingleGroup,
}

ENROLLMENT_TYPES: dict[str, URIRef] = {
    "actual": TKG.ActualEnrollment,
    "anticipated": TKG.AnticipatedEnrollment,
}

DRUG_CLASSES: dict[str, URIRef] = {
    "cdk4/6-inhibitor": TKG.CDK46Inhibitor,
    "her2-targeted-therapy": TKG.HER2TargetedAgent,
    "endocrine-therapy": TKG.EndocrineAgent,
    "aromatase-inhibitor": TKG.AromataseInhibitor,
    "serd": TKG.SelectiveEstrogenReceptorDegrader,
    "chemotherapy": TKG.ChemotherapyAgent,
}

MECHANISMS: dict[str, URIRef] = {
    "cdk4/6-inhibition": TKG.CDK46Inhibition,
    "her2-blockade": TKG.HER2Blockade,
    "aromatase-inhibition": TKG.AromataseInhibition,
    "er-degradation": TKG.EstrogenReceptorDegradation,
    "er-modulation": TKG.EstrogenReceptorModulation,
    "ovarian-suppression": TKG.OvarianFunctionSuppression,
    "cytotoxic": TKG.CytotoxicActivity,
}

CONDITIONS: dict[str, URIRef] = {
    "breast-cancer": TKG.BreastCancer,
    "advanced-breast-cancer": TKG.AdvancedBreastCancer,
    "metastatic-breast-cancer": TKG.MetastaticBreastCancer,
    "early-breast-cancer": TKG.EarlyBreastCancer,
}

HR_STATUS: dict[str, URIRef] = {"positive": TKG.HRPositive, "negative": TKG.HRNegative}
HER2_STATUS: dict[str, URIRef] = {"positive": TKG.HER2Positive, "negative": TKG.HER2Negative}

LINES: dict[str, URIRef] = {
    "first": TKG.FirstLine,
    "second": TKG.SecondLine,
    "later": TKG.LaterLine,
}

SETTINGS: dict[str, URIRef] = {
    "maintenance": TKG.MaintenanceSetting,
    "induction": TKG.InductionSetting,
    "adjuvant": TKG.AdjuvantSetting,
    "neoadjuvant": TKG.NeoadjuvantSetting,
}

ARM_ROLES: dict[str, URIRef] = {
    "experimental": TKG.ExperimentalArm,
    "active-comparator": TKG.ActiveComparatorArm,
    "placebo-comparator": TKG.PlaceboComparatorArm,
    "no-intervention": TKG.NoInterventionArm,
    "cohort": TKG.ObservationalCohort,
    "all-participants": TKG.AllParticipants,
    "other": TKG.OtherArmRole,
}

ENDPOINT_KINDS: dict[str, URIRef] = {
    "pfs": TKG.ProgressionFreeSurvival,
    "pfs1": TKG.ProgressionFreeSurvival1,
    "pfs2": TKG.ProgressionFreeSurvival2,
    "pfs-rate": TKG.ProgressionFreeSurvivalRate,
    "os": TKG.OverallSurvival,
    "idfs": TKG.InvasiveDiseaseFreeSurvival,
    "objective-response": TKG.ObjectiveResponse,
    "clinical-benefit": TKG.ClinicalBenefit,
    "safety": TKG.SafetyEndpoint,
    "other": TKG.OtherEndpoint,
}

ENDPOINT_ROLES: dict[str, URIRef] = {
    "primary": TKG.PrimaryEndpoint,
    "secondary": TKG.SecondaryEndpoint,
    "exploratory": TKG.ExploratoryEndpoint,
}

ASSESSORS: dict[str, URIRef] = {
    "investigator": TKG.InvestigatorAssessment,
    "central-review": TKG.CentralReview,
}

MEASURES: dict[str, URIRef] = {
    "median": TKG.Median,
    "mean": TKG.Mean,
    "rate": TKG.EventFreeRate,
    "percentage": TKG.PercentageOfPatients,
    "count": TKG.CountOfPatients,
    "other": TKG.OtherMeasure,
}

STATISTICS: dict[str, URIRef] = {
    "hazard-ratio": TKG.HazardRatio,
    "odds-ratio": TKG.OddsRatio,
    "risk-ratio": TKG.RiskRatio,
    "rate-difference": TKG.RateDifference,
    "mean-difference": TKG.MeanDifference,
    "relative-risk-reduction": TKG.RelativeRiskReduction,
}

#: Statistics that are ratios: dimensionless and strictly positive.
RATIO_STATISTICS = frozenset({"hazard-ratio", "odds-ratio", "risk-ratio"})

#: Kinds of spread given with a value, as ``tkg:dispersionType`` names them (the shapes'
#: ``sh:in`` list); a curated result gives them as ``sd``, ``se``, ``iqr``, ``range``.
#: ``sd``, ``se`` and ``gcv`` are one figure (``tkg:dispersion``), ``iqr`` and ``range`` an
#: interval (``tkg:lowerLimit``, ``tkg:upperLimit``).
DISPERSION_TYPES: dict[str, str] = {
    "sd": "standard deviation",
    "se": "standard error",
    "gcv": "geometric coefficient of variation",
    "iqr": "inter-quartile range",
    "range": "full range",
}

#: Why a result or a bound of its CI states no number (``value: not-reached``,
#: ``ci: {lower: 28.4, upper: not-reached}``): ``tkg:valueStatus``, ``tkg:ciLowerStatus``,
#: ``tkg:ciUpperStatus``.
VALUE_STATUSES: dict[str, URIRef] = {
    "not-reached": TKG.NotReached,
    "not-estimable": TKG.NotEstimable,
}

GRADES: dict[str, URIRef] = {
    "any": TKG.AnyGrade,
    "1": TKG.Grade1,
    "2": TKG.Grade2,
    "3": TKG.Grade3,
    "4": TKG.Grade4,
    "5": TKG.Grade5,
    "3-4": TKG.Grade3to4,
    ">=3": TKG.Grade3OrHigher,
    "not-stated": TKG.GradeNotStated,
}

#: Which of a study's analyses a data cut is (``tkg:dataCutKind``).
DATA_CUT_KINDS: dict[str, URIRef] = {
    "interim": TKG.InterimAnalysis,
    "primary": TKG.PrimaryAnalysis,
    "final": TKG.FinalAnalysis,
    "updated": TKG.UpdatedAnalysis,
}

SIDEDNESS: dict[str, URIRef] = {"one-sided": TKG.OneSided, "two-sided": TKG.TwoSided}

P_COMPARATORS = ("=", "<", "<=", ">", ">=")

#: What a comparison's test sets out to show (``tkg:hypothesis``); the last three are the
#: registry's names for a test it does not pin down.
HYPOTHESES: dict[str, URIRef] = {
    "superiority": TKG.Superiority,
    "non-inferiority": TKG.NonInferiority,
    "equivalence": TKG.Equivalence,
    "non-inferiority-or-equivalence": TKG.NonInferiorityOrEquivalence,
    "superiority-or-other": TKG.SuperiorityOrOther,
    "other": TKG.OtherHypothesis,
}
#: The hypotheses tested against a margin (``tkg:nonInferiorityMargin``; the shapes' list).
MARGIN_HYPOTHESES = ("non-inferiority", "equivalence", "non-inferiority-or-equivalence")

ALL_TABLES: dict[str, dict[str, URIRef]] = {
    "units": UNITS,
    "dose units": DOSE_UNITS,
    "routes": ROUTES,
    "source kinds": SOURCE_KINDS,
    "study kinds": STUDY_KINDS,
    "allocations": ALLOCATIONS,
    "phases": PHASES,
    "design features": DESIGN_FEATURES,
    "enrollment types": ENROLLMENT_TYPES,
    "drug classes": DRUG_CLASSES,
    "mechanisms": MECHANISMS,
    "conditions": CONDITIONS,
    "hormone-receptor status": HR_STATUS,
    "HER2 status": HER2_STATUS,
    "lines of therapy": LINES,
    "settings": SETTINGS,
    "arm roles": ARM_ROLES,
    "endpoint kinds": ENDPOINT_KINDS,
    "endpoint roles": ENDPOINT_ROLES,
    "assessors": ASSESSORS,
    "measures": MEASURES,
    "statistics": STATISTICS,
    "grades": GRADES,
    "sidedness": SIDEDNESS,
    "value statuses": VALUE_STATUSES,
    "hypotheses": HYPOTHESES,
    "data cut kinds": DATA_CUT_KINDS,
}


def condition_term(key: str) -> URIRef:
    """A condition: the ontology's term, else the one kg/reference.yaml defines."""
    return CONDITIONS.get(key) or iri.condition(key)


def mechanism_term(key: str) -> URIRef:
    """A mechanism of action: the ontology's term, else the one kg/reference.yaml defines."""
    return MECHANISMS.get(key) or iri.mechanism(key)


def unit_term(key: str) -> URIRef:
    """A unit: the unit vocabulary's (UO), else the one kg/reference.yaml defines."""
    return UNITS.get(key) or DOSE_UNITS.get(key) or iri.unit(key)


def drug_class_term(key: str) -> URIRef:
    """A drug class: the ontology's class, else the one kg/reference.yaml defines."""
    return DRUG_CLASSES.get(key) or iri.drug_class(key)
