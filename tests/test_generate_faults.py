"""The main job on real desks: LibreOffice that hangs or writes garbage, signals, planted links,
odd output folders and files held open by another program (issue 13 items 4, 7, 8, 9, 13)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import pytest

from hino_forms.errors import OutputBusy
from hino_forms.models import Status
from hino_forms.output import folder as outdir
from hino_forms.output import pdf
from hino_forms.output.bundle import group_bundles
from hino_forms.output.pipeline import Options, generate
from hino_forms.planning.rules import plan
from hino_forms.workbook.reader import read_workbook
from tests.conftest import ROOT, SAMPLE, CliResult
from tests.fake_soffice import (
    MakeFake,
    assert_none_alive,
    fake_soffice_fixture,  # noqa: F401 (the fake_soffice fixture)
    soffice_starts,
)

Cli = Callable[..., CliResult]
posix_only = pytest.mark.skipif(
    sys.platform == "win32", reason="the fake soffice is a POSIX script"
)


def contents(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (what a user would find there)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@posix_only
def test_a_hung_libreoffice_costs_one_timeout_and_the_run_finishes_in_word(
    tmp_path: Path, fake_soffice: tuple[MakeFake, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    make, state = fake_soffice
    monkeypatch.setenv("FAKE_SOFFICE", "hang")
    out = tmp_path / "out"
    converter = pdf.SofficePool(make(), jobs=1, timeout=1.0)

    summary = generate(Options(input_path=SAMPLE, out=out, converter=converter, chunk_contracts=3))

    assert soffice_starts(state) == 1  # not once per file, not once per chunk or for covers
    # Every ready form of the sample's plan, and one bundle per contract, folder and submitter.
    ready = [s for s in plan(read_workbook(SAMPLE)) if s.status is Status.READY]
    assert summary.forms == len(ready) and summary.pdfs == 0
    assert len(list(out.rglob("様式*.docx"))) == len(ready)  # every Word file kept
    assert summary.bundles == len(group_bundles(ready, read_workbook(SAMPLE)))
    assert not any(out.rglob("*.pdf"))
    assert "応答しなくなった" in summary.pdf_skipped_reason
    # The first chunk's forms are reported one by one, the rest by the closing notice.
    assert len({f.contract_id for f in summary.failures}) == 3
    assert all("応答しなかった" in f.reason for f in summary.failures)
    assert_none_alive(state)


@posix_only
def test_one_corrupt_pdf_loses_one_form_not_the_run(
    tmp_path: Path, cli: Cli, fake_soffice: tuple[MakeFake, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    make, _ = fake_soffice
    monkeypatch.setenv("FAKE_SOFFICE", "corrupt-first")
    out = tmp_path / "out"

    result = cli("generate", SAMPLE, "--out", out, "--contract", "R7-001", "--soffice", make())

    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    failures = [line for line in result.err.splitlines() if line.startswith("失敗")]
    assert len(failures) == 1 and "PDF が壊れていました" in failures[0]
    forms = sorted(out.rglob("様式*.docx"))
    assert len(forms) == 7 and len(list(out.rglob("様式*.pdf"))) == 6
    bundles = sorted(p.stem for p in out.rglob("R7-001_*.docx"))
    pdf_bundles = sorted(p.stem for p in out.rglob("R7-001_*.pdf"))
    assert len(bundles) == 2 and len(pdf_bundles) == 1  # the bundle with the lost form: Word only


@posix_only
def test_a_corrupt_cover_loses_its_pdf_bundle_not_the_forms(
    tmp_path: Path, cli: Cli, fake_soffice: tuple[MakeFake, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    make, _ = fake_soffice
    monkeypatch.setenv("FAKE_SOFFICE", "corrupt-covers")
    out = tmp_path / "out"

    result = cli("generate", SAMPLE, "--out", out, "--contract", "R7-001", "--soffice", make())

    assert result.code == 1 and "Traceback" not in result.err
    failures = [line for line in result.err.splitlines() if line.startswith("失敗")]
    assert len(failures) == 2 and all("表紙" in f and "壊れていました" in f for f in failures)
    assert len(list(out.rglob("様式*.pdf"))) == 7  # every form's PDF
    assert len(list(out.rglob("R7-001_*.docx"))) == 2 and not any(out.rglob("R7-001_*.pdf"))
    assert not any(out.rglob("*表紙*"))


@posix_only
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_ends_the_run_like_ctrl_c(
    tmp_path: Path, fake_soffice: tuple[MakeFake, Path], signum: int
) -> None:
    make, state = fake_soffice
    temp = tmp_path / "tmp"
    temp.mkdir()
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "FAKE_SOFFICE": "hang", "TMPDIR": str(temp)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hino_forms", "generate", str(SAMPLE), "--out", str(out)]
        + [
            "--contract",
            "R7-001",
            "--soffice",
            str(make()),
        ],  # one contract: the signal is the point
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A shell without job control starts background jobs with SIGINT ignored, and Python
        # keeps an ignored SIGINT: give the run the terminal's default, as a user's has.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 120
        while soffice_starts(state) == 0 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        time.sleep(0.3)  # its copies of the forms are in place
        assert any(temp.glob("hino-forms-soffice-*")), "no conversion was under way"
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "中断しました" in err and "Traceback" not in err
    assert_none_alive(state)  # LibreOffice ended with the run
    assert list(temp.iterdir()) == []  # the temporary copies of the forms are gone
    assert sorted(p.name for p in out.iterdir()) == []  # nothing half-made, no lock, no work folder


def test_a_planted_lock_link_is_refused_and_its_target_untouched(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (out / outdir.LOCK).symlink_to(victim)

    result = cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001")

    assert result.code == 2 and outdir.LOCK in result.err and "リンク" in result.err
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not any(out.glob("R7-*"))


def test_a_planted_work_folder_link_is_removed_not_followed(tmp_path: Path, cli: Cli) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "elsewhere"
    victim.mkdir()
    (victim / "keep.txt").write_text("keep me", encoding="utf-8")
    (out / outdir.WORK_DIR).symlink_to(victim, target_is_directory=True)

    result = cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001")

    assert result.code == 0, result.err
    assert contents(victim) == {"keep.txt": b"keep me"}
    assert not (out / outdir.WORK_DIR).exists() and not (out / outdir.WORK_DIR).is_symlink()
    assert any(out.rglob("様式第2号*.docx"))


def test_without_fcntl_the_lock_is_taken_with_msvcrt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    held: list[int] = []

    def locking(fd: int, mode: int, nbytes: int) -> None:
        if held:
            raise OSError(36, "Resource deadlock avoided")  # what Windows says for a held lock
        held.append(fd)

    monkeypatch.setitem(sys.modules, "fcntl", None)  # `import fcntl` fails, as on Windows
    monkeypatch.setitem(sys.modules, "msvcrt", types.SimpleNamespace(LK_NBLCK=2, locking=locking))
    with outdir.only_run(tmp_path):
        assert held and (tmp_path / outdir.LOCK).exists()
        with pytest.raises(OutputBusy, match="書き込み中"), outdir.only_run(tmp_path):
            pass
    assert not (tmp_path / outdir.LOCK).exists()


@pytest.mark.parametrize("kind", ["file", "below-a-file", "dangling-link"])
def test_an_odd_out_gives_one_line_and_exit_2(tmp_path: Path, cli: Cli, kind: str) -> None:
    a_file = tmp_path / "report.txt"
    a_file.write_text("mine", encoding="utf-8")
    out = {"file": a_file, "below-a-file": a_file / "out"}.get(kind, tmp_path / "link")
    if kind == "dangling-link":
        out.symlink_to(tmp_path / "gone", target_is_directory=True)
    before = contents(tmp_path)

    result = cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001")

    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("エラー") and str(out) in lines[0]
    assert contents(tmp_path) == before and not (tmp_path / "gone").exists()


def test_a_file_open_in_excel_stops_the_run_before_anything_is_replaced(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001").code == 0
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    held = next(out.rglob("様式第3号*.docx"))
    real_open = Path.open

    def windows_open(self: Path, mode: str = "r", *args: object, **kwargs: object) -> object:
        if self == held and mode != "r":  # what Windows does while Word holds the file
            raise PermissionError(13, "The process cannot access the file", str(self))
        return real_open(self, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", windows_open)
    result = cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001", "--force")

    assert result.code == 2
    assert held.name in result.err and "開かれて" in result.err and "Traceback" not in result.err
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


def test_a_lock_taken_during_the_run_is_one_line_not_a_traceback(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001").code == 0
    real_replace = os.replace

    def locked_schedule(src: str | Path, dst: str | Path) -> None:
        if Path(dst).name == outdir.SCHEDULE:  # opened in Excel after the check
            raise PermissionError(13, "The process cannot access the file", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", locked_schedule)
    result = cli("generate", SAMPLE, "--out", out, "--no-pdf", "--contract", "R7-001", "--force")

    assert result.code == 2
    assert outdir.SCHEDULE in result.err and "Traceback" not in result.err
    assert "--force を付けて" in result.err  # the contract folders were already replaced
    assert not (out / outdir.WORK_DIR).exists()
