"""PDF conversion: every form comes back as a PDF beside its .docx, or with a reason; no soffice is left behind.

Most tests drive a fake soffice (a small script) so they can crash, hang and
be interrupted on cue; the ``soffice`` ones use the real LibreOffice.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfWriter

from hino_forms.errors import PdfUnavailable
from hino_forms.output import pdf

posix_only = pytest.mark.skipif(
    sys.platform == "win32", reason="the fake soffice is a POSIX script"
)


def make_docx(
    path: Path, title: str, lines: int = 3, *, header: str = "", footer: str = ""
) -> Path:
    """A fictional form: a title and body lines in IPAex明朝 (set for East-Asian text too)."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "IPAexMincho"
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "IPAexMincho")
    section = doc.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    doc.add_paragraph(title)
    for i in range(lines):
        doc.add_paragraph(f"架空町{i + 1}丁目の架空株式会社が令和7年4月1日に提出します。")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def pdftotext(path: Path, *pages: int) -> str:
    """The text of a PDF (or of pages first..last), whitespace removed: poppler spaces out CJK runs."""
    span = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    out = subprocess.run(
        ["pdftotext", *span, str(path), "-"], capture_output=True, text=True, check=True
    )
    return re.sub(r"\s+", "", out.stdout)


def pdffonts(path: Path) -> list[tuple[str, str]]:
    """(font name, emb yes/no) of every font of a PDF, as poppler's pdffonts lists them."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = []
    for line in out.stdout.splitlines()[2:]:
        # name type encoding emb sub uni id gen; the type may contain spaces ("CID TrueType").
        match = re.match(r"(\S+)\s+.*?\s(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line)
        assert match, line
        rows.append((match.group(1), match.group(2)))
    return rows


# ---------------------------------------------------------------- fake soffice

FAKE = """\
#!{python}
# A stand-in for soffice: converts by copying a prepared PDF. What an input
# says decides what happens: "ok", "broken" (no PDF, an error line), "hang".
import os, shutil, signal, subprocess, sys, time
state = {state!r}
def record(pid):
    with open(os.path.join(state, "pids"), "a") as f:
        f.write(f"{{pid}}\\n")
record(os.getpid())
sys.stderr.write("Warning: failed to launch javaldx - java may not function correctly\\n")
sys.stderr.flush()
args = sys.argv[1:]
outdir = args[args.index("--outdir") + 1]
inputs = [a for a in args if a.endswith(".docx")]
os.makedirs(outdir, exist_ok=True)
try:
    os.close(os.open(os.path.join(state, "first"), os.O_CREAT | os.O_EXCL))
    first = True
except FileExistsError:
    first = False
def helper():
    # Like soffice.bin under oosplash: a child in the same process group.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    record(child.pid)
for n, path in enumerate(inputs):
    what = open(path, encoding="utf-8").read().strip()
    if what == "hang":
        helper()
        time.sleep(600)
    if what == "broken":
        sys.stderr.write("Error: source file could not be loaded\\n")
        continue
    stem = os.path.splitext(os.path.basename(path))[0]
    shutil.copyfile({pdf!r}, os.path.join(outdir, stem + ".pdf"))
    if {die_first!r} and first and n == 0 and len(inputs) > 1:
        helper()
        os.kill(os.getpid(), signal.SIGKILL)  # the worker dies mid-batch
"""


@pytest.fixture
def fake_soffice(tmp_path: Path):
    """Make a fake soffice; returns (make(die_first=…) → script path, state folder with its pids)."""
    state = tmp_path / "fake-state"
    state.mkdir()
    prepared = tmp_path / "prepared.pdf"
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.write(prepared)

    def make(die_first: bool = False) -> Path:
        script = tmp_path / "fake-soffice"
        text = FAKE.format(
            python=sys.executable, state=str(state), pdf=str(prepared), die_first=die_first
        )
        script.write_text(text, encoding="utf-8")
        script.chmod(0o755)
        return script

    yield make, state
    for pid in recorded_pids(state):  # never leave a stray even when a test fails
        try:
            os.kill(pid, 9)
        except OSError:
            pass


def recorded_pids(state: Path) -> list[int]:
    path = state / "pids"
    return [int(line) for line in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting to be reaped counts as gone)."""
    stat = Path(f"/proc/{pid}/stat")
    if stat.parent.parent.is_dir() and Path("/proc/self").exists():
        try:
            return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def assert_none_alive(state: Path) -> None:
    pids = recorded_pids(state)
    assert pids, "the fake soffice never ran"
    deadline = time.monotonic() + 5  # SIGKILL is immediate; give the kernel a moment
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p for p in pids if alive(p)] == []


def fake_inputs(folder: Path, **contents: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for stem, what in contents.items():
        path = folder / f"{stem}.docx"
        path.write_text(what, encoding="utf-8")
        paths.append(path)
    return paths


@posix_only
def test_a_worker_killed_mid_batch_loses_no_file_and_leaves_no_process(
    tmp_path: Path, fake_soffice
) -> None:
    make, state = fake_soffice
    docs = fake_inputs(tmp_path / "forms", **{f"様式第{n}号": "ok" for n in range(1, 9)})
    seen: list[tuple[Path, Path | None]] = []

    result = pdf.convert(
        docs, jobs=2, soffice=make(die_first=True), progress=lambda d, p: seen.append((d, p))
    )

    assert result.failed == {}
    assert result.converted == {d: d.with_suffix(".pdf") for d in docs}
    assert all(d.with_suffix(".pdf").read_bytes().startswith(b"%PDF-") for d in docs)
    assert sorted(d for d, _ in seen) == sorted(docs)  # one progress call per file
    assert_none_alive(state)
    assert len(recorded_pids(state)) > 3  # the dead batch was retried file by file


@posix_only
def test_a_file_soffice_cannot_read_is_reported_in_japanese_and_the_rest_convert(
    tmp_path: Path, fake_soffice
) -> None:
    make, _ = fake_soffice
    good, bad, other = fake_inputs(tmp_path, 様式第2号="ok", 様式第3号="broken", 様式第4号="ok")

    result = pdf.convert([good, bad, other], jobs=1, soffice=make())

    assert set(result.converted) == {good, other}
    assert list(result.failed) == [bad]
    reason = result.failed[bad]
    assert "PDF を作れませんでした" in reason and "source file could not be loaded" in reason
    assert "javaldx" not in reason
    assert bad.exists() and not bad.with_suffix(".pdf").exists()  # the .docx stays for the user


@posix_only
def test_a_hanging_soffice_is_killed_after_the_timeout_and_the_file_reported(
    tmp_path: Path, fake_soffice
) -> None:
    make, state = fake_soffice
    good, stuck = fake_inputs(tmp_path, 様式第2号="ok", 様式第6号="hang")

    result = pdf.convert([good, stuck], jobs=1, timeout=1.0, soffice=make())

    assert list(result.converted) == [good]
    assert "応答しなかった" in result.failed[stuck]
    assert_none_alive(state)


@posix_only
def test_ctrl_c_during_conversion_kills_every_soffice(tmp_path: Path, fake_soffice) -> None:
    make, state = fake_soffice
    docs = fake_inputs(tmp_path, a="ok", b="ok", c="hang", d="hang")

    def interrupt(_docx: Path, _pdf: Path | None) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pdf.convert(docs, jobs=2, soffice=make(), progress=interrupt)

    assert_none_alive(state)


@posix_only
def test_forms_of_different_folders_with_the_same_name_each_get_their_own_pdf(
    tmp_path: Path, fake_soffice
) -> None:
    make, _ = fake_soffice
    first = fake_inputs(
        tmp_path / "R7-001" / "①契約締結時_2025-03-25", 様式第2号_委託業務従事者体制届出書="ok"
    )
    second = fake_inputs(
        tmp_path / "R7-002" / "①契約締結時_2025-04-01", 様式第2号_委託業務従事者体制届出書="ok"
    )

    result = pdf.convert(first + second, jobs=1, soffice=make())

    assert result.converted == {d: d.with_suffix(".pdf") for d in first + second}


def test_without_libreoffice_convert_says_so_in_japanese(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(pdf, "_MACOS_SOFFICE", ())
    monkeypatch.setattr(pdf, "_WINDOWS_SOFFICE", ())
    doc = make_docx(tmp_path / "様式第2号.docx", "様式第2号")

    assert pdf.find_soffice() is None
    with pytest.raises(PdfUnavailable, match="LibreOffice") as err:
        pdf.convert([doc])
    assert "--no-pdf" in str(err.value)


@posix_only
def test_find_soffice_looks_on_path(tmp_path: Path, monkeypatch) -> None:
    program = tmp_path / "libreoffice"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))

    assert pdf.find_soffice() == program


# ---------------------------------------------------------------- real LibreOffice


@pytest.mark.soffice
def test_libreoffice_converts_japanese_forms_with_embedded_fonts(tmp_path: Path) -> None:
    forms = [
        make_docx(tmp_path / "R7-001" / "様式第2号.docx", "様式第2号 委託業務従事者体制届出書"),
        make_docx(
            tmp_path / "R7-002" / "様式第2号.docx", "様式第2号 委託業務従事者体制届出書", lines=50
        ),
    ]
    broken = tmp_path / "R7-002" / "様式第3号.docx"
    broken.write_bytes(b"PK\x03\x04 not really a Word file")

    result = pdf.convert([*forms, broken], jobs=2)

    assert result.converted == {d: d.with_suffix(".pdf") for d in forms}
    assert list(result.failed) == [broken] and "Word で開けるか" in result.failed[broken]
    assert [pdf.page_count(result.converted[d]) for d in forms] == [1, 2]
    text = pdftotext(result.converted[forms[1]])
    assert "様式第2号委託業務従事者体制届出書" in text and "架空町50丁目" in text
    fonts = pdffonts(result.converted[forms[0]])
    assert fonts and all(emb == "yes" for _, emb in fonts)
    assert any("IPAex" in name for name, _ in fonts)


def test_when_no_worker_can_start_every_file_is_still_answered_for(
    tmp_path: Path, monkeypatch
) -> None:
    def no_temporary_folder(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pdf.tempfile, "TemporaryDirectory", no_temporary_folder)
    docs = fake_inputs(tmp_path, 様式第2号="ok", 様式第3号="ok")

    result = pdf.convert(docs, jobs=2, soffice=tmp_path / "soffice")

    assert result.converted == {}
    assert sorted(result.failed) == sorted(docs)
    assert all("作業フォルダ" in reason for reason in result.failed.values())


def test_find_soffice_looks_in_the_macos_application_folder(tmp_path: Path, monkeypatch) -> None:
    app = tmp_path / "LibreOffice.app" / "Contents" / "MacOS" / "soffice"
    app.parent.mkdir(parents=True)
    app.write_text("")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(pdf.sys, "platform", "darwin")
    monkeypatch.setattr(pdf, "_MACOS_SOFFICE", (app,))

    assert pdf.find_soffice() == app
