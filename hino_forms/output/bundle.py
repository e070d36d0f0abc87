"""Bundles: which forms go together (``Bundle``, ``group_bundles``), and the writers that
join a cover and its forms into one bookmarked PDF (optionally AES-256) and one Word file.

Both files are written through ``atomic.atomic_write``, so an interrupted run
never leaves a half-written bundle.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from collections.abc import Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION_START
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.parts.hdrftr import FooterPart, HeaderPart
from docxcompose.composer import Composer
from pypdf import PdfWriter
from pypdf.constants import UserAccessPermissions as Perm
from pypdf.generic import DictionaryObject, NameObject, NumberObject

from hino_forms.atomic import atomic_write
from hino_forms.models import Records, Submission, Submitter, Timing
from hino_forms.output import joined
from hino_forms.output.layout import safe_name, timing_folder
from hino_forms.output.pagenum import (
    BOOKMARK_IDS,
    bookmark,
    count_own_pages,
    end_bookmark,
    restart_page_numbers,
)

# What the reader of an encrypted bundle may do: print it (also in full quality), read it
# aloud, not change, copy out, annotate or fill it.
BUNDLE_PERMISSIONS = Perm.PRINT | Perm.PRINT_TO_REPRESENTATION | Perm.EXTRACT_TEXT_AND_GRAPHICS

CITY = "日野市"  # who submits form 7, in file names, covers and PDF metadata


@dataclass(frozen=True)
class Bundle:
    """The forms one submitter hands in for one contract at one timing: one cover, one file each."""

    contract_id: str
    timing: Timing
    folder: str  # the timing folder: ①契約締結時_2025-03-25
    submitter_key: str  # "" (the contractor), a subcontractor's name, or 日野市 (form 7)
    stem: str  # R7-001_①契約締結時[_who]: the bundle's file names without suffix
    submissions: tuple[Submission, ...]
    contractor_name: str
    work_name: str

    @property
    def first(self) -> Submission:
        """The first submission: its date and year are the bundle's."""
        return self.submissions[0]

    @property
    def title(self) -> str:
        """The PDF's title: the work's name and the timing."""
        return f"{self.work_name} {self.timing.label}"

    @property
    def author(self) -> str:
        """Who submits it, for the PDF's metadata."""
        if self.first.submitter is Submitter.CITY:
            return f"{CITY}長"
        if self.submitter_key:
            return self.submitter_key
        return self.contractor_name

    @property
    def submitter_label(self) -> str:
        """受託者 …, 再委託先 …（受託者 … 経由）, or 日野市（再委託承認通知書） for form 7."""
        if self.first.submitter is Submitter.CITY:
            return f"{CITY}（再委託承認通知書）"
        if self.submitter_key:
            return f"再委託先 {self.submitter_key}（受託者 {self.contractor_name} 経由）"
        return f"受託者 {self.contractor_name}"


def submitter_key(submission: Submission) -> str:
    """Who a bundle belongs to: "" for the contractor, the subcontractor's name, or 日野市 (form 7)."""
    if submission.submitter is Submitter.CITY:
        return CITY
    if submission.submitter is Submitter.SUBCONTRACTOR:
        return submission.subcontractor or ""
    return ""


def group_bundles(submissions: Iterable[Submission], records: Records) -> list[Bundle]:
    """The bundles of ``submissions``, in the order their first form comes (pure: no files)."""
    grouped: dict[tuple[str, str, str], list[Submission]] = {}
    for submission in submissions:
        grouped.setdefault(
            (submission.contract_id, timing_folder(submission), submitter_key(submission)), []
        ).append(submission)
    bundles = []
    for (contract_id, folder, who), members in grouped.items():
        contract = records.contract(contract_id)
        # Filed 随時 unless it is the contract's own ① day, ② or ③ (SPEC v2 §5).
        stem = f"{contract_id}_{members[0].filing.label}"
        bundles.append(
            Bundle(
                contract_id=contract_id,
                timing=members[0].filing,
                folder=folder,
                submitter_key=who,
                stem=safe_name(f"{stem}_{who}" if who else stem),
                submissions=tuple(members),
                contractor_name=contract.contractor_name,
                work_name=contract.work_name,
            )
        )
    return bundles


@dataclass(frozen=True)
class BundlePart:
    """One PDF of a bundle; ``bookmark`` titles its outline item (None: no bookmark, the cover)."""

    pdf: Path
    bookmark: str | None


def make_pdf_bundle(
    parts: Sequence[BundlePart],
    out_path: Path,
    *,
    title: str,
    author: str,
    subject: str,
    password: str | None = None,
) -> int:
    """Concatenate ``parts`` in order into ``out_path``, one bookmark each; returns the page count."""
    writer = PdfWriter()
    for part in parts:
        # The forms' own outlines (from Word headings) would clutter the list
        # of forms, so only ours go in.
        writer.append(part.pdf, outline_item=part.bookmark, import_outline=False)
    # Forms converted together share their fonts: keep one copy of each in the bundle.
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    writer.add_metadata(
        {"/Title": title, "/Author": author, "/Subject": subject, "/Creator": "hino-forms"}
    )
    # Open with the bookmarks shown and the title (not the file name) in the window bar.
    writer.page_mode = "/UseOutlines"
    writer.create_viewer_preferences().display_doctitle = True  # type: ignore[assignment]
    writer.pdf_header = b"%PDF-1.7"
    if password is not None:
        # Printing allowed, editing not: a separate random owner password makes
        # the permissions binding (with the same password the reader is the owner).
        writer.encrypt(
            user_password=password,
            owner_password=secrets.token_urlsafe(32),
            algorithm="AES-256",
            permissions_flag=BUNDLE_PERMISSIONS,
        )
        # AES-256 (revision 6) is Adobe's extension level 8 of PDF 1.7.
        writer.root_object[NameObject("/Extensions")] = DictionaryObject(
            {
                NameObject("/ADBE"): DictionaryObject(
                    {
                        NameObject("/BaseVersion"): NameObject("/1.7"),
                        NameObject("/ExtensionLevel"): NumberObject(8),
                    }
                )
            }
        )
    pages = len(writer.pages)
    with atomic_write(out_path, private=True) as tmp:
        writer.write(tmp)
    return pages


class _SectionKeepingComposer(Composer):  # type: ignore[misc]  # docxcompose has no types
    """A docxcompose Composer that leaves the header and footer references in place.

    docxcompose keeps the master's header and footer for everything and drops
    those of appended documents (by design: 4teamwork/docxcompose#67);
    each form needs its own, so ``make_docx_bundle`` re-attaches them.
    """

    def remove_header_and_footer_references(self, doc: DocxDocument, element: object) -> None:
        """Keep them: the section properties they sit in get copied parts below."""


def make_docx_bundle(
    docx_paths: Sequence[Path], out_path: Path, pages: Sequence[int | None] = ()
) -> None:
    """Join the cover and forms into one .docx, each on a new page in its own section.

    Every document keeps its page set-up, header and footer, and its own page
    numbers: each restarts at 1, and a footer's total (NUMPAGES in the form on
    its own) becomes a PAGEREF to a bookmark at the form's end, which is that
    form's page count in Word and in LibreOffice alike (LibreOffice does not
    compute Word's SECTIONPAGES). So page 2 of a two-page form reads 2 / 2, as
    in its PDF. ``pages``, where known (from the PDFs), fills in the fields'
    shown results, for a reader that does not update fields.
    """
    if not docx_paths:
        raise ValueError("make_docx_bundle needs at least one document")
    # Documents of one package (every shipped template) are joined directly, as for their
    # conversion; others (a picture, a hyperlink, a clashing style) go through docxcompose.
    joinable = joined.read_joinable(docx_paths)
    if joinable is not None:
        with atomic_write(out_path, private=True) as tmp:
            joined.join(joinable, tmp, hidden=True, pages=pages)
        return
    docs = [Document(str(path)) for path in docx_paths]
    known = list(pages) + [None] * (len(docs) - len(pages))
    for i, doc in enumerate(docs):
        _mark_end(doc, i)
    master = docs[0]
    for rel in list(master.part.rels.values()):
        if rel.reltype in (RT.HEADER, RT.FOOTER):
            count_own_pages(rel.target_part.element, end_bookmark(0, hidden=True), known[0])
    composer = _SectionKeepingComposer(master)
    # Its only job, giving the master's header to a first section that lacks
    # one, would overwrite the forms' own headers; every section has its own here.
    composer.first_section_properties_added = True
    firsts = [master.sections[0]._sectPr]  # each document's first section
    for i, doc in enumerate(docs[1:], start=1):
        _end_last_section(master)
        composer.append(doc)
        inner = master.element.body.xpath("./w:p/w:pPr/w:sectPr")
        own = inner[len(inner) - len(doc.sections) + 1 :]
        for sect_pr in own:
            _copy_header_footer_parts(composer, doc, sect_pr, i, known[i])
        last = deepcopy(_body_sect_pr(doc))
        _copy_header_footer_parts(composer, doc, last, i, known[i])
        _body_sect_pr(master).addprevious(last)
        master.element.body.remove(last.getnext())
        firsts.append(own[0] if own else last)
    _own_headers_only(master)
    for section in master.sections:
        section.start_type = WD_SECTION_START.NEW_PAGE
    for sect_pr in firsts:
        restart_page_numbers(sect_pr)
    with atomic_write(out_path, private=True) as tmp:
        composer.save(str(tmp))


def _mark_end(doc: DocxDocument, index: int) -> None:
    """Put the bookmark ``end_bookmark(index, hidden=True)`` after the last text of ``doc``'s body."""
    paragraphs = doc.element.body.xpath(".//w:p")
    if not paragraphs:
        paragraphs = [doc.add_paragraph()._p]
    end = end_bookmark(index, hidden=True)
    bookmark(paragraphs[-1], BOOKMARK_IDS + 2 * index + 1, end, at_start=False)


def _own_headers_only(doc: DocxDocument) -> None:
    """Give a blank header or footer to each section that had none of its own.

    Word would otherwise show the previous section's: a form without a header
    after one with a header would borrow it.
    """
    even = doc.settings.odd_and_even_pages_header_footer
    for section in doc.sections[1:]:
        kinds = ["header", "footer"]
        if section.different_first_page_header_footer:
            kinds += ["first_page_header", "first_page_footer"]
        if even:
            kinds += ["even_page_header", "even_page_footer"]
        for kind in kinds:
            part = getattr(section, kind)
            if part.is_linked_to_previous:
                part.is_linked_to_previous = False  # python-docx adds a blank definition


def sha256_file(path: Path) -> str:
    """The SHA-256 of a file, as lower-case hex (for manifest.json)."""
    with Path(path).open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _body_sect_pr(doc: DocxDocument) -> BaseOxmlElement:
    """The section properties of a document's last section (``w:body/w:sectPr``)."""
    found: BaseOxmlElement | None = doc.element.body.find(qn("w:sectPr"))
    if found is None:
        found = OxmlElement("w:sectPr")
        doc.element.body.append(found)
    return found


def _end_last_section(doc: DocxDocument) -> None:
    """End the last section where the content ends, so what is appended starts a new one.

    Word keeps a section's properties in its last paragraph; a copy of the
    body's goes there (into a new empty paragraph after a table).
    """
    sect_pr = _body_sect_pr(doc)
    last = sect_pr.getprevious()
    if last is None or last.tag != qn("w:p") or last.xpath("./w:pPr/w:sectPr"):
        last = OxmlElement("w:p")
        sect_pr.addprevious(last)
    last.get_or_add_pPr()._insert_sectPr(deepcopy(sect_pr))  # in schema order


def _copy_header_footer_parts(
    composer: Composer, doc: DocxDocument, sect_pr: BaseOxmlElement, index: int, pages: int | None
) -> None:
    """Point ``sect_pr``'s header and footer references at copies of ``doc``'s parts, whose page
    totals count document ``index``'s own pages."""
    for ref in sect_pr.xpath("./w:headerReference|./w:footerReference"):
        rel = doc.part.rels.get(ref.get(qn("r:id")))
        if rel is None or rel.reltype not in (RT.HEADER, RT.FOOTER):
            sect_pr.remove(ref)
            continue
        rid = _copy_story_part(composer, doc, rel.target_part, rel.reltype, index, pages)
        ref.set(qn("r:id"), rid)


def _copy_story_part(
    composer: Composer, doc: DocxDocument, src: Part, reltype: str, index: int, pages: int | None
) -> str:
    """Copy a header or footer part of ``doc`` into the composed document; returns its rId."""
    element = deepcopy(src.element)  # type: ignore[attr-defined]  # a header/footer (XmlPart)
    count_own_pages(element, end_bookmark(index, hidden=True), pages)
    # The styles it uses (Header, Footer …) come along, as docxcompose does for the body.
    composer.add_styles(doc, element)
    package = composer.doc.part.package
    kind, cls = ("header", HeaderPart) if reltype == RT.HEADER else ("footer", FooterPart)
    part = cls(package.next_partname(f"/word/{kind}%d.xml"), src.content_type, element, package)
    for node in element.xpath(".//*[@r:id or @r:embed or @r:link]"):
        for attr in (qn("r:id"), qn("r:embed"), qn("r:link")):
            old = node.get(attr)
            if old is None or old not in src.rels:
                continue
            inner = src.rels[old]
            if inner.is_external:
                new = part.relate_to(inner.target_ref, inner.reltype, is_external=True)
            elif inner.reltype == RT.IMAGE:  # a logo: one image part per picture, named anew
                new, _ = part.get_or_add_image(io.BytesIO(inner.target_part.blob))
            else:
                new = composer.add_relationship(src, part, inner).rId
            node.set(attr, new)
    rid: str = composer.doc.part.relate_to(part, reltype)
    return rid
