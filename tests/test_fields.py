"""The field table (``plan.fields``) is the one list of an incident's facts and acts: every
representation (the dataclasses, the case file, the events, ``export``, the hand-over, the
wizard, the documents' variables) has exactly its keys, and a case travels through all of them
unchanged."""

from __future__ import annotations

import dataclasses
import tempfile
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qdplan_cli.plan import fields as F
from qdplan_cli.plan.decide import decide
from qdplan_cli.plan.errors import UserError
from qdplan_cli.plan.fees import Attendance
from qdplan_cli.plan.model import Fault, ProjectType, Situation, Stage
from qdplan_cli.plan.times import SHANGHAI
from qdplan_cli.record import signing
from qdplan_cli.record.casefile import (
    Case,
    Project,
    TimelineEntry,
    case_to_dict,
    parse_case,
    with_value,
)
from qdplan_cli.record.events import case_events
from qdplan_cli.record.handover import fold_chain, local_chain, read_file, write_file
from qdplan_cli.record.incident import load
from qdplan_cli.record.store import Store
from qdplan_cli.ui.jsonout import decision_json

NOW = datetime(2026, 12, 8, 18, 0, tzinfo=SHANGHAI)

# Attributes of the dataclasses that are not fields of the table: derived from the project
# (the situation's type and deadline), or the case file's arrays (timeline, attendance).
DERIVED = {"project_type", "bid_deadline"}
STRUCTURE = {"project", "situation", "timeline", "attendance"}


def test_every_field_is_an_attribute_of_the_typed_case_and_every_attribute_a_field() -> None:
    project_attrs = {f.name for f in dataclasses.fields(Project)}
    situation_attrs = {f.name for f in dataclasses.fields(Situation)} - DERIVED
    case_attrs = {f.name for f in dataclasses.fields(Case)} - STRUCTURE
    assert {f.key for f in F.PROJECT} == project_attrs
    assert situation_attrs == F.SITUATION_KEYS
    others = {"incident_id" if f.key == "id" else f.key for f in (*F.INCIDENT, *F.CONFIDENTIAL)}
    assert others - F.SITUATION_KEYS == case_attrs
    assert {f.key for f in F.INCIDENT if F.Shown.SITUATION in f.shown} == situation_attrs


def test_the_case_file_accepts_exactly_the_keys_of_the_table() -> None:
    for table, specs in (
        ("project", F.PROJECT),
        ("incident", F.INCIDENT),
        ("confidential", F.CONFIDENTIAL),
    ):
        with pytest.raises(UserError) as caught:
            parse_case({table: {"no_such_key": 1}})
        listed = caught.value.message.partition("可用：")[2].rstrip("）").split("、")
        assert sorted(listed) == sorted(f.key for f in specs), table


def test_the_wizard_asks_every_field_marked_for_it() -> None:
    from qdplan_cli.ui.wording import (
        DETAIL_PROMPTS,
        FACT_QUESTIONS,
        PROJECT_FIELD_PROMPTS,
        WIZARD,
    )

    asked = (
        set(PROJECT_FIELD_PROMPTS)
        | {fact.value for fact in FACT_QUESTIONS}
        | set(DETAIL_PROMPTS)
        | {key for key in WIZARD if f"{key}_input" in WIZARD}
        | {"started_at"}  # its own question (刚刚 / 保持 / 输入其他时间)
    ) & {f.key for f in F.FIELDS}  # (the menu has entries that are no field: 记录进展 …)
    marked = {f.key for f in F.FIELDS if F.Shown.WIZARD in f.shown}
    assert asked == marked
    for spec in F.FIELDS:
        if F.Shown.WIZARD in spec.shown:
            assert spec.question, spec.key


def test_the_documents_variables_name_the_fields_marked_for_them() -> None:
    from qdplan_cli.documents.contexts import VARIABLES

    marked = {f.path for f in F.FIELDS if F.Shown.DOCUMENTS in f.shown}
    named = {k for k in VARIABLES if k.split(".")[0] in {t.value for t in F.Table}}
    # Derived variables: a field's id or short form (``incident.stage_id``), the record hash.
    derived = {k for k in named - marked if k.rsplit("_", 1)[0] in marked}
    derived |= {"incident.record_hash", "incident.record_events"}  # the record's, not a field
    derived.add("incident.record_events")  # the record QR code (issue 22), like the hash
    assert named - derived == marked


def test_act_and_time_rules_are_where_they_belong() -> None:
    for spec in F.FIELDS:
        if spec.past_only or spec.after_onset:
            assert spec.kind is F.Kind.TIME, spec.key
    assert {f.act for f in F.FIELDS if f.act} <= set(F.Act)


# ----------------------------------------------------------------- the round trip

moments = st.builds(
    lambda minutes: datetime(2026, 12, 1, 8, 0, tzinfo=SHANGHAI) + timedelta(minutes=minutes),
    st.integers(min_value=0, max_value=60 * 24 * 6),
)
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=12
).map(str.strip)
names = st.lists(texts.filter(bool), max_size=3).map(tuple)


def value_strategy(spec: F.Field) -> st.SearchStrategy[F.Value]:
    optional = st.none()
    if spec.kind is F.Kind.TEXT:
        return texts
    if spec.kind is F.Kind.TIME:
        return optional | moments
    if spec.kind is F.Kind.DATE:
        return optional | st.dates(date(2000, 1, 1), date(2099, 12, 31))
    if spec.kind is F.Kind.BOOL:
        return st.booleans() if spec.key == "expert_left_early" else optional | st.booleans()
    if spec.kind is F.Kind.PLAN:
        return optional | st.sampled_from((1, 2, 3))
    if spec.kind is F.Kind.STAGE:
        return optional | st.sampled_from(list(Stage))
    if spec.kind is F.Kind.FAULT:
        return optional | st.sampled_from(list(Fault))
    if spec.kind is F.Kind.PROJECT_TYPE:
        return st.sampled_from(list(ProjectType))
    return names


@st.composite
def cases(draw: st.DrawFn) -> Case:
    case = Case()
    for spec in F.FIELDS:
        if spec.key == "id":
            continue  # the store gives an incident its id
        case = with_value(case, spec, draw(value_strategy(spec)))
    timeline = draw(
        st.lists(st.builds(TimelineEntry, moments, texts.filter(bool)), max_size=3).map(
            lambda entries: tuple(sorted(entries, key=lambda e: e.at))  # as a file lists them
        )
    )
    attendance = draw(
        st.lists(
            st.builds(
                lambda start, minutes, count, evaluated: Attendance(
                    start, start + timedelta(minutes=minutes), count, evaluated=evaluated
                ),
                moments,
                st.integers(0, 600),
                st.integers(1, 9),
                st.booleans(),
            ),
            max_size=2,
        ).map(tuple)
    )
    return dataclasses.replace(case, timeline=timeline, attendance=attendance)


def fields_of(data: dict[str, object]) -> dict[str, object]:
    """The three tables of a case file, without the incident's id (the store's)."""
    out = {t.value: dict(data.get(t.value, {})) for t in F.Table}  # type: ignore[call-overload]
    out["incident"].pop("id", None)  # type: ignore[attr-defined]
    out["attendance"] = data.get("attendance", [])
    return out


def decided(situation: Situation) -> str:
    try:
        return decision_json(decide(situation, NOW))
    except UserError as exc:
        return f"refused: {exc}"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cases())
def test_case_file_to_incident_to_export_to_case_file_keeps_every_field(case: Case) -> None:
    # The case file as written and read back.
    written = case_to_dict(case)
    assert parse_case(tomllib.loads(tomli_w.dumps(written))) == case
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder)) as store:
        incident_id = store.create_incident(NOW, case_events(case, NOW, "case:x.toml"), NOW)
        incident = load(store, incident_id)
        assert incident.damaged == []
        exported = case_to_dict(incident.case())
        assert fields_of(exported) == fields_of(written)
        again = parse_case(tomllib.loads(tomli_w.dumps(exported)))
        assert set(case.timeline) <= set(again.timeline)
        # The engine reads the same situation from the fold, the export and the file.
        assert incident.situation == case.situation
        assert decided(again.situation) == decided(case.situation)
        # The hand-over file carries the same incident to the archive.
        chain = local_chain(store, incident_id, laptop="test", hall="test")
        path = write_file(
            Path(folder) / "handover.jsonl", [chain], exported_at=NOW, key=signing.generate()
        )
        (received,) = read_file(path)
        assert fields_of(case_to_dict(fold_chain(received).case())) == fields_of(written)


def test_decide_has_an_option_for_every_fact_the_engine_reads() -> None:
    from .conftest import invoke

    shown = invoke("decide", "--help")
    assert shown.code == 0
    text = "".join(shown.out.split())  # the help is wrapped to the terminal's width
    aliases = {"started_at": "--fault-started-at", "type": "--project-type"}
    for spec in F.FIELDS:
        if F.Shown.SITUATION in spec.shown:
            assert aliases.get(spec.key, "--" + spec.key.replace("_", "-")) in text, spec.key


def test_dict_of_any_only_at_the_json_and_toml_edges() -> None:
    """At most five ``dict[str, Any]`` in src: what JSON or TOML decodes to or is made from."""
    src = Path(__file__).resolve().parents[1] / "src" / "qdplan_cli"
    found = {
        p.relative_to(src).as_posix(): p.read_text(encoding="utf-8").count("dict[str, Any]")
        for p in src.rglob("*.py")
    }
    found = {k: v for k, v in found.items() if v}
    edges = {"record/store.py", "local/tomlfile.py", "record/handover.py", "ui/jsonout.py"}
    assert set(found) <= edges and sum(found.values()) <= 5, found


@given(cases())
def test_evolve_makes_what_dataclasses_replace_makes(case: Case) -> None:
    """The fold's fast ``evolve`` is ``dataclasses.replace`` for the table's dataclasses: it may
    stand in only while they have no ``__post_init__`` (which it would skip) and keep a
    ``__dict__``; a name that is not a field is refused as ``replace`` refuses it."""
    for cls in (Case, Project, Situation):
        assert not hasattr(cls, "__post_init__") and not hasattr(cls, "__slots__"), cls
    for target in (case, case.project, case.situation):
        for spec in dataclasses.fields(target):
            value = getattr(target, spec.name)
            changed = F.evolve(target, {spec.name: value})
            assert changed == dataclasses.replace(target, **{spec.name: value})
            assert changed is not target and type(changed) is type(target)
        with pytest.raises(TypeError):
            F.evolve(target, {"no_such_field": 1})
    before = dataclasses.replace(case)
    moved = F.evolve(case, {"incident_id": case.incident_id + "X", "cause": "断电"})
    assert moved == dataclasses.replace(case, incident_id=case.incident_id + "X", cause="断电")
    assert case == before  # the original is left as it was
