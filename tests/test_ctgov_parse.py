"""ClinicalTrials.gov records (API v2 JSON and legacy XML) read into typed registry records."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from trialkg.paths import default_documents_dir
from trialkg.sources.ctgov import RegistryParseError, read_record, record_files

CTGOV = default_documents_dir().parent / "ctgov"
SMALL_JSON = ("NCT03377387.json", "NCT02513394.json")


@pytest.fixture(scope="module")
def pallas():  # type: ignore[no-untyped-def]
    return read_record(CTGOV / "NCT02513394.json")


def test_reads_every_fixture_in_a_folder() -> None:
    records = [read_record(p) for p in record_files([CTGOV])]
    assert [(r.nct_id, r.format) for r in records] == [
        ("NCT02513394", "ctgov-api-v2-json"),
        ("NCT02513394", "ctgov-legacy-xml"),
        ("NCT03377387", "ctgov-api-v2-json"),
        ("NCT03377387", "ctgov-legacy-xml"),
        ("NCT03587740", "ctgov-legacy-xml"),
    ]


def test_pallas_protocol(pallas) -> None:  # type: ignore[no-untyped-def]
    assert pallas.phases == ("PHASE3",)
    assert pallas.allocation == "RANDOMIZED"
    assert (pallas.enrollment.text, pallas.enrollment_type) == ("5796", "ACTUAL")
    assert pallas.enrollment.pointer == "/protocolSection/designModule/enrollmentInfo/count"
    assert [a.title for a in pallas.arms] == ["Arm A", "Arm B"]
    assert "Drug: Palbociclib" in pallas.arms[0].interventions
    assert "Pfizer" in pallas.collaborators
    assert pallas.version_date == "2023-06-15"


def test_pallas_results(pallas) -> None:  # type: ignore[no-untyped-def]
    idfs = pallas.outcomes[0]
    assert idfs.title.startswith("Invasive Disease Free Survival")
    assert idfs.time_frame == "4 years"
    assert [(m.group_id, m.value.text) for m in idfs.measurements] == [
        ("OG000", "84.2"),
        ("OG001", "84.5"),
    ]
    (hr,) = idfs.analyses
    assert (hr.param_type, hr.value.text, hr.lower.text, hr.upper.text) == (
        "Hazard Ratio (HR)",
        "0.96",
        "0.81",
        "1.14",
    )
    assert (hr.p_value.text, hr.method, hr.ci_percent) == ("0.65", "Log Rank", "95")
    started = {f.group_id: f.count.text for f in pallas.flow if f.milestone == "STARTED"}
    assert started == {"FG000": "2896", "FG001": "2900"}
    serious = {e.term for e in pallas.adverse_events if e.serious}
    other = {e.term for e in pallas.adverse_events if not e.serious}
    assert len(pallas.adverse_events) == 2 * (341 + 1688)
    assert "Anaemia" in serious and len(serious) <= 341 and len(other) <= 1688


def test_two_versions_of_one_trial_disagree() -> None:
    old = read_record(CTGOV / "NCT03377387.xml")
    new = read_record(CTGOV / "NCT03377387.json")
    assert (old.enrollment.text, old.enrollment_type) == ("48", "Anticipated")
    assert (new.enrollment.text, new.enrollment_type) == ("34", "ACTUAL")
    assert old.overall_status.text == "Recruiting"
    assert new.overall_status.text == "ACTIVE_NOT_RECRUITING"


def test_legacy_xml_alias() -> None:
    atop = read_record(CTGOV / "NCT03587740.xml")
    assert atop.aliases == ("NCT02414646",)
    assert atop.phases == ("Phase 2",)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"protocolSection": ', "malformed JSON"),
        ('{"protocolSection": {"identificationModule": {"nctId": "X1"}}}', "not an NCT number"),
        ('{"results": []}', "protocolSection"),
        ("<clinical_study><id_info></id_info>", "malformed XML"),
        ("<study/>", "not a ClinicalTrials.gov <clinical_study>"),
        ("hello", "neither ClinicalTrials.gov JSON nor XML"),
    ],
)
def test_bad_records_are_reported(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "record.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryParseError) as info:
        read_record(path)
    assert expected in str(info.value)
    assert str(path) in str(info.value)


def test_legacy_xml_values_read_as_api_v2_writes_them(pallas) -> None:  # type: ignore[no-untyped-def]
    from trialkg.sources.ctgov import enum_value, iso_date

    assert iso_date("September 2025") == "2025-09"
    assert iso_date("August 18, 2020") == "2020-08-18"
    assert iso_date("2015-08") == "2015-08" and iso_date("Spring 2020") == "Spring 2020"
    assert enum_value("Health Services Research") == "HEALTH_SERVICES_RESEARCH"
    old = read_record(CTGOV / "NCT02513394.xml")
    assert (old.start_date, old.primary_purpose) == (pallas.start_date, pallas.primary_purpose)
    assert old.start_date == "2015-08" and old.primary_purpose == "TREATMENT"
    # the 2020 record still announced completion in September 2020; the 2023 one says November
    assert (old.primary_completion_date, pallas.primary_completion_date) == ("2020-09", "2020-11")
    assert old.secondary_ids == ("ABCSG 42", "BIG 14-03", "2014-005181-30")


def test_a_page_of_search_results_or_an_array_holds_several_records(tmp_path: Path) -> None:
    from trialkg.sources.ctgov import read_records

    one, two = (json.loads((CTGOV / n).read_text(encoding="utf-8")) for n in SMALL_JSON)
    page, array, empty = tmp_path / "page.json", tmp_path / "array.json", tmp_path / "none.json"
    page.write_text(json.dumps({"studies": [one, two], "nextPageToken": "x"}), encoding="utf-8")
    array.write_text(json.dumps([two, {"protocolSection": {}}]), encoding="utf-8")
    empty.write_text(json.dumps({"studies": []}), encoding="utf-8")
    records = read_records(page)
    assert [(r.nct_id, r.pointer_base) for r in records] == [
        ("NCT03377387", "/studies/0"),
        ("NCT02513394", "/studies/1"),
    ]
    with pytest.raises(RegistryParseError, match="holds 2 study records, not one"):
        read_record(page)
    with pytest.raises(RegistryParseError, match=r"\[1\]\.protocolSection\.identificationModule"):
        read_records(array)
    errors: list[RegistryParseError] = []
    assert [r.pointer_base for r in read_records(array, errors)] == ["/0"]
    assert len(errors) == 1 and "not an NCT number" in str(errors[0])
    with pytest.raises(RegistryParseError, match="studies: no study records"):
        read_records(empty)


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (["protocolSection", "statusModule"], "", "protocolSection.statusModule",
         'expected an object, got the value ""'),
        (["protocolSection", "armsInterventionsModule", "armGroups"], 7,
         "protocolSection.armsInterventionsModule.armGroups",
         "expected a list (of objects), got the value 7"),
        (["protocolSection", "armsInterventionsModule", "interventions", 0], "Palbociclib",
         "protocolSection.armsInterventionsModule.interventions[0]",
         'expected an object, got the value "Palbociclib"'),
        (["protocolSection", "conditionsModule", "conditions", 0], {"name": "x"},
         "protocolSection.conditionsModule.conditions[0]",
         "expected a text or a number, got an object"),
        (["resultsSection", "outcomeMeasuresModule", "outcomeMeasures", 0, "classes"], {},
         "resultsSection.outcomeMeasuresModule.outcomeMeasures[0].classes",
         "expected a list (of objects), got an object"),
    ],
)  # fmt: skip
def test_a_field_of_the_wrong_json_type_is_named(
    tmp_path: Path, path: list[str | int], value: object, field: str, message: str
) -> None:
    """A record whose field holds the wrong kind of JSON value (a text for an object, an
    object for a list) is an error naming the field and what it holds, not a crash; a field
    given as null is taken as not given (an item of a list given as null is an error)."""
    data = json.loads((CTGOV / "NCT02513394.json").read_text(encoding="utf-8"))
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    bad = tmp_path / "NCT02513394.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RegistryParseError) as info:
        read_record(bad)
    assert (info.value.field, info.value.message) == (field, message)
    node[path[-1]] = None
    bad.write_text(json.dumps(data), encoding="utf-8")
    if isinstance(path[-1], str):  # a field given as null: not given
        assert read_record(bad).nct_id == "NCT02513394"
    else:
        with pytest.raises(RegistryParseError, match=r"\[0\]: expected .*, got null"):
            read_record(bad)


@pytest.mark.parametrize("module", ["conditionBrowseModule", "interventionBrowseModule"])
@pytest.mark.parametrize(
    ("meshes", "field", "message"),
    [
        ({"id": "D000001943"}, "Module.meshes", "expected a list of objects"),
        ([{"id": "D000001943"}], "Module.meshes[0].term", "missing: the heading's name"),
        ([{"term": "Breast Neoplasms", "id": 1943}], "Module.meshes[0].id", "expected a text"),
    ],
)
def test_a_bad_mesh_heading_is_an_error_naming_its_field(
    tmp_path: Path, module: str, meshes: Any, field: str, message: str
) -> None:
    data = json.loads((CTGOV / "NCT03377387.json").read_text(encoding="utf-8"))
    data["derivedSection"][module]["meshes"] = meshes
    field = module + field.removeprefix("Module")
    path = tmp_path / "NCT03377387.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(RegistryParseError, match=re.escape(field)) as info:
        read_record(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_intervention_headings_are_read_from_both_formats() -> None:
    json_rec = read_record(CTGOV / "NCT02513394.json")
    assert [(m.term, m.id) for m in json_rec.intervention_meshes] == [("Palbociclib", "C000500026")]
    xml_rec = read_record(CTGOV / "NCT03587740.xml")  # legacy XML: names only
    assert [(m.term, m.id) for m in xml_rec.intervention_meshes] == [
        ("Ado-trastuzumab emtansine", "")
    ]
