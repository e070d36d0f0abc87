"""Many small .docx converted as one LibreOffice document, then cut back into one PDF each.

LibreOffice spends about 45 ms on every document it opens, whatever its size:
for a one-page form that is most of the cost. ``JoinedConverter`` wraps a
``Converter`` (the soffice pool): the forms of one contract that share their
package (settings, theme, fonts, numbering and compatible styles, as every
shipped template does) are joined into one .docx, each in its own section,
converted once, and the PDF is cut at named destinations LibreOffice exports
for bookmarks placed at each form's first and last paragraph.

Each form keeps its own page numbers: its section restarts at 1, and a page
total (NUMPAGES: the whole file's pages) becomes a PAGEREF to the bookmark at
the form's end, which LibreOffice lays out as that form's page count. A form
the joined document cannot hold as it is (a picture, a hyperlink, footnotes,
several sections, a conflicting style) is converted on its own; so is every
form of a joined document whose conversion or cut failed. The PDFs land
beside their .docx exactly as the wrapped converter would put them.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Hashable, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree
from pypdf import PdfReader, PdfWriter

from hino_forms.atomic import atomic_write
from hino_forms.output.pagenum import (
    BOOKMARK_IDS,
    bookmark,
    count_own_pages,
    end_bookmark,
    restart_page_numbers,
    start_bookmark,
)
from hino_forms.output.pdf import ConversionResult, Converter, Progress

MAX_JOINED = 30  # forms per joined document: bounds its fonts (each cut PDF carries them) and time

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_SHARED = ("settings", "webSettings", "fontTable", "theme", "numbering")  # identical in a group
_STORIES = ("header", "footer")
# Parts LibreOffice does not lay out: left out of a joined document (Word 2010's copy of the
# styles, and custom XML, which only content bound to it would show: such a form goes alone).
_UNSEEN = ("stylesWithEffects", "customXml")


def _w(tag: str) -> str:
    return f"{{{_W}}}{tag}"


class _NotJoinable(Exception):
    """This document must be converted on its own (the reason is for debugging only)."""


@dataclass
class _Doc:
    """One .docx read for joining: its body, section, header/footer parts and shared parts."""

    path: Path
    root: etree._Element  # w:document
    sect_pr: etree._Element
    stories: dict[str, tuple[str, bytes]]  # rId → (header|footer, part XML)
    shared: dict[str, tuple[str, bytes]]  # kind → (target, bytes)
    styles: etree._Element
    style_defs: dict[str, bytes]
    package: dict[str, bytes]  # _rels/.rels and docProps: from the first document of a group
    signature: str = field(default="")


def _read(path: Path) -> _Doc:
    """Read ``path``; ``_NotJoinable`` when it holds anything a joined document could not keep."""
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            rels = etree.fromstring(z.read("word/_rels/document.xml.rels"))
            stories: dict[str, tuple[str, bytes]] = {}
            shared: dict[str, tuple[str, bytes]] = {}
            styles: bytes | None = None
            for rel in rels:
                kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
                target = rel.get("Target") or ""
                if rel.get("TargetMode") == "External":
                    raise _NotJoinable("external relationship")
                part = str(PurePosixPath("word") / target)
                if kind in _STORIES:
                    own_rels = str(
                        PurePosixPath(part).parent / "_rels" / f"{PurePosixPath(part).name}.rels"
                    )
                    if own_rels in names:
                        raise _NotJoinable("header or footer with its own relationships")
                    stories[rel.get("Id") or ""] = (kind, z.read(part))
                elif kind in _SHARED:
                    shared[kind] = (target, z.read(part))
                elif kind == "styles":
                    styles = z.read(part)
                elif kind in _UNSEEN:
                    continue
                else:
                    raise _NotJoinable(f"a {kind} part")
            root = etree.fromstring(z.read("word/document.xml"))
            package: dict[str, bytes] = {
                n: z.read(n)
                for n in ("_rels/.rels", "docProps/core.xml", "docProps/app.xml")
                if n in names
            }
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError) as err:
        raise _NotJoinable(str(err)) from None
    if styles is None or "_rels/.rels" not in package:
        raise _NotJoinable("no styles")
    body = root.find(_w("body"))
    if body is None or len(body) == 0 or body[-1].tag != _w("sectPr"):
        raise _NotJoinable("no final section")
    if body.find(f".//{_w('pPr')}/{_w('sectPr')}") is not None:
        raise _NotJoinable("several sections")
    if body.find(f".//{_w('p')}") is None:
        raise _NotJoinable("no paragraph")
    if body.find(f".//{_w('dataBinding')}") is not None:
        raise _NotJoinable("content bound to custom XML")
    styles_root = etree.fromstring(styles)
    style_defs, defaults = _style_facts(styles)
    digest = hashlib.sha256()
    for kind in _SHARED:
        digest.update(f"{kind}:{shared.get(kind, ('', b''))[0]}:".encode())
        digest.update(shared.get(kind, ("", b""))[1])
    digest.update(defaults)
    digest.update(repr(sorted(root.nsmap.items(), key=str)).encode())
    digest.update((root.get(f"{{{_MC}}}Ignorable") or "").encode())
    # The same headers and footers (default, first page, even pages) in every document of a
    # group: a section without one of its own would show the previous section's.
    refs = sorted(
        f"{ref.tag}:{ref.get(_w('type'))}"
        for ref in body[-1]
        if ref.tag in (_w("headerReference"), _w("footerReference"))
    )
    title_page = body[-1].find(_w("titlePg")) is not None
    digest.update(repr((refs, title_page)).encode())
    return _Doc(
        path=path,
        root=root,
        sect_pr=body[-1],
        stories=stories,
        shared=shared,
        styles=styles_root,
        style_defs=style_defs,
        package=package,
        signature=digest.hexdigest(),
    )


@functools.lru_cache(maxsize=64)
def _style_facts(xml: bytes) -> tuple[dict[str, bytes], bytes]:
    """Each style's canonical XML by id, and the defaults (docDefaults, latentStyles), of a
    styles part: the forms of one template share it, so it is worked out once (bytes only,
    nothing a thread could change)."""
    root = etree.fromstring(xml)
    defs = {
        s.get(_w("styleId")) or "": etree.tostring(s, method="c14n") for s in root.iter(_w("style"))
    }
    defaults = b"".join(
        b"" if (found := root.find(_w(tag))) is None else etree.tostring(found, method="c14n")
        for tag in ("docDefaults", "latentStyles")
    )
    return defs, defaults


def _end_section_in(body: etree._Element, sect_pr: etree._Element) -> None:
    """Close the section with the body's last paragraph (Word's own way of a section break)."""
    last = body[-1] if len(body) else None
    if last is None or last.tag != _w("p"):
        last = etree.SubElement(body, _w("p"))
    ppr = last.find(_w("pPr"))
    if ppr is None:
        ppr = etree.Element(_w("pPr"))
        last.insert(0, ppr)
    change = ppr.find(_w("pPrChange"))
    if change is not None:
        change.addprevious(sect_pr)
    else:
        ppr.append(sect_pr)


def _clashes(doc: _Doc, defs: dict[str, bytes]) -> bool:
    """True when ``doc`` defines a style id of ``defs`` another way."""
    return any(defs.get(k, v) != v for k, v in doc.style_defs.items())


def read_joinable(paths: Sequence[Path]) -> list[_Doc] | None:
    """The documents at ``paths`` read for ``join``, or None when they cannot share one file."""
    try:
        docs = [_read(path) for path in paths]
    except _NotJoinable:
        return None
    defs: dict[str, bytes] = {}
    for doc in docs:
        if doc.signature != docs[0].signature:
            return None
        if _clashes(doc, defs):
            return None
        defs.update(doc.style_defs)
    return docs


def join(
    docs: Sequence[_Doc], out: Path, *, hidden: bool = False, pages: Sequence[int | None] = ()
) -> None:
    """Write the joined .docx of ``docs`` (one signature, no conflicting styles) to ``out``.

    Each document is a section of its own, on a new page, numbered from 1, with its page totals
    counting its own pages (``pages``, where known, shown as their results). ``hidden``: the
    bookmarks hide from Word's list (for a file people open)."""
    known_pages = list(pages) + [None] * (len(docs) - len(pages))
    first = docs[0]
    root = deepcopy(first.root)
    body = root.find(_w("body"))
    assert body is not None
    for child in list(body):
        body.remove(child)
    styles = deepcopy(first.styles)
    known = set(first.style_defs)
    parts: dict[str, bytes] = {}
    story_rels: list[tuple[str, str, str]] = []  # rId, kind, target
    for i, doc in enumerate(docs):
        own = deepcopy(doc.root.find(_w("body")))
        assert own is not None
        sect_pr = own[-1]
        own.remove(sect_pr)
        paragraphs = own.findall(f".//{_w('p')}")
        end = end_bookmark(i, hidden)
        bookmark(paragraphs[0], BOOKMARK_IDS + 2 * i, start_bookmark(i, hidden), at_start=True)
        bookmark(paragraphs[-1], BOOKMARK_IDS + 2 * i + 1, end, at_start=False)
        count_own_pages(own, end, known_pages[i])
        for ref in sect_pr.findall(_w("headerReference")) + sect_pr.findall(_w("footerReference")):
            kind, xml = doc.stories[ref.get(f"{{{_R}}}id") or ""]
            story = etree.fromstring(xml)
            count_own_pages(story, end, known_pages[i])
            rid = f"rIdJ{len(story_rels) + 1}"
            target = f"{kind}{len(story_rels) + 1}.xml"
            parts[f"word/{target}"] = etree.tostring(
                story, xml_declaration=True, encoding="UTF-8", standalone=True
            )
            story_rels.append((rid, kind, target))
            ref.set(f"{{{_R}}}id", rid)
        restart_page_numbers(sect_pr)
        kind_of_break = sect_pr.find(_w("type"))  # on its own a document starts on a new page
        if kind_of_break is not None:
            kind_of_break.set(_w("val"), "nextPage")
        for child in list(own):
            body.append(child)
        if i < len(docs) - 1:
            _end_section_in(body, sect_pr)
        else:
            body.append(sect_pr)
        for style in doc.styles.iter(_w("style")):
            sid = style.get(_w("styleId")) or ""
            if sid not in known:
                styles.append(deepcopy(style))
                known.add(sid)
    parts["word/document.xml"] = etree.tostring(
        root, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    parts["word/styles.xml"] = etree.tostring(
        styles, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    rels = etree.Element(f"{{{_REL}}}Relationships", nsmap={None: _REL})
    overrides = {
        "/word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
        "/word/styles.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml",
    }
    content_type = {
        "settings": "application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml",
        "webSettings": "application/vnd.openxmlformats-officedocument.wordprocessingml.webSettings+xml",
        "fontTable": "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml",
        "theme": "application/vnd.openxmlformats-officedocument.theme+xml",
        "numbering": "application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml",
        "header": "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml",
        "footer": "application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml",
    }
    etree.SubElement(
        rels, f"{{{_REL}}}Relationship", Id="rIdJS", Type=_DOC_RELS + "styles", Target="styles.xml"
    )
    for kind, (target, data) in first.shared.items():
        name = str(PurePosixPath("word") / target)
        parts[name] = data
        overrides[f"/{name}"] = content_type[kind]
        etree.SubElement(
            rels, f"{{{_REL}}}Relationship", Id=f"rIdJ{kind}", Type=_DOC_RELS + kind, Target=target
        )
    for rid, kind, target in story_rels:
        overrides[f"/word/{target}"] = content_type[kind]
        etree.SubElement(
            rels, f"{{{_REL}}}Relationship", Id=rid, Type=_DOC_RELS + kind, Target=target
        )
    parts["word/_rels/document.xml.rels"] = etree.tostring(
        rels, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    types = etree.Element(f"{{{_CT}}}Types", nsmap={None: _CT})
    etree.SubElement(
        types,
        f"{{{_CT}}}Default",
        Extension="rels",
        ContentType="application/vnd.openxmlformats-package.relationships+xml",
    )
    etree.SubElement(types, f"{{{_CT}}}Default", Extension="xml", ContentType="application/xml")
    for name, data in first.package.items():
        parts[name] = data
    if "docProps/core.xml" in first.package:
        overrides["/docProps/core.xml"] = (
            "application/vnd.openxmlformats-package.core-properties+xml"
        )
    if "docProps/app.xml" in first.package:
        overrides["/docProps/app.xml"] = (
            "application/vnd.openxmlformats-officedocument.extended-properties+xml"
        )
    for name, kind in overrides.items():
        etree.SubElement(types, f"{{{_CT}}}Override", PartName=name, ContentType=kind)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr(
            "[Content_Types].xml",
            etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True),
        )
        for name, data in parts.items():
            z.writestr(name, data)


def cut(joined_pdf: Path, docs: Sequence[Path]) -> dict[Path, Path]:
    """Cut the joined PDF into one PDF beside each of ``docs``; ValueError when it cannot be cut
    exactly (a bookmark missing, or a page that belongs to no form)."""
    reader = PdfReader(joined_pdf)
    pages = {
        str(name).lstrip("/"): reader.get_destination_page_number(dest)
        for name, dest in reader.named_destinations.items()
    }
    spans: list[tuple[int, int]] = []
    for i in range(len(docs)):
        first, last = pages.get(start_bookmark(i)), pages.get(end_bookmark(i))
        if first is None or last is None or last < first:
            raise ValueError(f"form {i} has no place in the joined PDF")
        expected_first = spans[-1][1] + 1 if spans else 0
        if first != expected_first:
            raise ValueError(f"form {i} does not start where the previous ended")
        spans.append((first, last))
    if spans[-1][1] != len(reader.pages) - 1:
        raise ValueError("pages after the last form")
    made: dict[Path, Path] = {}
    for docx, (first, last) in zip(docs, spans):
        writer = PdfWriter()
        for n in range(first, last + 1):
            writer.add_page(reader.pages[n])
        if reader.metadata:
            writer.add_metadata(dict(reader.metadata))
        writer.pdf_header = (
            reader.pdf_header.encode() if isinstance(reader.pdf_header, str) else reader.pdf_header
        )
        target = docx.with_suffix(".pdf")
        with atomic_write(target, private=True) as tmp:
            writer.write(tmp)
        made[docx] = target
    return made


def by_contract_folder(docx: Path) -> Hashable:
    """The pipeline's grouping: a form or cover at <contract>/<timing folder>/<file>.docx."""
    return docx.parent.parent


@dataclass
class JoinedConverter:
    """A ``Converter``: joins compatible documents of one group, converts with ``inner``, cuts.

    ``inner`` must export bookmarks as named destinations (``pdf.PDF_EXPORT``: the soffice pool
    does). ``group`` says which documents may share a joined document (their fonts end up in
    each other's PDFs): by default those of one contract folder.
    """

    inner: Converter
    group: Callable[[Path], Hashable] = by_contract_folder
    most: int = MAX_JOINED

    def __call__(
        self, docx_paths: Sequence[Path], progress: Progress | None = None
    ) -> ConversionResult:
        """Convert each .docx to a PDF beside it, like the wrapped converter."""
        files = list(dict.fromkeys(Path(p) for p in docx_paths))
        groups, alone = self._plan(files)
        if not groups:
            return self.inner(files, progress)
        try:
            # Beside the forms (inside the output's work folder), never elsewhere on the disk.
            common = Path(os.path.commonpath([f.parent for f in files]))
            scratch = Path(tempfile.mkdtemp(prefix=".joined-", dir=common))
        except (ValueError, OSError):  # other drives (Windows), or a folder not ours to write
            return self.inner(files, progress)
        try:
            return self._joined(groups, alone, scratch, progress)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    def _joined(
        self,
        groups: list[list[_Doc]],
        alone: list[Path],
        scratch: Path,
        progress: Progress | None,
    ) -> ConversionResult:
        joined: dict[Path, list[Path]] = {}
        for n, docs in enumerate(groups):
            out = scratch / f"{n:04d}.docx"
            try:
                join(docs, out)
            except Exception:  # noqa: BLE001 — those forms go alone
                alone += [d.path for d in docs]
                continue
            joined[out] = [d.path for d in docs]
        converted: dict[Path, Path] = {}
        again: list[Path] = []

        def arrived(docx: Path, made: Path | None) -> None:
            """Cut a joined PDF as soon as it comes (LibreOffice goes on with the others)."""
            if docx not in joined:
                if progress is not None:
                    progress(docx, made)
                return
            try:
                if made is None:
                    raise ValueError("not converted")
                pieces = cut(made, joined[docx])
            except Exception:  # noqa: BLE001 — its forms are converted one by one instead
                again.extend(joined[docx])
                return
            for form, pdf_path in pieces.items():
                converted[form] = pdf_path
                if progress is not None:
                    progress(form, pdf_path)

        result = self.inner([*joined, *alone], arrived)
        converted.update({d: p for d, p in result.converted.items() if d not in joined})
        failed = {d: r for d, r in result.failed.items() if d not in joined}
        if again and result.stalled:  # LibreOffice hangs: do not try again, one by one
            reason = next(iter(result.failed.values()), "PDF にできませんでした。")
            for docx in again:
                failed[docx] = reason
                if progress is not None:
                    progress(docx, None)
            again = []
        if not again:
            return ConversionResult(converted, failed, result.stalled)
        retry = self.inner(again, progress)
        converted.update(retry.converted)
        failed.update(retry.failed)
        return ConversionResult(converted, failed, result.stalled or retry.stalled)

    def _plan(self, files: list[Path]) -> tuple[list[list[_Doc]], list[Path]]:
        """Groups of two or more joinable documents (each within ``most``), and those to go alone."""
        alone: list[Path] = []
        buckets: dict[tuple[Hashable, str], list[_Doc]] = {}
        for path in files:
            try:
                doc = _read(path)
            except _NotJoinable:
                alone.append(path)
                continue
            buckets.setdefault((self.group(path), doc.signature), []).append(doc)
        groups: list[list[_Doc]] = []
        for docs in buckets.values():
            current: list[_Doc] = []
            defs: dict[str, bytes] = {}
            for doc in docs:
                if _clashes(doc, defs):
                    alone.append(doc.path)
                    continue
                if len(current) == self.most:
                    groups.append(current)
                    current, defs = [], {}
                current.append(doc)
                defs.update(doc.style_defs)
            groups.append(current)
        for docs in [g for g in groups if len(g) < 2]:
            alone += [d.path for d in docs]
        return [g for g in groups if len(g) >= 2], alone
