"""docxtpl, prepared once per template: the same output as ``DocxTemplate.render`` + ``save``.

docxtpl re-reads the .docx, re-runs ``patch_xml`` and re-compiles the Jinja source of
every part for every document. ``PreparedTemplate`` does that work once — with
docxtpl's own methods, so its tag syntax (``{%tr %}``, ``{%p %}``, ``{{r }}`` …)
is exactly docxtpl's — and then, per document, only renders the compiled
templates, post-processes the XML as ``render_xml_part`` does, and writes the
package from the parts python-docx would have written. tests/test_render.py
compares every part with a plain ``DocxTemplate`` render.

Footnotes are rendered once (docxtpl renders them once per section, re-rendering
its own output when a document has several). Not supported (the forms do not use them): InlineImage, Subdoc and
replace_pic/replace_media, which add parts while rendering.
"""

from __future__ import annotations

import copy
import io
import re
import struct
import zipfile
from dataclasses import dataclass
from typing import Any

from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import parse_xml, serialize_part_xml
from docx.oxml.ns import nsmap, qn
from docxtpl import DocxTemplate
from jinja2 import Environment, Template
from jinja2.exceptions import TemplateError

# docxtpl's DocxTemplate.render_properties renders exactly these core properties.
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")


@dataclass(frozen=True)
class _Part:
    """A rendered XML part: its zip member name, compiled template and how to write it."""

    member: str
    template: Template
    encoding: str
    reparse: bool  # headers/footers go through parse_xml/serialize as python-docx saves them


def compile_xml(env: Environment, src_xml: str) -> Template:
    """Compile patched part XML as ``render_xml_part`` does, with docxtpl's ``docx_context`` on errors."""
    src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
    try:
        return env.from_string(src_xml)
    except TemplateError as exc:
        if getattr(exc, "lineno", None) is not None:
            line_number = max(exc.lineno - 4, 0)  # type: ignore[attr-defined]
            exc.docx_context = [  # type: ignore[attr-defined]
                re.sub(r"<[^>]+>", "", x)
                for x in src_xml.splitlines()[line_number : line_number + 7]
            ]
        raise


def _finish(tpl: DocxTemplate, dst_xml: str) -> str:
    """The tail of docxtpl's ``render_xml_part``."""
    dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
    dst_xml = (
        dst_xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    )
    # resolve_listing only rewrites \t \a \n \f inside text: without them it is the identity.
    if any(c in dst_xml for c in "\t\a\n\f"):
        dst_xml = tpl.resolve_listing(dst_xml)
    return dst_xml


class PreparedTemplate:
    """One docxtpl template, patched and compiled once; ``render(context)`` → .docx bytes."""

    def __init__(self, source: bytes, env: Environment) -> None:
        self._tpl = tpl = DocxTemplate(io.BytesIO(source))
        tpl.init_docx()
        doc = tpl.docx
        self._body = compile_xml(env, tpl.patch_xml(tpl.get_xml()))
        self._document_member = doc.part.partname.membername
        # The document element without its body: each render gets a copy and a new body,
        # exactly as docxtpl's map_tree replaces the body of the loaded document.
        skeleton = copy.deepcopy(doc.element)
        self._skeleton = skeleton
        self._parts: list[_Part] = []
        for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
            for _key, part in tpl.get_headers_footers(uri):
                xml = tpl.get_part_xml(part)
                self._parts.append(
                    _Part(
                        part.partname.membername,
                        compile_xml(env, tpl.patch_xml(xml)),
                        tpl.get_headers_footers_encoding(xml),
                        True,
                    )
                )
        for part in doc.part.package.parts:
            if part.content_type == _FOOTNOTES:
                blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
                self._parts.append(
                    _Part(
                        part.partname.membername,
                        compile_xml(env, tpl.patch_xml(blob)),
                        "utf-8",
                        False,
                    )
                )
        core = doc.core_properties
        self._core_member = doc.part.package._core_properties_part.partname.membername
        self._core_templates = {p: env.from_string(getattr(core, p)) for p in CORE_PROPERTIES}
        self._core_static = not any(("{" in (getattr(core, p) or "")) for p in CORE_PROPERTIES)
        if self._core_static:
            # Plain text renders to itself; docxtpl still sets every property (adding
            # empty elements), so do that once here.
            for prop, template in self._core_templates.items():
                setattr(core, prop, template.render({}))
        self._core_element = core._element
        buf = io.BytesIO()
        doc.save(buf)
        rendered = {self._document_member, self._core_member, *(p.member for p in self._parts)}
        with zipfile.ZipFile(buf) as z:
            # Unchanged members are kept compressed and copied as they are.
            self._members = [
                (info, None if info.filename in rendered else _raw(z, info))
                for info in z.infolist()
            ]
            self._base = {n: z.read(n) for n in rendered if n in z.NameToInfo}

    def render(self, context: dict[str, Any]) -> bytes:
        """The .docx bytes docxtpl would save for ``DocxTemplate.render(context, env)``."""
        tpl = self._tpl
        tree = tpl.fix_tables(_finish(tpl, self._body.render(context)))
        for number, elt in enumerate(tree.xpath("//wp:docPr", namespaces=nsmap), start=1001):
            elt.attrib["id"] = str(number)
        root = copy.deepcopy(self._skeleton)
        root.replace(root.find(qn("w:body")), tree)
        out: dict[str, bytes] = {self._document_member: serialize_part_xml(root)}
        for part in self._parts:
            xml = _finish(tpl, part.template.render(context))
            data = xml.encode(part.encoding)
            out[part.member] = serialize_part_xml(parse_xml(data)) if part.reparse else data  # type: ignore[arg-type]
        if not self._core_static:
            core = copy.deepcopy(self._core_element)
            props = CoreProperties(core)
            for prop, template in self._core_templates.items():
                setattr(props, prop, template.render(context))
            out[self._core_member] = serialize_part_xml(core)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            for info, raw in self._members:
                if raw is None:
                    rendered = out.get(info.filename)
                    # A copy: writestr fills in sizes and offsets on the ZipInfo it is given.
                    z.writestr(
                        copy.copy(info),
                        rendered if rendered is not None else self._base[info.filename],
                    )
                else:
                    _write_raw(z, info, raw)
        return buf.getvalue()


def _raw(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The compressed bytes of a member, as stored."""
    z.fp.seek(info.header_offset)  # type: ignore[union-attr]
    header = z.fp.read(zipfile.sizeFileHeader)  # type: ignore[union-attr,attr-defined]
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    z.fp.seek(info.header_offset + zipfile.sizeFileHeader + name_len + extra_len)  # type: ignore[union-attr,attr-defined]
    return z.fp.read(info.compress_size)  # type: ignore[union-attr]


def _write_raw(z: zipfile.ZipFile, source: zipfile.ZipInfo, raw: bytes) -> None:
    """Append an already-compressed member (what ZipFile.writestr does, minus compressing)."""
    info = copy.copy(source)
    info.extra = b""
    info.header_offset = z.fp.tell()  # type: ignore[union-attr]
    z.fp.write(info.FileHeader(False))  # type: ignore[union-attr]
    z.fp.write(raw)  # type: ignore[union-attr]
    z.start_dir = z.fp.tell()  # type: ignore[union-attr]
    z.filelist.append(info)
    z.NameToInfo[info.filename] = info


def part_xml(docx_bytes: bytes) -> dict[str, bytes]:
    """Every member of a .docx: name → bytes (for comparisons and tests)."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        return {name: z.read(name) for name in z.namelist()}
