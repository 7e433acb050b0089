"""Confidentiality: expert and bidder names never reach a public document or the terminal output
of rendering one, and every file the tool writes that holds them is owner-only (0600).

The property tests keep a small profile by default; ``QDPLAN_CONF_EXAMPLES`` raises it."""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from .conftest import Result, examples, invoke
from .renderkit import NOW, load_toml, text_of, write_case

EXAMPLES = int(os.environ.get("QDPLAN_CONF_EXAMPLES", "0")) or examples(25)
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
# case file → its public document
CASES = {
    "prep-power-delay.toml": "delay_notice",
    "opening-network-plan3.toml": "supplementary_notice",
}

# Names as people and companies write them: Chinese, Latin, with the characters that break
# naive escaping (markup, XML, TOML, regex) and the separators names really contain.
name_chars = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from(
        list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        + list("·•-_ .,()（）&<>\"'|#@*{}%$\\/[]~!?+=:;，。、：；“”‘’【】《》\u3000")
    ),
)
names = st.text(name_chars, min_size=2, max_size=16).filter(lambda s: s.strip() == s and s)
name_lists = st.lists(names, min_size=1, max_size=5, unique=True)


def run_main(argv: list[str]) -> tuple[int, str, str]:
    result = invoke(*argv)
    return result.code, result.out, result.err


def file_texts(path: Path) -> Iterator[str]:
    """Everything a file holds, as text: a DOCX's every part (body, properties, styles) raw,
    and the body as a reader sees it (names split across runs included)."""
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                yield archive.read(member).decode("utf-8", "replace")
        if path.suffix == ".docx":
            yield text_of(path)
    else:
        yield data.decode("utf-8", "replace")


def holds(path: Path, name: str) -> bool:
    forms = {name, escape(name, {'"': "&quot;", "'": "&apos;"}), escape(name)}
    return any(form in text for text in file_texts(path) for form in forms)


_baseline: dict[str, str] = {}


def baseline(case_name: str) -> str:
    """The case's public document and render output without any confidential names: a random
    name that already occurs there (say, 公告) cannot be told from a leak and is skipped."""
    if case_name not in _baseline:
        data = load_toml(case_name)
        data.pop("confidential", None)
        with tempfile.TemporaryDirectory() as folder:
            case = write_case(Path(folder) / "case.toml", data)
            code, out, err = run_main(
                ["render", "--case", str(case), "--out", f"{folder}/out", "--now", NOW]
            )
            assert code == 0, err
            public = Path(folder) / "out" / f"{CASES[case_name]}.docx"
            _baseline[case_name] = "\n".join([*file_texts(public), out, err])
    return _baseline[case_name]


@PROPERTY
@given(
    case_name=st.sampled_from(sorted(CASES)),
    experts=name_lists,
    bidders=name_lists,
)
@example(
    case_name="opening-network-plan3.toml",
    experts=["王<b>&amp;", 'Zhang "Wei"', "李·{{ x }}"],
    bidders=["某某|#@有限公司", "ACME & Sons <Ltd>"],
)
def test_random_names_never_reach_a_public_document(
    case_name: str, experts: list[str], bidders: list[str]
) -> None:
    from qdplan_cli.documents.names import fold_name

    known = baseline(case_name)
    for name in [*experts, *bidders]:
        assume(name not in known and escape(name) not in known)
        # A name that folds (look-alikes, separators, blanks) into text the document always
        # carries is refused, rightly: it cannot be told from a leak either.
        assume(fold_name(name) not in fold_name(known))
    data = load_toml(case_name)
    data["confidential"] = {"experts": experts, "bidders": bidders}
    with tempfile.TemporaryDirectory() as folder:
        case = write_case(Path(folder) / "case.toml", data)
        out = Path(folder) / "out"
        code, stdout, stderr = run_main(
            ["render", "--case", str(case), "--out", str(out), "--now", NOW, "--expert-names"]
        )
        assert code == 0, stderr
        public = out / f"{CASES[case_name]}.docx"
        assert public.exists()
        for name in [*experts, *bidders]:
            assert not holds(public, name), (name, public.name)
            assert name not in stdout and name not in stderr
        # The names did reach the case: the store of them is the internal documents' business.
        internal = [p for p in out.iterdir() if p != public]
        assert internal
        if os.name != "nt":  # Windows has no owner-only mode bits
            assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in internal)


@PROPERTY
@given(
    case_name=st.sampled_from(sorted(CASES)),
    name=names,
    carrier=st.sampled_from(["name", "tenderer", "venue", "tenderer_address", "agency_address"]),
    kind=st.sampled_from(["experts", "bidders"]),
)
def test_a_name_smuggled_into_a_public_field_stops_the_render(
    case_name: str, name: str, carrier: str, kind: str
) -> None:
    """A confidential name typed into a field the public notice prints: nothing is written."""
    known = baseline(case_name)
    assume(name not in known and escape(name) not in known)
    data = load_toml(case_name)
    # The 更正公告 of a procurement project leaves an unchanged venue out (其他内容不变).
    assume(carrier != "venue" or data["project"]["type"] != "procurement")
    data["project"][carrier] = f"{data['project'].get(carrier, '')}（{name}）"
    data["confidential"] = {kind: [name]}
    with tempfile.TemporaryDirectory() as folder:
        case = write_case(Path(folder) / "case.toml", data)
        out = Path(folder) / "out"
        code, stdout, stderr = run_main(
            ["render", "--case", str(case), "--out", str(out), "--now", NOW]
        )
        assert code == 2, stdout + stderr
        assert "公开文书" in stderr and f"project.{carrier}" in stderr
        assert not out.exists() or not list(out.iterdir())


# ----------------------------------------------------------------- file modes


def written_files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots if root.exists() for p in root.rglob("*") if p.is_file())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")
def test_every_file_holding_names_is_owner_only(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run the writing commands under a permissive umask, then look at every file written."""
    previous = os.umask(0o022)
    try:
        _run_writing_commands(run, tmp_path, monkeypatch)
    finally:
        os.umask(previous)


def _run_writing_commands(
    run: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime

    from qdplan_cli import runtime
    from qdplan_cli.plan.times import localize

    monkeypatch.setattr(runtime, "clock", lambda: localize(datetime(2026, 12, 16, 10, 0)))
    home = Path(os.environ["QDPLAN_HOME"])
    config = tmp_path / "config"
    monkeypatch.setenv("QDPLAN_CONFIG", str(config / "config.toml"))
    cache = Path(os.environ["QDPLAN_CACHE"])
    cache_before = set(written_files(cache))
    out = tmp_path / "out"
    data = load_toml("opening-network-plan3.toml")
    data["confidential"]["experts"] = ["钱保密", "孙保密"]
    (tmp_path / "input").mkdir()
    out.mkdir()
    case = write_case(tmp_path / "input" / "case.toml", data)
    evaluation = load_toml("evaluation-network-plan3.toml")
    evaluation["confidential"]["experts"] = ["钱保密", "孙保密", "周保密"]
    evaluation_case = write_case(tmp_path / "input" / "evaluation.toml", evaluation)
    secret = ["钱保密", "孙保密", "周保密", *data["confidential"]["bidders"]]

    steps: list[list[str]] = [
        ["config", "init"],
        ["incident", "--case", str(case), "--no-input"],
        ["log", "已通知保障人员"],
        ["export", "--out", str(out / "export.toml")],
        ["render", "--case", str(case), "--out", str(out / "case"), "--now", NOW],
        ["render", "--case", str(evaluation_case), "--out", str(out / "evaluation"), "--now", NOW]
        + ["--expert-names"],
        ["render", "--incident", "", "--out", str(out / "incident"), "--now", NOW],
    ]
    incident_id = ""
    for argv in steps:
        argv = [incident_id if a == "" else a for a in argv]
        result = run(*argv)
        assert result.code == 0, (argv, result.err)
        found = re.search(r"事件编号：(\S+)", result.out)
        incident_id = found[1] if found else incident_id
    if shutil.which("soffice") or shutil.which("libreoffice"):
        result = run(
            "render", "--case", str(case), "--out", str(out / "pdf"), "--now", NOW, "--pdf"
        )
        assert result.code == 0, result.err

    files = [p for p in written_files(home, config, out, cache) if p not in cache_before]
    holding = [p for p in files if any(holds(p, name) for name in secret)]
    # The test means something only if the names were really written somewhere.
    assert home / "qdplan.db" in holding
    assert out / "export.toml" in holding
    assert out / "evaluation" / "confidentiality_commitment.docx" in holding
    leaks = {str(p.relative_to(tmp_path)): oct(mode(p)) for p in holding if mode(p) != 0o600}
    assert leaks == {}
    assert mode(home) == 0o700
    # Public notices are meant to be handed out: readable by others, and free of names.
    for public in out.rglob("supplementary_notice.*"):
        assert mode(public) == 0o644 and public not in holding
    # Internal documents are owner-only whether or not they hold a name today.
    for internal in [*out.rglob("incident_record.*"), *out.rglob("filing_report.*")]:
        assert mode(internal) == 0o600, internal


def test_a_fullwidth_digit_and_a_control_character_fold_like_the_plain_name() -> None:
    """Found by the disguise property (tests/test_confidential_variants.py): '0\\x01001０' was
    folded to 'ooolO' and '00010' to 'ooolo', so the disguised name reached the notice (the
    writer drops the control character, ０ prints as 0)."""
    from qdplan_cli.documents.names import fold_name

    assert fold_name("0\x01001０") == fold_name("00010")
    assert fold_name("Ｏ") == fold_name("0") == fold_name("o")


@settings(max_examples=examples(500), deadline=None)
@given(st.text(max_size=12))
def test_folding_twice_changes_nothing(text: str) -> None:
    """A folded name is its own fold: whatever path a character takes (simplified form,
    confusable prototype, compatibility form, case), it ends where its look-alikes end."""
    from qdplan_cli.documents.names import fold_name

    once = fold_name(text)
    assert fold_name(once) == once
