"""Bundles as the city receives them: cover then forms, one bookmark per form, the Word twin, encryption."""

from __future__ import annotations

import hashlib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document
from pypdf import PasswordType, PdfReader, PdfWriter
from pypdf.constants import UserAccessPermissions
from pypdf.errors import FileNotDecryptedError

from hino_forms.output import bundle, pdf
from hino_forms.output.bundle import BundlePart
from tests.test_pdf import make_docx, pdffonts, pdftotext

WORK = "架空システム保守業務委託"
CONTRACTOR = "架空情報サービス株式会社"
FORMS = [  # (file stem, bookmark, body lines); form 4 runs onto a second page
    ("様式第2号", "様式第2号 委託業務従事者体制届出書", 5),
    ("様式第4号-②", "様式第4号-② 重要情報の保護に関する報告書", 40),
    ("様式第6号", "様式第6号 再委託承認申請書", 5),
]


@dataclass(frozen=True)
class Made:
    cover: Path
    forms: list[Path]  # .docx
    pdfs: dict[Path, Path]  # .docx → .pdf
    pdf_bundle: Path
    pages: int
    word_bundle: Path
    word_bundle_pdf: Path


def make_forms(folder: Path) -> tuple[Path, list[Path]]:
    """A fictional cover and three forms, each with its own header and footer; form 4 ends in a table."""
    cover = make_docx(folder / "表紙.docx", f"送付書 R7-001 {WORK}", lines=2)
    forms = []
    for stem, title, lines in FORMS:
        path = make_docx(
            folder / f"{stem}.docx",
            title,
            lines,
            header=f"{stem} ヘッダー",
            footer=f"R7-001 {stem} フッター",
        )
        forms.append(path)
    doc = Document(str(forms[1]))
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "確認項目"
    table.cell(1, 0).text = "情報セキュリティ対策責任者を定めた"
    doc.save(str(forms[1]))
    return cover, forms


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    """Both bundles; the cover, the forms and the Word bundle converted in one soffice run."""
    folder = tmp_path_factory.mktemp("bundle")
    cover, forms = make_forms(folder)
    word_bundle = folder / "R7-001_①契約締結時.docx"
    bundle.make_docx_bundle([cover, *forms], word_bundle)
    # Converted from a folder of its own, so its PDF does not replace the PDF bundle.
    check = folder / "word" / word_bundle.name
    check.parent.mkdir()
    check.write_bytes(word_bundle.read_bytes())
    result = pdf.convert([cover, *forms, check], jobs=1)  # one profile: a start costs seconds
    assert result.failed == {}, result.failed
    parts = [BundlePart(result.converted[cover], None)] + [
        BundlePart(result.converted[doc], title) for doc, (_, title, _) in zip(forms, FORMS)
    ]
    pdf_bundle = folder / "R7-001_①契約締結時.pdf"
    pages = bundle.make_pdf_bundle(
        parts, pdf_bundle, title=f"R7-001 {WORK} ①契約締結時", author=CONTRACTOR, subject=WORK
    )
    pdfs = {doc: result.converted[doc] for doc in (cover, *forms)}
    return Made(cover, forms, pdfs, pdf_bundle, pages, word_bundle, result.converted[check])


@pytest.mark.soffice
def test_the_pdf_bundle_is_the_cover_then_every_form(made: Made) -> None:
    expected = sum(pdf.page_count(p) for p in made.pdfs.values())
    assert pdf.page_count(made.pdfs[made.forms[1]]) == 2  # the case where page numbers matter
    assert made.pages == expected == pdf.page_count(made.pdf_bundle)
    text = pdftotext(made.pdf_bundle)
    assert WORK.replace(" ", "") in text
    for _, title, _ in FORMS:
        assert title.replace(" ", "") in text


@pytest.mark.soffice
def test_one_bookmark_per_form_opens_its_first_page(made: Made) -> None:
    reader = PdfReader(made.pdf_bundle)
    titles = [item.title for item in reader.outline]
    assert titles == [title for _, title, _ in FORMS]
    starts = [reader.get_destination_page_number(item) + 1 for item in reader.outline]
    assert starts == [2, 3, 5]  # cover 1 page, form 2 one page, form 4 two pages
    for start, (_, title, _) in zip(starts, FORMS):
        assert pdftotext(made.pdf_bundle, start).startswith(title.split()[0] + "ヘッダー")
        assert title.replace(" ", "") in pdftotext(made.pdf_bundle, start)


@pytest.mark.soffice
def test_the_pdf_bundle_embeds_its_fonts_japanese_included(made: Made) -> None:
    fonts = pdffonts(made.pdf_bundle)
    assert fonts and [name for name, emb in fonts if emb != "yes"] == []
    assert any("IPAex" in name for name, _ in fonts)


@pytest.mark.soffice
def test_the_pdf_bundle_carries_title_submitter_and_contract(made: Made) -> None:
    meta = PdfReader(made.pdf_bundle).metadata
    assert meta is not None
    assert meta.title == f"R7-001 {WORK} ①契約締結時"
    assert meta.author == CONTRACTOR
    assert meta.subject == WORK


@pytest.mark.soffice
def test_the_word_bundle_converts_to_the_same_pages_each_form_with_its_own_header(
    made: Made,
) -> None:
    assert pdf.page_count(made.word_bundle_pdf) == made.pages
    # Pages of each form: its header, its title on its first page, its footer on every page.
    page = 2
    for doc, (stem, title, _) in zip(made.forms, FORMS):
        first = pdftotext(made.word_bundle_pdf, page)
        assert first.startswith(f"{stem}ヘッダー" + title.replace(" ", ""))
        for n in range(pdf.page_count(made.pdfs[doc])):
            text = pdftotext(made.word_bundle_pdf, page + n)
            assert f"{stem}ヘッダー" in text and f"R7-001{stem}フッター" in text
        page += pdf.page_count(made.pdfs[doc])
    cover = pdftotext(made.word_bundle_pdf, 1)
    assert "ヘッダー" not in cover and "フッター" not in cover


def test_the_word_bundle_has_one_section_per_document_each_on_a_new_page(tmp_path: Path) -> None:
    cover, forms = make_forms(tmp_path)
    out = tmp_path / "R7-001_①契約締結時.docx"
    bundle.make_docx_bundle([cover, *forms], out)

    doc = Document(str(out))
    assert len(doc.sections) == 1 + len(forms)
    headers = [
        s.header.paragraphs[0].text if not s.header.is_linked_to_previous else ""
        for s in doc.sections
    ]
    assert headers == ["", *(f"{stem} ヘッダー" for stem, _, _ in FORMS)]
    footers = [s.footer.paragraphs[0].text for s in doc.sections[1:]]
    assert footers == [f"R7-001 {stem} フッター" for stem, _, _ in FORMS]
    texts = [p.text for p in doc.paragraphs]
    assert texts.index(FORMS[0][1]) < texts.index(FORMS[1][1]) < texts.index(FORMS[2][1])


def test_a_form_without_a_header_does_not_borrow_the_previous_forms(tmp_path: Path) -> None:
    with_header = make_docx(
        tmp_path / "a.docx", "様式第2号", header="様式第2号 ヘッダー", footer="R7-001"
    )
    without = make_docx(tmp_path / "b.docx", "様式第6号")
    out = tmp_path / "bundle.docx"
    bundle.make_docx_bundle([with_header, without], out)

    second = Document(str(out)).sections[1]
    assert not second.header.is_linked_to_previous and not second.footer.is_linked_to_previous
    assert [p.text for p in second.header.paragraphs] in ([], [""])
    assert [p.text for p in second.footer.paragraphs] in ([], [""])


# ---------------------------------------------------------------- without LibreOffice


def blank_pdf(path: Path, pages: int) -> Path:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    writer.write(path)
    return path


def test_an_encrypted_bundle_opens_only_with_its_password(tmp_path: Path) -> None:
    parts = [BundlePart(blank_pdf(tmp_path / "cover.pdf", 1), None)] + [
        BundlePart(blank_pdf(tmp_path / f"{stem}.pdf", 1), title) for stem, title, _ in FORMS
    ]
    out = tmp_path / "R7-001_①契約締結時.pdf"

    pages = bundle.make_pdf_bundle(
        parts, out, title="R7-001", author=CONTRACTOR, subject=WORK, password="Hino-2025!"
    )

    reader = PdfReader(out)
    assert reader.is_encrypted
    assert reader.trailer["/Encrypt"]["/V"] == 5  # AES-256 (PDF 2.0 / R6)
    assert reader.decrypt("") == PasswordType.NOT_DECRYPTED
    assert reader.decrypt("hino-2025!") == PasswordType.NOT_DECRYPTED
    with pytest.raises(FileNotDecryptedError):
        len(reader.pages)
    opened = PdfReader(out, password="Hino-2025!")
    assert len(opened.pages) == pages == 4
    assert [item.title for item in opened.outline] == [title for _, title, _ in FORMS]


def test_poppler_refuses_an_encrypted_bundle_without_the_password(tmp_path: Path) -> None:
    out = tmp_path / "bundle.pdf"
    bundle.make_pdf_bundle(
        [BundlePart(blank_pdf(tmp_path / "a.pdf", 2), "様式第2号 委託業務従事者体制届出書")],
        out,
        title="R7-001",
        author=CONTRACTOR,
        subject=WORK,
        password="Hino-2025!",
    )
    refused = subprocess.run(["pdfinfo", str(out)], check=False, capture_output=True, text=True)
    opened = subprocess.run(
        ["pdfinfo", "-upw", "Hino-2025!", str(out)], check=False, capture_output=True, text=True
    )
    assert refused.returncode != 0 and "password" in refused.stderr.lower()
    assert opened.returncode == 0 and re.search(r"^Pages:\s+2$", opened.stdout, re.MULTILINE)
    # Printing allowed, editing not, as poppler reports it to whoever opens the file.
    assert re.search(r"^Encrypted:.*print:yes.*change:no", opened.stdout, re.MULTILINE)


def test_an_encrypted_bundle_may_be_printed_but_not_edited(tmp_path: Path) -> None:
    out = tmp_path / "bundle.pdf"
    bundle.make_pdf_bundle(
        [BundlePart(blank_pdf(tmp_path / "a.pdf", 1), "様式第2号 委託業務従事者体制届出書")],
        out,
        title="R7-001",
        author=CONTRACTOR,
        subject=WORK,
        password="Hino-2025!",
    )
    reader = PdfReader(out)
    # The password opens it as a user, not as the owner: the permissions bind.
    assert reader.decrypt("Hino-2025!") == PasswordType.USER_PASSWORD
    allowed = reader.user_access_permissions
    assert allowed is not None
    assert UserAccessPermissions.PRINT in allowed
    assert UserAccessPermissions.PRINT_TO_REPRESENTATION in allowed  # full-quality print
    for denied in (
        UserAccessPermissions.MODIFY,
        UserAccessPermissions.ADD_OR_MODIFY,
        UserAccessPermissions.FILL_FORM_FIELDS,
        UserAccessPermissions.ASSEMBLE_DOC,
    ):
        assert denied not in allowed


def test_a_failed_bundle_leaves_the_previous_one_untouched(tmp_path: Path) -> None:
    out = tmp_path / "R7-001_①契約締結時.pdf"
    blank_pdf(out, 3)
    before = out.read_bytes()

    with pytest.raises(FileNotFoundError):
        bundle.make_pdf_bundle(
            [
                BundlePart(blank_pdf(tmp_path / "cover.pdf", 1), None),
                BundlePart(tmp_path / "gone.pdf", "x"),
            ],
            out,
            title="R7-001",
            author=CONTRACTOR,
            subject=WORK,
        )

    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["R7-001_①契約締結時.pdf", "cover.pdf"]


def test_sha256_file_is_the_files_sha256(tmp_path: Path) -> None:
    path = tmp_path / "abc.txt"
    path.write_bytes(b"abc")
    assert (
        bundle.sha256_file(path)
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    big = blank_pdf(tmp_path / "big.pdf", 30)
    assert bundle.sha256_file(big) == hashlib.sha256(big.read_bytes()).hexdigest()


# ---------------------------------------------------------------- the shipped templates


@dataclass(frozen=True)
class Real:
    labels: list[str]  # 様式第2号, 様式第3号, 様式第4号-① …
    titles: list[str]
    form_pages: list[int]
    pdf_bundle: Path
    word_bundle_pdf: Path


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Real:
    """The ① bundle of a fictional My Number contract from the shipped templates."""
    from hino_forms.forms.cover import Cover, CoverEntry
    from hino_forms.forms.render import Renderer, form_filename
    from hino_forms.models import Records, Status, Timing
    from hino_forms.planning import rules
    from tests import builders

    folder = tmp_path_factory.mktemp("real")
    contract = builders.contract(contract_id="R7-001", confidentiality=3, my_number=True)
    records = Records(
        contracts=(contract,),
        staff=(builders.staff(contract_id="R7-001"),),
        trainings=(builders.training(contract_id="R7-001"),),
    )
    subs = [
        s
        for s in rules.plan(records)
        if s.timing is Timing.CONCLUSION and s.status is Status.READY and s.subcontractor is None
    ]
    renderer = Renderer()
    forms = []
    for sub in subs:
        forms.append(folder / f"{form_filename(sub)}.docx")
        renderer.render(sub, records, forms[-1])
    cover = folder / "R7-001_①契約締結時_表紙.docx"
    entries = tuple(CoverEntry(s.label, s.title, None) for s in subs)
    renderer.render_cover(
        Cover(contract, Timing.CONCLUSION, subs[0].date, None, "受託者", entries), cover
    )
    word = folder / "word" / "R7-001_①契約締結時.docx"
    word.parent.mkdir()
    bundle.make_docx_bundle([cover, *forms], word)
    result = pdf.convert([cover, *forms, word], jobs=1)  # one soffice run for all
    assert result.failed == {}, result.failed
    pdf_bundle = folder / "R7-001_①契約締結時.pdf"
    bundle.make_pdf_bundle(
        [BundlePart(result.converted[cover], None)]
        + [BundlePart(result.converted[f], f"{s.label} {s.title}") for s, f in zip(subs, forms)],
        pdf_bundle,
        title="R7-001",
        author=contract.contractor_name,
        subject=contract.work_name,
    )
    return Real(
        [s.label for s in subs],
        [s.title for s in subs],
        [pdf.page_count(result.converted[f]) for f in forms],
        pdf_bundle,
        result.converted[word],
    )


@pytest.mark.soffice
def test_real_forms_bundle_has_every_form_bookmarked_at_its_first_page(real: Real) -> None:
    assert real.labels == ["様式第2号", "様式第3号", "様式第4号-①", "様式第5号-①"]
    reader = PdfReader(real.pdf_bundle)
    assert len(reader.pages) == 1 + sum(real.form_pages)
    assert [item.title for item in reader.outline] == [
        f"{label} {title}" for label, title in zip(real.labels, real.titles)
    ]
    page = 2
    for item, label, title, pages in zip(reader.outline, real.labels, real.titles, real.form_pages):
        assert reader.get_destination_page_number(item) + 1 == page
        text = pdftotext(real.pdf_bundle, page)
        assert label in text and title in text
        page += pages
    text = pdftotext(real.pdf_bundle)
    assert "架空システム保守業務委託" in text and "{{" not in text and "{%" not in text
    fonts = pdffonts(real.pdf_bundle)
    assert [name for name, emb in fonts if emb != "yes"] == []
    assert any("IPAex" in name for name, _ in fonts)


@pytest.mark.soffice
def test_real_word_bundle_has_the_same_pages_each_form_with_its_own_footer(real: Real) -> None:
    total = 1 + sum(real.form_pages)
    assert pdf.page_count(real.word_bundle_pdf) == total
    assert any(pages > 1 for pages in real.form_pages)  # a total that is not just 1
    page = 2
    for label, pages in zip(real.labels, real.form_pages):
        for n in range(pages):
            text = pdftotext(real.word_bundle_pdf, page + n)
            # The form's own footer, as in its own PDF: contract id, label, page n / N of the form.
            assert f"R7-001{label}" in text and text.endswith(f"{n + 1}/{pages}")
            assert text == pdftotext(real.pdf_bundle, page + n)
        page += pages
