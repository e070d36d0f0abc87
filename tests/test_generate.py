"""The main job, as a user runs it: what lands in the output folder, and what never does (SPEC §5, §6)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook

from hino_forms.forms.render import form_filename
from hino_forms.output.layout import safe_name, timing_folder
from tests.builders import contract_row, write_workbook
from tests.conftest import ROOT, SAMPLE, CliResult

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
Cli = Callable[..., CliResult]


def plan_rows(cli: Cli, *args: str) -> list[dict[str, object]]:
    result = cli("plan", SAMPLE, "--format", "json", *args)
    assert result.code in (0, 1), result.err
    rows: list[dict[str, object]] = json.loads(result.out)["submissions"]
    return rows


def form_files(out: Path, suffix: str = ".docx") -> set[str]:
    """Rendered form files (bundles excluded), as contract/timing/name."""
    return {
        p.relative_to(out).as_posix()
        for p in out.rglob(f"*{suffix}")
        if not p.name.startswith(p.parts[-3] + "_") and p.name.startswith("様式")
    }


def expected_files(rows: list[dict[str, object]], suffix: str = ".docx") -> set[str]:
    from datetime import date

    from hino_forms.models import Submission, Submitter, Timing
    from hino_forms.workbook.reader import read_workbook

    # SPEC v2 §5: a ① form dated other than its contract's 契約締結日 is filed 随時.
    concluded = {c.contract_id: c.concluded for c in read_workbook(SAMPLE).contracts}
    names = set()
    for r in rows:
        if r["status"] != "ready":
            continue
        day = date.fromisoformat(str(r["date"]))
        sub = Submission(
            occasional=r["timing"] == "conclusion" and day != concluded[str(r["contract_id"])],
            contract_id=str(r["contract_id"]),
            form=int(r["form"]),
            timing=Timing(r["timing"]),  # type: ignore[call-overload]
            date=date.fromisoformat(str(r["date"])),
            fiscal_year=r["fiscal_year"],  # type: ignore[arg-type]
            submitter=Submitter(r["submitter"]),
            subcontractor=r["subcontractor"],  # type: ignore[arg-type]
        )
        names.add(
            f"{safe_name(sub.contract_id)}/{timing_folder(sub)}/{safe_name(form_filename(sub))}{suffix}"
        )
    return names


@pytest.mark.soffice
@pytest.mark.slow
def test_generate_py_makes_every_planned_form_the_bundles_and_the_lists(
    tmp_path: Path, cli: Cli
) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    result = subprocess.run(
        [sys.executable, str(ROOT / "generate.py")],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr
    out = tmp_path / "output"
    rows = plan_rows(cli)
    assert form_files(out) == expected_files(rows)
    assert form_files(out, ".pdf") == expected_files(rows, ".pdf")
    bundles = [p for p in out.rglob("*.pdf") if p.name.startswith(p.parts[-3] + "_")]
    assert bundles and all(p.with_suffix(".docx").exists() for p in bundles)
    assert "契約" in result.stdout and "秒" in result.stdout  # the summary line

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {f["path"] for f in manifest["files"]}
    on_disk = {
        p.relative_to(out).as_posix()
        for p in out.rglob("*")
        if p.is_file() and p.name not in ("manifest.json", "提出予定一覧.xlsx")
    }
    assert listed == on_disk
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])

    ws = load_workbook(out / "提出予定一覧.xlsx")["提出予定一覧"]
    assert ws.max_row - 1 == len(rows)

    scratch = tmp_path / "word-bundles"
    scratch.mkdir()
    _check_bundles(out, bundles, scratch)

    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    again = subprocess.run(
        [sys.executable, str(ROOT / "generate.py")],
        cwd=tmp_path,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert again.returncode == 2
    assert "--force" in again.stderr and "Traceback" not in again.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


@pytest.mark.parametrize(
    "filters",
    [
        ("--contract", "R7-001"),
        ("--timing", "fiscal_year"),
        ("--from", "2026-04-01", "--to", "2026-04-30"),
        ("--contract", "R7-002", "--timing", "end"),
    ],
)
def test_filters_select_exactly_the_plan_rows(
    tmp_path: Path, cli: Cli, filters: tuple[str, ...]
) -> None:
    out = tmp_path / "out"
    result = cli("generate", SAMPLE, "--out", out, "--no-pdf", *filters)
    assert result.code == 0, result.err
    assert form_files(out) == expected_files(plan_rows(cli, *filters))


def test_existing_output_is_left_alone_without_force(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "out"
    assert cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001").code == 0
    marker = next(out.rglob("*.docx"))
    marker.write_bytes(b"edited by hand")
    second = cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001")
    assert second.code == 2
    assert "--force" in second.err
    assert marker.read_bytes() == b"edited by hand"
    forced = cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001", "--force")
    assert forced.code == 0, forced.err
    assert marker.read_bytes() != b"edited by hand"


def test_one_broken_contract_and_one_broken_template_do_not_stop_the_rest(
    tmp_path: Path, cli: Cli
) -> None:
    book = write_workbook(
        tmp_path / "in.xlsx",
        {
            "契約": [
                contract_row(契約番号="GOOD-1"),
                contract_row(
                    契約番号="BAD-1", 機密性区分=1, 特定個人情報="有"
                ),  # error: My Number needs class 3
                contract_row(契約番号="GOOD-2", 機密性区分=3),
            ]
        },
    )
    templates = tmp_path / "templates"
    templates.mkdir()
    shutil.copy(
        ROOT / "hino_forms" / "resources" / "templates" / "form3.docx", templates / "form3.docx"
    )
    _break_template(templates / "form3.docx")
    out = tmp_path / "out"
    result = cli("generate", book, "--out", out, "--no-pdf", "--templates", templates)
    assert result.code == 1
    assert "BAD-1" in result.err
    assert "GOOD-1" in result.err and "様式第3号" in result.err
    assert (out / "GOOD-2").is_dir() and not (out / "BAD-1").exists()
    made = {p.name for p in out.rglob("様式*.docx")}
    assert "様式第2号_委託業務従事者体制届出書.docx" in made
    assert any(n.startswith("様式第4号-①") for n in made)
    assert not any(n.startswith("様式第3号") for n in made)
    ws = load_workbook(out / "提出予定一覧.xlsx")["提出予定一覧"]
    header = [c.value for c in ws[1]]
    status = {
        (r[header.index("契約番号")], r[header.index("様式")]): r[header.index("状態")]
        for r in ws.iter_rows(min_row=2, values_only=True)
    }
    assert status[("GOOD-1", "様式第3号")].startswith("作成できず")
    assert status[("GOOD-1", "様式第2号")] == "作成済"


def _break_template(path: Path) -> None:
    """A city-edited template whose expression raises at render time (1 / 0)."""
    import zipfile

    data = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data[name] = z.read(name)
    xml = data["word/document.xml"].decode()
    i = xml.index("<w:t", xml.index("<w:body>"))
    j = xml.index(">", i) + 1
    data["word/document.xml"] = (xml[:j] + "{{ 1 / 0 }}" + xml[j:]).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, content in data.items():
            z.writestr(name, content)


def test_a_hostile_contract_id_stays_inside_out(tmp_path: Path, cli: Cli) -> None:
    hostile = "../../x/..\\R7:001*"
    book = write_workbook(tmp_path / "in.xlsx", {"契約": [contract_row(契約番号=hostile)]})
    out = tmp_path / "deep" / "out"
    result = cli("generate", book, "--out", out, "--no-pdf")
    assert result.code == 0, result.err
    outside = [
        p
        for p in tmp_path.rglob("*")
        if not p.is_relative_to(out) and p.name not in ("in.xlsx", "deep")
    ]
    assert outside == []
    assert len([p for p in out.iterdir() if p.is_dir()]) == 1
    assert any(out.rglob("様式第2号*.docx"))


def test_output_is_readable_by_the_owner_only(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "out"
    assert cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001").code == 0
    for p in out.rglob("*"):
        assert p.stat().st_mode & 0o077 == 0, p


def test_bad_input_and_bad_options_exit_2_with_one_line(tmp_path: Path, cli: Cli) -> None:
    text = tmp_path / "notes.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    for args in (
        ("generate", str(text), "--out", str(tmp_path / "o1")),
        ("generate", str(SAMPLE), "--out", str(tmp_path / "o2"), "--from", "someday"),
        ("generate", str(SAMPLE), "--out", str(tmp_path / "o3"), "--contract", "NO-SUCH"),
    ):
        result = cli(*args)
        assert result.code == 2, args
        assert "Traceback" not in result.err
        assert result.err.strip().startswith("エラー")
    assert not any((tmp_path / n).exists() for n in ("o1", "o2", "o3"))


# Runs the pipeline in chunks of 2 contracts and stops for good at the first form of the third
# chunk, once the first chunk is in place: the SIGKILL lands at a known point, not a race.
_KILLED_RUN = """
import sys, time
from pathlib import Path
from hino_forms.output.pipeline import Options, generate
book, out = Path(sys.argv[1]), Path(sys.argv[2])
class Stall:
    def stage(self, name, total):
        pass
    def advance(self, name, n=1):
        if name == "render" and (out / "K-000").exists():
            (out.parent / "stalled").touch()
            time.sleep(600)
generate(Options(input_path=book, out=out, pdf=False, chunk_contracts=2), Stall())
"""


def test_a_killed_run_leaves_no_partial_contract_folder(tmp_path: Path, cli: Cli) -> None:
    book = tmp_path / "many.xlsx"
    rows = [contract_row(契約番号=f"K-{i:03d}", 機密性区分=3, 特定個人情報="有") for i in range(5)]
    write_workbook(book, {"契約": rows})
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_RUN, str(book), str(out)], cwd=ROOT, env=ENV
    )
    try:
        stalled = _wait_for(tmp_path / "stalled", proc)
    finally:
        proc.kill()  # SIGKILL: no cleanup code runs
        proc.wait()
    assert stalled, "the run ended before it reached the third chunk"

    assert sorted(p.name for p in out.glob("K-*")) == ["K-000", "K-001"]
    expected = {
        "様式第2号_委託業務従事者体制届出書.docx",
        "様式第5号-①_特定個人情報の保護に関する報告書.docx",
    }
    for name in ("K-000", "K-001"):
        made = {p.name for p in (out / name).rglob("*.docx")}
        assert expected <= made, f"{name} is incomplete"
    assert not (out / "manifest.json").exists()

    result = cli("generate", book, "--out", out, "--no-pdf", "--force")
    assert result.code == 0, result.err
    assert len(list(out.glob("K-*"))) == 5
    assert not (out / ".hino-forms-work").exists()


def _wait_for(marker: Path, proc: subprocess.Popen[bytes]) -> bool:
    """Wait until ``marker`` exists (True) or the process ended (False)."""
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if marker.exists():
            return True
        time.sleep(0.05)
    return marker.exists()


def _check_bundles(out: Path, bundles: list[Path], scratch: Path) -> None:
    """Each sample bundle: cover + its forms' pages, one bookmark per form, the titles in the text;
    its Word twin converts to the same number of pages (issue: bundles on the sample)."""
    from pypdf import PdfReader

    from hino_forms.output import pdf

    # Copies: converting a Word bundle in place would write over its PDF bundle.
    copies = {}
    for i, b in enumerate(bundles):
        copies[b] = scratch / f"{i:03d}.docx"
        shutil.copy(b.with_suffix(".docx"), copies[b])
    word_pdfs = pdf.convert(list(copies.values()), jobs=2)
    assert not word_pdfs.failed
    for bundle in bundles:
        forms = sorted(p for p in bundle.parent.glob("様式*.pdf") if _belongs(p, bundle))
        reader = PdfReader(bundle)
        expected = 1 + sum(len(PdfReader(f).pages) for f in forms)
        assert len(reader.pages) == expected, bundle
        assert len(reader.outline) == len(forms), bundle
        titles = [item.title for item in reader.outline]
        text = subprocess.run(
            ["pdftotext", str(bundle), "-"], capture_output=True, text=True
        ).stdout
        squeezed = "".join(text.split())
        for t in titles:
            form_title = t.split(" ", 1)[1]
            assert form_title in squeezed, (bundle, t)
        converted = word_pdfs.converted[copies[bundle]]
        assert len(PdfReader(converted).pages) == expected, bundle
    fonts = subprocess.run(["pdffonts", str(bundles[0])], capture_output=True, text=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(" yes " in r for r in rows)  # every font embedded
    assert "IPAex" in fonts


def _belongs(form_pdf: Path, bundle: Path) -> bool:
    """A form belongs to the bundle of its submitter: the subcontractor's name ends both names."""
    who = bundle.stem.split("_", 2)[2] if bundle.stem.count("_") >= 2 else ""
    if who == "日野市":
        return form_pdf.name.startswith("様式第7号")
    if who:
        return form_pdf.stem.endswith(f"_{who}") and not form_pdf.name.startswith(
            ("様式第6号", "様式第7号")
        )
    subcontractor_form = form_pdf.stem.count("_") >= 2 and not form_pdf.name.startswith("様式第6号")
    return not subcontractor_form and not form_pdf.name.startswith("様式第7号")


def test_a_second_run_into_the_same_folder_waits_its_turn(tmp_path: Path, cli: Cli) -> None:
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    with (out / ".hino-forms.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as a run in progress holds it
        result = cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001")
    assert result.code == 2
    assert "書き込み中" in result.err
    assert not any(out.glob("R7-*"))
    again = cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001")
    assert again.code == 0, again.err
    assert not (out / ".hino-forms.lock").exists()


def test_without_libreoffice_word_files_are_still_made(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    monkeypatch.delenv("HINO_FORMS_SOFFICE", raising=False)
    out = tmp_path / "out"
    result = cli("generate", SAMPLE, "--out", out, "--contract", "R7-001")
    assert result.code == 0, result.err
    assert "LibreOffice" in result.err and "Word (.docx) だけ" in result.err
    assert any(out.rglob("様式第2号*.docx")) and not any(out.rglob("*.pdf"))

    asked = cli("generate", SAMPLE, "--contract", "R7-001", "--pdf", "--out", tmp_path / "pdf")
    assert asked.code == 2
    assert "LibreOffice" in asked.err and "Traceback" not in asked.err
    assert not (tmp_path / "pdf").exists()


@pytest.mark.soffice
def test_encrypted_bundles_need_the_password_and_a_weak_one_writes_nothing(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader
    from pypdf.constants import UserAccessPermissions as Perm

    monkeypatch.setenv("HINO_FORMS_PASSWORD", "abcdefgh")
    weak = cli(
        "generate", SAMPLE, "--out", tmp_path / "weak", "--contract", "R7-005", "--encrypt",
        "--account", "tanaka",
    )  # fmt: skip
    assert weak.code == 2 and "パスワードポリシー" in weak.err
    assert not (tmp_path / "weak").exists()

    monkeypatch.setenv("HINO_FORMS_PASSWORD", "Hino-2025!")
    out = tmp_path / "out"
    strong = cli(
        "generate", SAMPLE, "--out", out, "--contract", "R7-005", "--encrypt", "--account", "tanaka"
    )
    assert strong.code == 0, strong.err
    bundles = sorted(out.rglob("R7-005_*.pdf"))
    assert bundles
    for b in bundles:
        reader = PdfReader(b)
        assert reader.is_encrypted
        assert reader.decrypt("wrong-Pass1") == 0
        assert reader.decrypt("Hino-2025!") != 0
        assert len(reader.pages) >= 2
        allowed = reader.user_access_permissions
        assert allowed is not None
        assert Perm.PRINT in allowed and Perm.MODIFY not in allowed  # print yes, edit no
    # No plaintext beside them: no Word file, no per-form PDF (issue 13 item 2).
    landed = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert landed == {b.relative_to(out).as_posix() for b in bundles} | {
        "manifest.json",
        "提出予定一覧.xlsx",
    }
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {f["path"] for f in manifest["files"]} == {
        b.relative_to(out).as_posix() for b in bundles
    }


def test_encrypt_without_a_possible_pdf_is_refused_before_anything_is_written(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HINO_FORMS_PASSWORD", "Hino-2025!")
    args = ("generate", SAMPLE, "--contract", "R7-005", "--encrypt", "--account", "tanaka")
    no_pdf = cli(*args, "--no-pdf", "--out", tmp_path / "a")
    assert no_pdf.code == 2 and "--no-pdf" in no_pdf.err and "--encrypt" in no_pdf.err
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    monkeypatch.delenv("HINO_FORMS_SOFFICE", raising=False)
    no_office = cli(*args, "--out", tmp_path / "b")
    assert no_office.code == 2 and "LibreOffice" in no_office.err and "--encrypt" in no_office.err
    assert "Traceback" not in no_pdf.err + no_office.err
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
