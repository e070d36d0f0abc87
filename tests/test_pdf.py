"""PDF conversion: every form comes back as a PDF beside its .docx, or with a reason; no soffice is left behind.

Most tests drive a fake soffice (a small script) so they can crash, hang and
be interrupted on cue; the ``soffice`` ones use the real LibreOffice.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from hino_forms.errors import PdfUnavailable
from hino_forms.output import pdf
from tests.fake_soffice import (
    assert_none_alive,
    fake_soffice_fixture,  # noqa: F401 (the fake_soffice fixture)
    recorded_pids,
    soffice_starts,
)

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
    assert len(recorded_pids(state)) > 3  # the dead batch was retried


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


@posix_only
def test_a_hung_libreoffice_costs_one_timeout_not_one_per_file(
    tmp_path: Path, fake_soffice
) -> None:
    make, state = fake_soffice
    docs = fake_inputs(tmp_path, **{f"様式第{n}号": "ok" for n in range(1, 5)}, 様式第6号="hang")
    docs += fake_inputs(tmp_path / "more", **{f"様式第{n}号": "ok" for n in range(1, 8)})

    result = pdf.convert(docs, jobs=1, timeout=1.0, soffice=make())

    assert result.stalled
    assert soffice_starts(state) == 1  # no retry file by file, no next batch
    assert set(result.converted) | set(result.failed) == set(docs)
    assert all("応答しなかった" in reason for reason in result.failed.values())
    assert all(d.exists() for d in docs)  # every Word file stays
    assert_none_alive(state)


def test_soffice_can_be_named_by_option_or_environment(tmp_path: Path, monkeypatch) -> None:
    portable = tmp_path / "LibreOfficePortable" / "program"
    portable.mkdir(parents=True)
    (portable / "soffice").write_text("", encoding="utf-8")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv(pdf.SOFFICE_ENV, raising=False)
    assert pdf.find_soffice() is None
    assert pdf.find_soffice(portable / "soffice") == portable / "soffice"
    assert pdf.find_soffice(portable) == portable / "soffice"  # its program folder will do
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(portable / "soffice"))
    assert pdf.find_soffice() == portable / "soffice"
    with pytest.raises(PdfUnavailable, match="--soffice に指定された LibreOffice"):
        pdf.find_soffice(tmp_path / "nowhere" / "soffice")
    monkeypatch.setenv(pdf.SOFFICE_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(PdfUnavailable, match="HINO_FORMS_SOFFICE に指定された"):
        pdf.find_soffice()
