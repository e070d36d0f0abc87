"""Forms converted as one joined document and cut apart come out as if converted one by one.

A city officer sees the same pages either way: the same text, the same page
count and the same "n / N" of that form in every footer. What cannot be joined
(a picture, a hyperlink) or fails to cut is converted on its own.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader, PdfWriter

from hino_forms.output import pdf
from hino_forms.output.joined import JoinedConverter
from hino_forms.output.pdf import ConversionResult, Progress
from tests.conftest import SAMPLE
from tests.test_pdf import make_docx


def page_texts(path: Path) -> list[str]:
    # One glyph of IPAex is both 〜 and ～; which one the text layer names depends on the file.
    return [
        re.sub(r"\s+", "", p.extract_text() or "").replace("〜", "～")
        for p in PdfReader(path).pages
    ]


@pytest.fixture(scope="module")
def sample_forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """R7-002's forms (Word only), as the pipeline lays them out: contract/timing/form.docx."""
    from hino_forms.cli import main

    out = tmp_path_factory.mktemp("joined") / "out"
    with pytest.raises(SystemExit) as done:
        main(["generate", str(SAMPLE), "--out", str(out), "--contract", "R7-002", "--no-pdf"])
    assert done.value.code in (0, None)
    for bundle in out.rglob("R7-002_*.docx"):  # the Word bundles: not forms
        bundle.unlink()
    return out


@pytest.mark.soffice
def test_joined_forms_have_the_pages_of_forms_converted_one_by_one(
    sample_forms: Path, tmp_path: Path
) -> None:
    alone_dir, joined_dir = tmp_path / "alone", tmp_path / "joined"
    shutil.copytree(sample_forms, alone_dir)
    shutil.copytree(sample_forms, joined_dir)
    alone = sorted(alone_dir.rglob("*.docx"))
    joined = sorted(joined_dir.rglob("*.docx"))
    assert len(joined) >= 10
    seen: Counter[Path] = Counter()

    one_by_one = pdf.convert(alone, jobs=1)
    together = JoinedConverter(pdf.SofficePool(pdf.find_soffice() or Path("soffice"), jobs=1))(
        joined, lambda docx, made: seen.update([docx])
    )

    assert one_by_one.failed == {} and together.failed == {}
    assert seen == Counter(joined)  # every form reported once
    several = 0
    for a, b in zip(alone, joined):
        expected, got = page_texts(one_by_one.converted[a]), page_texts(together.converted[b])
        assert got == expected, b.name
        assert together.converted[b] == b.with_suffix(".pdf")
        several += len(got) > 1
    assert several  # a form of two pages: its footer says 1/2 and 2/2, not the joined file's
    assert not list(joined_dir.rglob(".joined-*"))  # the joined documents are gone


@pytest.mark.soffice
def test_a_form_with_a_hyperlink_is_converted_on_its_own(tmp_path: Path) -> None:
    plain = [make_docx(tmp_path / "C1" / "t" / f"{n}.docx", f"様式第{n}号") for n in (2, 3)]
    linked = make_docx(tmp_path / "C1" / "t" / "6.docx", "様式第6号")
    doc = Document(str(linked))
    part = doc.part
    rid = part.relate_to(
        "https://example.invalid/",
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
        is_external=True,
    )
    doc.paragraphs[0]._p.append(
        doc.paragraphs[0]._p.makeelement(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}hyperlink",
            {"{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id": rid},
        )
    )
    doc.save(str(linked))
    calls: list[list[str]] = []
    pool = pdf.SofficePool(pdf.find_soffice() or Path("soffice"), jobs=1)

    def inner(paths: Sequence[Path], progress: Progress | None = None) -> ConversionResult:
        calls.append(sorted(p.name for p in paths))
        return pool(paths, progress)

    result = JoinedConverter(inner)([*plain, linked])

    assert result.failed == {}
    assert calls == [["0000.docx", "6.docx"]]  # the two plain forms joined, the linked one alone
    for path, title in zip([*plain, linked], ["様式第2号", "様式第3号", "様式第6号"]):
        texts = page_texts(result.converted[path])
        assert len(texts) == 1 and texts[0].startswith(title)


def test_a_joined_pdf_that_cannot_be_cut_is_converted_form_by_form(tmp_path: Path) -> None:
    forms = [make_docx(tmp_path / "C1" / "t" / f"{n}.docx", f"様式第{n}号") for n in (2, 3, 4)]
    calls: list[int] = []

    def blank_pdfs(paths: Sequence[Path], progress: Progress | None = None) -> ConversionResult:
        """A converter whose PDFs carry no bookmarks: the joined one cannot be cut."""
        calls.append(len(paths))
        made = {}
        for path in paths:
            writer = PdfWriter()
            writer.add_blank_page(595, 842)
            writer.write(path.with_suffix(".pdf"))
            made[path] = path.with_suffix(".pdf")
            if progress is not None:
                progress(path, made[path])
        return ConversionResult(made, {})

    seen: list[Path] = []
    result = JoinedConverter(blank_pdfs)(forms, lambda docx, made: seen.append(docx))

    assert calls == [1, 3]  # the joined document, then each form on its own
    assert sorted(result.converted) == sorted(forms) and result.failed == {}
    assert sorted(seen) == sorted(forms)


def test_forms_of_different_contracts_are_not_joined(tmp_path: Path) -> None:
    forms = [make_docx(tmp_path / f"C{n}" / "t" / "f.docx", f"様式第{n}号") for n in (1, 2)]
    calls: list[list[Path]] = []

    def record(paths: Sequence[Path], progress: Progress | None = None) -> ConversionResult:
        calls.append(list(paths))
        return ConversionResult({}, {p: "変換しませんでした。" for p in paths})

    result = JoinedConverter(record)(forms)

    assert calls == [forms]  # each alone: one contract's fonts never travel in another's PDF
    assert set(result.failed) == set(forms)


def test_forms_with_no_folder_to_join_in_are_converted_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    forms = [make_docx(tmp_path / "C1" / "t" / f"{n}.docx", f"様式第{n}号") for n in (2, 3)]

    def refuse(*args: object, **kwargs: object) -> str:
        raise PermissionError("read-only")

    monkeypatch.setattr("hino_forms.output.joined.tempfile.mkdtemp", refuse)
    calls: list[list[Path]] = []

    def record(paths: Sequence[Path], progress: Progress | None = None) -> ConversionResult:
        calls.append(list(paths))
        return ConversionResult({}, {})

    JoinedConverter(record)(forms)

    assert calls == [forms]  # nothing joined, nothing written elsewhere
