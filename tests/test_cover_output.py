"""The covers of a real run, read from the bundle PDFs as the city officer reads them (FORMS.md v2).

R7-002 of the sample: the contractor applies for a subcontractor at conclusion,
so its ① bundle forwards that subcontractor's forms 別綴り; the city's form 7
has its own cover with the city as sender; warnings (a pending approval, a
staff member without training) are in the 一覧's 問題 sheet by bundle and
nowhere on a page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.conftest import SAMPLE

SUB = "有限会社たまデータサポート"
CONCLUSION = "R7-002/①契約締結時_2025-09-12"
# What is meant for the preparer, never for the reader of a page.
PREPARER = re.compile(r"確認が必要|入力してください|[一-龥]+![A-Z]+[0-9]+|!\d+行目")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from hino_forms.cli import main

    target = tmp_path_factory.mktemp("covers") / "out"
    with pytest.raises(SystemExit) as done:  # one run for the module: the cli fixture is per test
        main(["generate", str(SAMPLE), "--out", str(target), "--contract", "R7-002"])
    assert done.value.code in (0, None)
    return target


def pages(pdf: Path) -> list[str]:
    return [p.extract_text() or "" for p in PdfReader(pdf).pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.soffice
def test_the_contractors_cover_lists_the_subcontractors_bundle_with_its_pages(out: Path) -> None:
    own = pages(out / CONCLUSION / "R7-002_①契約締結時.pdf")
    theirs = pages(out / CONCLUSION / f"R7-002_①契約締結時_{SUB}.pdf")
    cover = flat(own[0])
    assert "（宛先）日野市長" in cover and "（担当課）高齢福祉課" in cover
    assert "担当者川村健" in cover and "連絡先042-000-0201" in cover  # blank 担当者: the 責任者
    assert "件名R7-002　介護保険システム運用保守業務委託".replace("　", "") in cover
    assert "別綴り" in cover
    # The subcontractor's own bundle is its cover, then its forms; 別綴り counts the forms' pages.
    assert f"再委託先{SUB}（計{len(theirs) - 1}頁）" in cover


@pytest.mark.soffice
def test_the_subcontractors_cover_comes_through_the_contractor(out: Path) -> None:
    cover = flat(pages(out / CONCLUSION / f"R7-002_①契約締結時_{SUB}.pdf")[0])
    assert f"商号又は名称{SUB}" in cover
    assert "受託者（株式会社たまシステム工房）を経由して送付します" in cover
    assert "別綴り" not in cover


@pytest.mark.soffice
def test_form_7s_cover_has_the_city_as_sender(out: Path) -> None:
    (bundle,) = out.glob("R7-002/*/R7-002_*_日野市.pdf")
    cover = flat(pages(bundle)[0])
    assert cover.index("株式会社たまシステム工房") < cover.index("日野市長")
    assert "代表取締役森川太一様" in cover and "担当課高齢福祉課" in cover
    assert "（宛先）" not in cover and "再委託承認通知書を送付します" in cover


@pytest.mark.soffice
def test_no_page_of_any_bundle_carries_a_note_for_the_preparer(out: Path) -> None:
    bundles = [p for p in out.rglob("R7-002_*.pdf")]
    assert len(bundles) >= 5
    for bundle in bundles:
        for n, text in enumerate(pages(bundle), 1):
            assert not PREPARER.search(flat(text)), (bundle.name, n)


@pytest.mark.soffice
def test_the_page_counts_on_a_cover_add_up_to_the_bundle(out: Path) -> None:
    for bundle in out.rglob("R7-002_*.pdf"):
        reader = PdfReader(bundle)
        total = re.search(r"計(\d+)頁", flat(pages(bundle)[0]))
        assert total and int(total.group(1)) == len(reader.pages) - 1, bundle.name
        assert len(reader.outline) >= 1  # a bookmark per form


def test_the_list_names_the_bundle_each_warning_concerns(out: Path) -> None:
    ws = load_workbook(out / "提出予定一覧.xlsx")["問題"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][-1] == "対象の綴り"
    pending = [r for r in rows[1:] if r[1] == "再委託" and "承認日" in (r[4] or "")]
    assert pending and all("R7-002/" in (r[-1] or "") for r in pending)
    assert all("_日野市" in r[-1] or "R7-002_" in r[-1] for r in pending)


@pytest.mark.soffice
def test_the_word_bundles_number_their_pages_as_the_pdf_bundles_do(
    out: Path, tmp_path: Path
) -> None:
    """FORMS.md v2: page numbers agree everywhere — a form's footer reads n / N of that form in
    its own PDF, in the PDF bundle and in the Word bundle (as LibreOffice lays it out)."""
    from hino_forms.output import pdf

    words = sorted(out.rglob("R7-002_*.docx"))
    copies = []
    for i, word in enumerate(words):  # beside their own PDF bundles they would replace them
        copies.append(tmp_path / f"{i:02d}.docx")
        copies[-1].write_bytes(word.read_bytes())
    result = pdf.convert(copies, jobs=1)
    assert result.failed == {}
    several = 0
    for word, copy in zip(words, copies):
        # One glyph of IPAex is both 〜 and ～: which one the text layer says depends on
        # which the PDF met first, not on what is printed.
        word_pages = [flat(t).replace("〜", "～") for t in pages(result.converted[copy])]
        pdf_pages = [flat(t).replace("〜", "～") for t in pages(word.with_suffix(".pdf"))]
        assert word_pages == pdf_pages, word.name
        totals = [m.groups() for t in pdf_pages[1:] if (m := re.search(r"(\d+)/(\d+)$", t))]
        assert len(totals) == len(pdf_pages) - 1  # every form page ends with its n / N
        assert all(int(n) <= int(of) for n, of in totals)
        several += any(of != "1" for _, of in totals)
    assert several  # a form of more than one page: its total is that form's, not the bundle's
