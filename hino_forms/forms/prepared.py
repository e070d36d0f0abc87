"""docxtpl, prepared once per template: the same output as ``DocxTemplate.render`` + ``save``.

docxtpl re-reads the .docx, re-runs ``patch_xml`` and re-compiles the Jinja source of
every part for every document. ``PreparedTemplate`` does that work once — with
docxtpl's own methods, so its tag syntax (``{%tr %}``, ``{%p %}``, ``{{r }}`` …)
is exactly docxtpl's — and then, per document, only renders the compiled
templates, post-processes the XML as ``render_xml_part`` does, and writes the
package from the parts python-docx would have written, through the public
``zipfile`` API. Every part equals docxtpl's: tests/test_render.py checks the
forms, ``bench/docxtpl_equivalence.py`` docxtpl's own test templates.

Footnotes are rendered once (docxtpl renders them once per section, re-rendering
its own output when a document has several).

What docxtpl does by adding parts to the package while rendering cannot be done
here, and is refused with ``TemplateUnsupported`` rather than silently dropped:
InlineImage, Subdoc, RichText hyperlinks (any rendered reference to a
relationship the template does not have), and replace_media / replace_pic /
replace_embedded / replace_zipname.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any, NoReturn

from docx.opc.coreprops import CoreProperties
from docx.opc.oxml import oxml_parser, serialize_part_xml
from docx.opc.part import Part
from docx.oxml.ns import nsmap, qn
from docxtpl import DocxTemplate, InlineImage, RichText, RichTextParagraph
from docxtpl.subdoc import Subdoc
from jinja2 import Environment, Template
from jinja2.exceptions import SecurityError, TemplateError
from lxml import etree

from hino_forms.errors import TemplateUnsafe, TemplateUnsupported

# docxtpl's DocxTemplate.render_properties renders exactly these core properties.
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
CORE_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
# A relationship reference in rendered XML (images: r:embed/r:link, hyperlinks: r:id).
# (A literal first character lets the regex engine skip ahead: 30× faster than \b.)
_REFERENCE = re.compile(r' r:(?:id|embed|link)="([^"]*)"')


@dataclass(frozen=True)
class _Part:
    """A rendered XML part: its zip member name, compiled template and how to write it."""

    member: str
    template: Template
    encoding: str
    reparse: bool  # headers/footers go through parse_xml/serialize as python-docx saves them
    relationships: frozenset[str]  # the rIds this part has: anything else was added by a value


def compile_xml(env: Environment, src_xml: str) -> Template:
    """Compile patched part XML as ``render_xml_part`` does, with docxtpl's ``docx_context`` on errors."""
    src_xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml)
    try:
        return env.from_string(src_xml)
    except TemplateError as exc:
        lineno: int | None = getattr(exc, "lineno", None)
        if lineno is not None:
            line_number = max(lineno - 4, 0)
            exc.docx_context = [  # type: ignore[attr-defined]  # docxtpl's attribute, set as it does
                re.sub(r"<[^>]+>", "", x)
                for x in src_xml.splitlines()[line_number : line_number + 7]
            ]
        raise


def _finish(tpl: DocxTemplate, dst_xml: str) -> str:
    """The tail of docxtpl's ``render_xml_part``."""
    # docxtpl: re.sub(r"\n<w:p([ >])", r"<w:p\1", …); the same, without a callback per paragraph.
    dst_xml = dst_xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    dst_xml = (
        dst_xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    )
    # resolve_listing only rewrites \t \a \n \f inside text: without them it is the identity.
    if any(c in dst_xml for c in "\t\a\n\f"):
        dst_xml = tpl.resolve_listing(dst_xml)
    return str(dst_xml)


def _rids(part: Part) -> frozenset[str]:
    return frozenset(part.rels.keys())


class PreparedTemplate:
    """One docxtpl template, patched and compiled once; ``render(context)`` → .docx bytes."""

    def __init__(self, source: bytes, env: Environment, name: str = "") -> None:
        self.name = name or "（名前のないテンプレート）"
        env = _refusing(env, self.name)
        self._tpl = tpl = DocxTemplate(io.BytesIO(source))
        tpl.init_docx()
        doc = tpl.docx
        self._body = compile_xml(env, tpl.patch_xml(tpl.get_xml()))
        self._body_relationships = _rids(doc.part)
        self._document_member = doc.part.partname.membername
        # The document element without its body: each render gets a copy and a new body,
        # exactly as docxtpl's map_tree replaces the body of the loaded document.
        self._skeleton = copy.deepcopy(doc.element)
        self._skeleton.replace(self._skeleton.find(qn("w:body")), etree.Element(qn("w:body")))
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
                        _rids(part),
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
                        _rids(part),
                    )
                )
        core = doc.core_properties
        # python-docx has no public handle on the core-properties part's member name.
        self._core_member = doc.part.package._core_properties_part.partname.membername
        self._core_templates = {p: env.from_string(getattr(core, p)) for p in CORE_PROPERTIES}
        self._core_static = not any(("{" in (getattr(core, p) or "")) for p in CORE_PROPERTIES)
        if self._core_static:
            # Plain text renders to itself; docxtpl still sets every property (adding
            # empty elements), so do that once here.
            for prop, template in self._core_templates.items():
                setattr(core, prop, template.render({}))
        self._core_element = core._element
        saved = io.BytesIO()
        doc.save(saved)
        rendered = {self._document_member, *(p.member for p in self._parts)}
        if not self._core_static:
            rendered.add(self._core_member)
        # The members no context changes are compressed once, here, into a package of
        # their own; each render appends its own parts to a copy of it (ZipFile mode
        # "a"). Deflating the unchanged parts again for every document would cost
        # more than rendering it. Only the order of the members differs from
        # docxtpl's ([Content_Types].xml stays first).
        self._rendered_infos: list[zipfile.ZipInfo] = []
        static = io.BytesIO()
        with zipfile.ZipFile(saved) as package, zipfile.ZipFile(static, "w") as base:
            for info in package.infolist():
                if info.filename in rendered:
                    self._rendered_infos.append(info)
                else:
                    base.writestr(copy.copy(info), package.read(info))
        self._static = static.getvalue()

    def render(self, context: dict[str, Any]) -> bytes:
        """The .docx docxtpl would save for ``DocxTemplate.render(context, env)`` (members in another order)."""
        try:
            return self._render(context)
        except SecurityError as exc:
            raise TemplateUnsafe(self.name, str(exc)) from exc

    def _render(self, context: dict[str, Any]) -> bytes:
        tpl = self._tpl
        body = _finish(tpl, self._body.render(context))
        self._check_references(body, self._body_relationships)
        tree = tpl.fix_tables(body)
        for number, elt in enumerate(tree.xpath("//wp:docPr", namespaces=nsmap), start=1001):
            elt.attrib["id"] = str(number)
        root = copy.deepcopy(self._skeleton)
        root.replace(root.find(qn("w:body")), tree)
        out: dict[str, bytes] = {self._document_member: serialize_part_xml(root)}
        for part in self._parts:
            xml = _finish(tpl, part.template.render(context))
            self._check_references(xml, part.relationships)
            data = xml.encode(part.encoding)
            # python-docx's parse_xml, which takes the bytes too (its annotation says str).
            reparsed = (
                serialize_part_xml(etree.fromstring(data, oxml_parser)) if part.reparse else data
            )
            out[part.member] = reparsed
        if not self._core_static:
            core = copy.deepcopy(self._core_element)
            props = CoreProperties(core)
            for prop, template in self._core_templates.items():
                setattr(props, prop, template.render(context))
            out[self._core_member] = serialize_part_xml(core)
        buf = io.BytesIO(self._static)
        with zipfile.ZipFile(buf, "a") as z:
            for info in self._rendered_infos:
                # A copy: writestr fills in sizes and offsets on the ZipInfo it is given.
                # Level 1: a third less time than the default for ~15 % more bytes.
                z.writestr(copy.copy(info), out[info.filename], compresslevel=1)
        return buf.getvalue()

    def _check_references(self, xml: str, known: frozenset[str]) -> None:
        """Refuse XML that points at a relationship the template lacks (it would be dropped)."""
        unknown = {rid for rid in _REFERENCE.findall(xml) if rid not in known}
        if not unknown:
            return
        rid = min(unknown)
        found = re.search(rf'<([\w:]+)[^<>]* r:(\w+)="{re.escape(rid)}"', xml)
        tag, attribute = found.groups() if found else ("", "")
        if tag == "w:hyperlink":
            raise TemplateUnsupported(self.name, "リンク（ハイパーリンク）")
        if attribute in ("embed", "link"):
            raise TemplateUnsupported(self.name, "画像")
        raise TemplateUnsupported(self.name, f"埋め込みの部品（{tag or rid}）")

    def _replacing(self, what: str) -> NoReturn:
        raise TemplateUnsupported(self.name, f"画像・埋め込みファイルの差し替え（{what}）")

    def replace_media(self, src_file: object, dst_file: object) -> NoReturn:
        """Refused: docxtpl swaps media parts when saving, which this path does not do."""
        self._replacing("replace_media")

    def replace_pic(self, embedded_file: object, dst_file: object) -> NoReturn:
        """Refused, as ``replace_media``."""
        self._replacing("replace_pic")

    def replace_embedded(self, src_file: object, dst_file: object) -> NoReturn:
        """Refused, as ``replace_media``."""
        self._replacing("replace_embedded")

    def replace_zipname(self, zipname: object, dst_file: object) -> NoReturn:
        """Refused, as ``replace_media``."""
        self._replacing("replace_zipname")


# What a printed value may be that docxtpl would turn into new package parts.
_PART_MAKERS = (InlineImage, Subdoc, RichText, RichTextParagraph)


def _refusing(env: Environment, template: str) -> Environment:
    """``env`` whose ``{{ }}`` outputs refuse values docxtpl would turn into new package parts.

    A Jinja ``finalize`` sees every printed value before it is escaped, so the check
    costs one call per output, not a walk over the whole context.
    """
    inner = env.finalize
    if inner is not None and hasattr(inner, "jinja_pass_arg"):
        raise TypeError(
            "PreparedTemplate: finalize with pass_context/pass_environment is not supported"
        )

    def refuse(value: object) -> None:
        if isinstance(value, InlineImage):
            raise TemplateUnsupported(template, "画像（InlineImage）")
        if isinstance(value, Subdoc):
            raise TemplateUnsupported(template, "サブ文書（Subdoc）")
        if isinstance(value, (RichText, RichTextParagraph)) and "<w:hyperlink" in value.xml:
            raise TemplateUnsupported(template, "リンク（RichText のハイパーリンク）")

    def finalize(value: Any) -> Any:
        if isinstance(value, _PART_MAKERS):  # one check for the common case: plain text
            refuse(value)
        return value if inner is None else inner(value)

    return env.overlay(finalize=finalize)


def part_xml(docx_bytes: bytes) -> dict[str, bytes]:
    """Every member of a .docx: name → bytes (for comparisons and tests)."""
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        return {name: z.read(name) for name in z.namelist()}
