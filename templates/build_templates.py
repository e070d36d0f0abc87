"""Build hino_forms/resources/templates/form1.docx … form7.docx and cover.docx (docxtpl) with python-docx.

Run from the repository root:  .venv/bin/python templates/build_templates.py

Every page is made of the named styles defined in ``define_styles`` (様式番号, 日付行,
宛先, 提出者, 表題, 前文, 記, 項目, 項目本文, 表見出し, 表本文, 表中央, 表後, 注記, 結語,
様式フッター and the table style 様式表), so city staff can change the look
in Word or LibreOffice by editing a style, not every paragraph. The variables the
templates use are documented in hino_forms/forms/contexts.py.

Fonts: ＭＳ 明朝 (Windows) is named in docDefaults and in the Normal style, with the
theme-font attributes removed because Word lets them override explicit names.
LibreOffice on Linux has no ＭＳ 明朝; hino_forms/resources/fonts.conf (a fontconfig
file, set as FONTCONFIG_FILE when converting) maps it to IPAexMincho.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
MINCHO = "ＭＳ 明朝"
TEXT_WIDTH_MM = 170  # A4 (210 mm) less 20 mm margins each side
LABEL_TAB_MM = 36  # where the value of a numbered item starts


# ---------------------------------------------------------------- document set-up


def new_document() -> Document:
    """A blank A4 portrait document with the project's styles and fonts."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(20), Mm(20)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    sect_pr = section._sectPr
    # Each form restarts at page 1 when forms are composed into one Word bundle.
    pg = OxmlElement("w:pgNumType")
    pg.set(qn("w:start"), "1")
    insert_ordered(
        sect_pr,
        pg,
        (
            "cols",
            "formProt",
            "vAlign",
            "noEndnote",
            "titlePg",
            "textDirection",
            "bidi",
            "rtlGutter",
            "docGrid",
        ),
    )
    set_fonts(doc)
    define_styles(doc)
    # The default template's first (empty) paragraph is not wanted.
    body = doc.element.body
    for p in list(body.iterchildren(qn("w:p"))):
        body.remove(p)
    return doc


def set_fonts(doc: Document) -> None:
    """ＭＳ 明朝 everywhere, Japanese language; remove theme fonts that override names."""
    styles = doc.styles.element
    for rfonts in styles.iter(qn("w:rFonts")):
        for key in list(rfonts.attrib):
            if key.endswith("Theme"):
                del rfonts.attrib[key]
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "ja-JP")
    ppr_default = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault"))
    if ppr_default is not None:  # Word 2010 defaults (10 pt after, 1.15 lines) do not suit forms
        styles.find(qn("w:docDefaults")).remove(ppr_default)
    normal = doc.styles["Normal"]
    _fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(10.5)
    pf = normal.paragraph_format
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(0), 1.0
    pf.widow_control = True  # no single line of a paragraph left alone at a page break
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "ja-JP")


def _fonts(rpr) -> None:
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for key in list(rfonts.attrib):
        del rfonts.attrib[key]
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{slot}"), MINCHO)
    rfonts.set(qn("w:hint"), "eastAsia")


def pstyle(
    doc,
    name,
    *,
    size=None,
    bold=False,
    align=None,
    left=None,
    hanging=None,
    first=None,
    before=0,
    after=0,
    keep_next=False,
    keep_lines=False,
    tabs=(),
    right=None,
):
    """Add a paragraph style based on Normal."""
    st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    st.base_style = doc.styles["Normal"]
    st.quick_style = True
    if size:
        st.font.size = Pt(size)
    if bold:
        st.font.bold = True
    pf = st.paragraph_format
    if align is not None:
        pf.alignment = align
    if left is not None:
        pf.left_indent = Mm(left)
    if right is not None:
        pf.right_indent = Mm(right)
    if hanging is not None:
        pf.first_line_indent = -Mm(hanging)
    if first is not None:
        pf.first_line_indent = Pt(first)
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.keep_with_next = keep_next
    if keep_lines:
        pf.keep_together = True
    for pos, kind in tabs:
        pf.tab_stops.add_tab_stop(Mm(pos), kind)
    return st


def define_styles(doc: Document) -> None:
    """The named styles every template uses."""
    L, R, C = WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.CENTER
    pstyle(doc, "様式番号", align=L)
    pstyle(doc, "日付行", align=R, after=6)
    pstyle(doc, "宛先", align=L, after=6)
    # Submitter block on the right half: label, tab, value; long values wrap under the value.
    pstyle(doc, "提出者", align=L, left=105, hanging=25, tabs=[(105, WD_TAB_ALIGNMENT.LEFT)])
    pstyle(doc, "経由", size=9, align=L, left=80, before=3)
    pstyle(doc, "表題", size=16, bold=True, align=C, before=10, after=8)
    pstyle(doc, "前文", align=L, first=10.5, after=6)
    pstyle(doc, "記", align=C, before=4, after=4)
    pstyle(
        doc,
        "項目",
        align=L,
        left=LABEL_TAB_MM,
        hanging=LABEL_TAB_MM,
        before=4,
        keep_next=True,
        tabs=[(6, WD_TAB_ALIGNMENT.LEFT), (LABEL_TAB_MM, WD_TAB_ALIGNMENT.LEFT)],
    )
    pstyle(doc, "項目本文", align=L, left=6, after=2)
    # Table text is 9 pt (FORMS.md: never smaller). LibreOffice puts a fifth of an em between
    # kanji and digits (it ignores w:autoSpaceDN), so a date such as 令和10年12月31日 needs
    # 34 mm of column: the widths below are measured on that.
    pstyle(doc, "表見出し", size=9, align=C)
    pstyle(doc, "表本文", size=9, align=L)
    pstyle(doc, "表中央", size=9, align=C)
    pstyle(doc, "条件", align=L, left=17, hanging=11, after=2)
    # A note stays whole and with what follows (the next note, 以上), never split off alone.
    pstyle(
        doc, "注記", size=9, align=L, left=9, hanging=3, before=3, keep_next=True, keep_lines=True
    )
    pstyle(doc, "表後", size=4, align=L)  # the small gap after a table
    pstyle(doc, "結語", align=R, before=6)
    pstyle(doc, "様式フッター", size=9, align=L, tabs=[(TEXT_WIDTH_MM, WD_TAB_ALIGNMENT.RIGHT)])
    table_style(doc)


def insert_ordered(parent, child, successors: tuple[str, ...]) -> None:
    """Insert ``child`` before the first of its schema successors (Word rejects misordered XML)."""
    later = {qn(f"w:{name}") for name in successors}
    for i, existing in enumerate(parent):
        if existing.tag in later:
            parent.insert(i, child)
            return
    parent.append(child)


def table_style(doc: Document) -> None:
    """様式表: thin single borders on every cell, 1 mm cell padding."""
    st = doc.styles.add_style("様式表", WD_STYLE_TYPE.TABLE)
    st.base_style = doc.styles["Normal Table"]
    tbl_pr = st.element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        st.element.append(tbl_pr)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "4")
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "auto")
        borders.append(el)
    tbl_pr.append(borders)
    mar = OxmlElement("w:tblCellMar")
    for side, w in (("top", 28), ("left", 57), ("bottom", 28), ("right", 57)):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), str(w))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tbl_pr.append(mar)


# ---------------------------------------------------------------- building blocks


def p(doc, text: str, style: str):
    """One paragraph, one run: docxtpl tags stay whole."""
    return doc.add_paragraph(text, style=style)


def item(doc, no: str, label: str, value: str = "") -> None:
    """A numbered item: ``1<tab>契約件名<tab>value``."""
    p(doc, f"{no}\t{label}\t{value}" if value else f"{no}\t{label}", "項目")


def long_item(doc, no: str, label: str, value: str) -> None:
    """A numbered item whose label is too long for the value column: the value goes below."""
    item(doc, no, label)
    p(doc, value, "項目本文")


def header_block(doc, *, submitter_heading: bool = True) -> None:
    """Form number, date line, addressee and the submitter block (forms 1–6)."""
    p(doc, "{{ form_label }}", "様式番号")
    p(doc, "{{ date|wareki }}", "日付行")
    p(doc, "（宛先）{{ addressee }}", "宛先")
    if submitter_heading:
        p(doc, "{% if is_subcontractor %}（再委託先）{% else %}（受託者）{% endif %}", "提出者")
    for label, expr in (
        ("所在地", "submitter.address"),
        ("商号又は名称", "submitter.name"),
        ("代表者職氏名", "submitter.representative"),
        ("担当者", "submitter.person"),
        ("連絡先", "submitter.contact"),
    ):
        p(doc, f"{label}\t{{{{ {expr} }}}}", "提出者")
    p(doc, "{%p if is_subcontractor %}", "経由")
    p(
        doc,
        "本書は、再委託先が作成し、受託者（{{ contract.contractor_name }}）を経由して提出するものです。",
        "経由",
    )
    p(doc, "{%p endif %}", "経由")


def title_and_preamble(doc, preamble: str) -> None:
    p(doc, "{{ form_title }}", "表題")
    p(doc, preamble, "前文")
    p(doc, "記", "記")


def common_items(doc) -> None:
    """Items 1–4 of every form."""
    item(doc, "1", "契約件名", "{{ contract.work_name }}")
    item(doc, "2", "契約番号", "{{ contract.contract_id }}")
    item(doc, "3", "契約期間", "{{ contract_period }}")
    p(doc, "{%p if is_subcontractor %}", "項目")
    item(doc, "", "（再委託期間）", "{{ sub_period }}")
    p(doc, "{%p endif %}", "項目")
    item(doc, "4", "担当課", "{{ contract.department }}")


def footer(doc) -> None:
    """Contract id and form label left, page n / N right (PAGE / NUMPAGES fields)."""
    fp = doc.sections[0].footer.paragraphs[0]
    fp.style = doc.styles["様式フッター"]
    fp.add_run("{{ footer_id }}　{{ form_label }}\t")
    _field(fp, "PAGE")
    fp.add_run(" / ")
    _field(fp, "NUMPAGES")


def _field(paragraph, instr: str) -> None:
    def fld(kind):
        r = OxmlElement("w:r")
        c = OxmlElement("w:fldChar")
        c.set(qn("w:fldCharType"), kind)
        r.append(c)
        return r

    paragraph._p.append(fld("begin"))
    r = OxmlElement("w:r")
    t = OxmlElement("w:instrText")
    t.set(qn("xml:space"), "preserve")
    t.text = f" {instr} "
    r.append(t)
    paragraph._p.append(r)
    paragraph._p.append(fld("separate"))
    paragraph.add_run("1")
    paragraph._p.append(fld("end"))


def table(
    doc, columns, row, *, loop=None, empty="該当なし", header=True, style="表本文", detail=None
):
    """A bordered table: header row (repeated on every page), then one row per loop item.

    ``columns`` = [(heading, width_mm)], ``row`` = cell texts (a list in a cell = paragraphs),
    ``loop`` = the Jinja ``for`` clause (``"s in staff"``); ``empty`` fills a merged row
    when the list is empty; ``detail`` is a second row per item, one cell across the table,
    for long free text that a column would wrap into many short lines.
    """
    t = doc.add_table(rows=0, cols=len(columns))
    t.style = doc.styles["様式表"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    widths = [Mm(w) for _, w in columns]
    _fixed_layout(t, sum(w for _, w in columns))
    for col, w in zip(t.columns, widths):
        col.width = w
    if header:
        hr = t.add_row()
        _header_row(hr)
        for cell, (text, _) in zip(hr.cells, columns):
            _cell(cell, text, "表見出し")
            _shade(cell)
    if loop:
        _tag_row(t, f"{{%tr for {loop} %}}")
    dr = t.add_row()
    _cant_split(dr)
    for cell, text in zip(dr.cells, row):
        if isinstance(text, tuple):
            text, st = text
        else:
            st = style
        _cell(cell, text, st)
    if detail:
        xr = t.add_row()
        _cant_split(xr)
        _cell(xr.cells[0].merge(xr.cells[-1]), detail, style)
    if loop:
        if empty:
            _tag_row(t, "{%tr else %}")
            er = t.add_row()
            merged = er.cells[0].merge(er.cells[-1])
            _cell(merged, empty, "表中央")
        _tag_row(t, "{%tr endfor %}")
    for r in t.rows:
        for cell, w in zip(r.cells, widths):
            cell.width = w
    # The merged "empty" cell spans the whole table.
    for tc in t._tbl.iter(qn("w:tc")):
        span = tc.find(qn("w:tcPr")).find(qn("w:gridSpan"))
        if span is not None:
            tc.find(qn("w:tcPr")).find(qn("w:tcW")).set(qn("w:w"), str(Mm(TEXT_WIDTH_MM).twips))
    doc.add_paragraph("", style="表後")
    return t


def label_table(doc, rows, *, widths=(50, 120)):
    """A two-column label | value table without a heading row."""
    t = doc.add_table(rows=0, cols=2)
    t.style = doc.styles["様式表"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    _fixed_layout(t, sum(widths))
    for col, w in zip(t.columns, widths):
        col.width = Mm(w)
    for label, value in rows:
        r = t.add_row()
        _cant_split(r)
        _cell(r.cells[0], label, "表本文")
        _shade(r.cells[0])
        _cell(r.cells[1], value, "表本文")
        for cell, w in zip(r.cells, widths):
            cell.width = Mm(w)
    doc.add_paragraph("", style="表後")
    return t


def _fixed_layout(t, width_mm: float) -> None:
    tbl_pr = t._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(Mm(width_mm).twips))
    tbl_w.set(qn("w:type"), "dxa")
    # (the fixed layout itself is python-docx's ``table.autofit = False``)


def _cell(cell, text, style):
    texts = text if isinstance(text, list) else [text]
    first = cell.paragraphs[0]
    first.style = style
    if texts[0]:
        first.add_run(texts[0])
    for extra in texts[1:]:
        cell.add_paragraph(extra, style=style)


def _tag_row(t, tag: str) -> None:
    r = t.add_row()
    r.cells[0].paragraphs[0].add_run(tag)


def _header_row(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    hdr = OxmlElement("w:tblHeader")
    tr_pr.append(hdr)
    _cant_split(row)


def _cant_split(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.insert(0, OxmlElement("w:cantSplit"))


def _shade(cell) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), "E7E6E6")
    cell._tc.get_or_add_tcPr().append(shd)


def tickbox3(expr: str, labels: tuple[str, ...], values: tuple[str, ...]) -> str:
    """``☑返還　☐消去`` for ``expr == value``."""
    return "　".join(f"{{{{ ({expr} == '{v}')|tickbox }}}}{lab}" for lab, v in zip(labels, values))


# ---------------------------------------------------------------- the forms


def form1() -> Document:
    doc = new_document()
    header_block(doc)
    title_and_preamble(
        doc,
        "下記の契約において取り扱った重要情報を、次のとおり返還し、又は復元不可能な"
        "状態に消去・廃棄したことを証明します。",
    )
    common_items(doc)
    item(doc, "5", "返還・消去・廃棄した重要情報")
    table(
        doc,
        # Every row is three lines tall (方法 stacks ☐返還 ☐消去 ☐廃棄), so 媒体 sits under
        # 区分 (and only when it says more: 紙 is not printed twice) and 実施者 under 実施日;
        # the width goes to the free text: 12 characters of 資料名 and 9 of 具体的方法
        # (高齢福祉課へ手渡し) on one line, 12,500枚 and 令和10年12月31日 whole.
        [
            ("資料名・データ名", 41),
            (["区分", "媒体"], 14),
            ("数量", 18),
            ("方法", 13),
            ("具体的方法", 31),
            (["実施日", "実施者"], 34),
            (["立会者", "（市職員）"], 19),
        ],
        [
            "{{ d.item }}",
            ["{{ d.kind }}", "{% if d.medium != d.kind %}{{ d.medium }}{% endif %}"],
            "{{ d.quantity }}",
            [
                "{{ d.returned|tickbox }}返還",
                "{{ d.erased|tickbox }}消去",
                "{{ d.destroyed|tickbox }}廃棄",
            ],
            "{{ d.detail }}",
            ["{{ d.done_on|wareki }}", "{{ d.done_by }}"],
            "{{ d.witness }}",
        ],
        loop="d in disposals",
    )
    # Only what the data states: the sentence needs a named witness on every such row.
    p(doc, "{%p if witnessed %}", "注記")
    p(
        doc,
        "※特定個人情報（マイナンバー）を含む資料・データの消去・廃棄には、上表の市の職員が"
        "立ち会いました（遵守事項4・10(3)）。",
        "注記",
    )
    p(doc, "{%p endif %}", "注記")
    item(doc, "6", "添付書類", "消去証明書、廃棄時の写真等（任意）")
    p(doc, "以上", "結語")
    footer(doc)
    return doc


def form2() -> Document:
    doc = new_document()
    header_block(doc)
    title_and_preamble(
        doc,
        "日野市「外部委託における情報セキュリティ遵守事項」6（体制の整備）に基づき、委託業務従事者の"
        "体制を下記のとおり届け出ます。",
    )
    common_items(doc)
    item(doc, "5", "届出区分", "{{ new_filing|tickbox }}新規　{{ (not new_filing)|tickbox }}変更")
    p(doc, "{%p if changes %}", "項目本文")
    p(doc, "変更内容（{{ date|wareki }}）", "項目本文")
    p(doc, "{%p for c in changes %}", "項目本文")
    p(doc, "・{{ c }}", "項目本文")
    p(doc, "{%p endfor %}", "項目本文")
    p(doc, "{%p endif %}", "項目本文")
    item(doc, "6", "情報セキュリティ対策責任者及びその代行者")
    table(
        doc,
        [("区分", 46), ("氏名", 38), ("役職", 34), ("連絡先", 52)],
        ["{{ r.role }}", "{{ r.person.name }}", "{{ r.person.title }}", "{{ r.person.contact }}"],
        loop="r in officers",
        empty="",
    )
    item(doc, "7", "作業場所", "{{ workplace }}")
    p(doc, "{%p if is_subcontractor %}", "項目")
    item(doc, "8", "受託者（元請）", "{{ contract.contractor_name }}")
    p(doc, "{%p else %}", "項目")
    item(
        doc,
        "8",
        "再委託",
        "{{ subcontracting|tickbox }}有　{{ (not subcontracting)|tickbox }}無"
        "{% if subcontractor_names %}（再委託先：{{ subcontractor_names|join('、') }}）{% endif %}",
    )
    p(doc, "{%p endif %}", "項目")
    item(doc, "9", "業務従事者")
    table(
        doc,
        # 役割 holds 情報セキュリティ対策責任者 and 所属 15 characters on one line; the 有/無
        # columns are as narrow as their two-line headings.
        [
            ("No.", 8),
            ("氏名", 31),
            ("所属", 51),
            ("役割", 47),
            (["重要情報", "の取扱"], 15),
            (["特定個人", "情報の取扱"], 18),
        ],
        [
            ("{{ s.no }}", "表中央"),
            "{{ s.name }}",
            "{{ s.affiliation }}",
            "{{ s.role }}",
            ("{{ s.handles_important|yesno }}", "表中央"),
            ("{{ s.handles_my_number|yesno }}", "表中央"),
        ],
        loop="s in staff",
    )
    p(
        doc,
        "※上記の従事者は全員、受託期間中に知り得た重要情報について、受託期間終了後及び退職後も"
        "有効な守秘義務を負っています（遵守事項2）。",
        "注記",
    )
    p(doc, "以上", "結語")
    footer(doc)
    return doc


def form3() -> Document:
    doc = new_document()
    header_block(doc)
    title_and_preamble(
        doc,
        "日野市「外部委託における情報セキュリティ遵守事項」7（従事者への教育の義務）に基づき、"
        "従事者への教育・研修を下記のとおり実施したことを報告します。",
    )
    common_items(doc)
    item(doc, "5", "研修の実施状況")
    table(
        doc,
        # 研修内容 is a sentence or more: it takes a row of its own across the table.
        [("研修名", 60), ("実施日", 34), ("実施方法", 26), ("講師", 50)],
        [
            "{{ t.title }}",
            "{{ t.held_on|wareki }}",
            "{{ t.method }}",
            "{{ t.instructor }}",
        ],
        loop="t in trainings",
        detail="研修内容：{{ t.content }}",
    )
    item(doc, "6", "研修内容（遵守事項の項目）")
    table(
        doc,
        # As on forms 4 and 5, the clause has its own column: 遵守事項 | 10(1)②.
        [("No.", 8), ("項目", 136), ("遵守事項", 16), ("実施", 10)],
        [
            ("{{ k.no }}", "表中央"),
            "{{ k.text }}",
            ("{{ k.section }}", "表中央"),
            ("{{ k.done|tickbox }}", "表中央"),
        ],
        loop="k in topics",
    )
    item(doc, "7", "従事者の受講状況")
    table(
        doc,
        [("No.", 8), ("氏名", 36), ("所属", 68), ("受講日", 34), ("判定", 24)],
        [
            ("{{ s.no }}", "表中央"),
            "{{ s.name }}",
            "{{ s.affiliation }}",
            "{% if s.trained_on %}{{ s.trained_on|wareki }}{% endif %}",
            ("{{ s.status }}", "表中央"),
        ],
        loop="s in staff",
    )
    p(
        doc,
        "※受講日が従事開始日（途中から従事する者以外は{% if is_subcontractor %}再委託開始日"
        "{% else %}契約開始日{% endif %}）の1年前の日より前の者、従事開始日より後の者及び受講日が"
        "未記入の者は「未受講」としています（遵守事項7）。研修内容は、実施した研修で扱った項目に"
        "☑を付けています。",
        "注記",
    )
    p(doc, "{%p if system_development %}", "注記")
    p(
        doc,
        "※システム開発を含む契約のため、作業開始前に報告します（遵守事項11 開発環境の報告）。",
        "注記",
    )
    p(doc, "{%p endif %}", "注記")
    p(doc, "以上", "結語")
    footer(doc)
    return doc


def report_form(number: int) -> Document:
    """Forms 4 and 5: the same header and checklist table."""
    doc = new_document()
    header_block(doc)
    subject = "重要情報" if number == 4 else "特定個人情報"
    title_and_preamble(
        doc,
        f"日野市「外部委託における情報セキュリティ遵守事項」9（定期報告）に基づき、{subject}の保護"
        "（情報セキュリティ対策の履行状況）について下記のとおり報告します。",
    )
    common_items(doc)
    item(
        doc,
        "5",
        "報告区分",
        "{{ (timing_mark == '①')|tickbox }}①契約締結時　{{ (timing_mark == '②')|tickbox }}②年度切替時"
        "　{{ (timing_mark == '③')|tickbox }}③契約終了時",
    )
    item(doc, "6", "報告対象期間", "{{ report_period }}")
    item(doc, "7", "確認項目", "（「いいえ」の項目は、備考欄に理由と対応を記入してください。）")
    table(
        doc,
        # The clause cited has a column (遵守事項 | 10(1)②) so that it never breaks inside an
        # item's last line; the answer columns are as narrow as their headings allow (該当なし on
        # two lines), and 備考 holds a short reason (改善計画を提出済み) on one line.
        [
            ("No.", 8),
            ("確認項目", 85),
            ("遵守事項", 16),
            ("はい", 9),
            ("いいえ", 12),
            (["該当", "なし"], 9),
            ("備考", 31),
        ],
        [
            ("{{ i.no }}", "表中央"),
            "{{ i.text }}",
            ("{{ i.section }}", "表中央"),
            ("{{ (i.answer == 'はい')|tickbox }}", "表中央"),
            ("{{ (i.answer == 'いいえ')|tickbox }}", "表中央"),
            ("{{ (i.answer == '該当なし')|tickbox }}", "表中央"),
            "{{ i.note }}",
        ],
        loop="i in items",
    )
    p(doc, "以上", "結語")
    footer(doc)
    return doc


def form6() -> Document:
    doc = new_document()
    header_block(doc)
    title_and_preamble(
        doc,
        "日野市「外部委託における情報セキュリティ遵守事項」12（再委託の制限）に基づき、業務の一部の"
        "再委託について下記のとおり承認を申請します。",
    )
    common_items(doc)
    item(doc, "5", "再委託先")
    label_table(
        doc,
        [
            ("名称", "{{ subcontractor.name }}"),
            ("所在地", "{{ subcontractor.address }}"),
            ("代表者職氏名", "{{ subcontractor.representative }}"),
            ("情報セキュリティ対策責任者", "{{ subcontractor.officer_name }}"),
        ],
    )
    long_item(doc, "6", "再委託する業務の内容・範囲", "{{ subcontractor.work }}")
    item(doc, "7", "再委託の理由", "{{ subcontractor.reason }}")
    item(doc, "8", "再委託期間", "{{ sub_period }}")
    item(doc, "9", "再委託先が取り扱う情報")
    label_table(
        doc,
        [
            ("機密性区分", "機密性{{ subcontractor.confidentiality }}"),
            (
                "特定個人情報",
                "{{ subcontractor.my_number|tickbox }}有　{{ (not subcontractor.my_number)|tickbox }}無",
            ),
            (
                "重要情報の保存",
                "{{ subcontractor.stores_important|tickbox }}有　{{ (not subcontractor.stores_important)|tickbox }}無",
            ),
        ],
    )
    item(doc, "10", "誓約")
    p(
        doc,
        "受託者は、再委託先に本契約に基づく一切の義務を遵守させるとともに、再委託先に対して"
        "全ての監督責任を負います（遵守事項12(2)）。",
        "項目本文",
    )
    item(doc, "11", "添付書類")
    p(doc, "{%p for a in attachments %}", "項目本文")
    p(doc, "{{ a.required|tickbox }}{{ a.label }}", "項目本文")
    p(doc, "{%p endfor %}", "項目本文")
    p(doc, "以上", "結語")
    footer(doc)
    return doc


def form7() -> Document:
    doc = new_document()
    p(doc, "{{ form_label }}", "様式番号")
    p(doc, "{{ approval_no or '第　　　号' }}", "日付行")  # blank: the number is written by hand
    p(doc, "{{ approved|wareki }}", "日付行")
    p(doc, "{{ contract.contractor_address }}", "宛先")
    p(doc, "{{ contract.contractor_name }}", "宛先")
    p(doc, "{{ contract.representative }}　様", "宛先")
    p(doc, "{{ sender }}", "日付行")
    p(doc, "{%p if seal_omitted %}", "日付行")
    p(doc, "（公印省略）", "日付行")
    p(doc, "{%p endif %}", "日付行")
    title_and_preamble(
        doc, "{{ applied|wareki }}付けで申請のあった再委託について、下記のとおり承認します。"
    )
    item(doc, "1", "契約件名", "{{ contract.work_name }}")
    item(doc, "2", "契約番号", "{{ contract.contract_id }}")
    item(doc, "3", "再委託先", "{{ subcontractor.name }}")
    item(doc, "", "", "{{ subcontractor.address }}")
    item(doc, "4", "業務の範囲", "{{ subcontractor.work }}")
    item(doc, "5", "再委託期間", "{{ sub_period }}")
    item(doc, "6", "承認条件")
    p(doc, "{%p for c in conditions %}", "条件")
    p(doc, "（{{ loop.index }}）{{ c }}", "条件")
    p(doc, "{%p endfor %}", "条件")
    item(doc, "7", "担当課", "{{ contract.department }}")
    p(doc, "以上", "結語")
    footer(doc)
    return doc


def cover() -> Document:
    """The 送付書: written for whoever receives the bundle, nothing for the preparer."""
    doc = new_document()
    p(doc, "{{ date|wareki }}", "日付行")
    p(doc, "{%p for a in addressee %}", "宛先")
    p(doc, "{{ a }}", "宛先")
    p(doc, "{%p endfor %}", "宛先")
    p(doc, "{{ sender_heading }}", "提出者")
    p(doc, "{%p for r in sender %}", "提出者")
    p(doc, "{{ r.label }}\t{{ r.value }}", "提出者")
    p(doc, "{%p endfor %}", "提出者")
    title_and_preamble(doc, "{{ preamble }}")
    item(doc, "1", "件名", "{{ subject }}")
    item(doc, "2", "提出時期", "{{ timing_label }}")
    item(doc, "3", "送付書類")
    table(
        doc,
        # 頁数 is each form's own page count, which its footer (1 / N) counts too.
        [("No.", 12), ("様式", 36), ("書類名", 100), ("頁数", 22)],
        [("{{ e.no }}", "表中央"), "{{ e.label }}", "{{ e.title }}", ("{{ e.pages }}", "表中央")],
        loop="e in entries",
        empty="（送付書類なし）",
    )
    p(doc, "{%p if total_pages %}", "注記")
    p(doc, "計{{ total_pages }}頁（本送付書を除く）", "注記")
    p(doc, "{%p endif %}", "注記")
    p(doc, "{%p if separate %}", "項目")
    item(doc, "4", "別綴り（同時に送付する再委託先の書類）")
    p(doc, "{%p endif %}", "項目")
    p(doc, "{%p for b in separate %}", "項目本文")
    p(
        doc,
        "再委託先 {{ b.subcontractor }}{% if b.total %}（計{{ b.total }}頁）{% endif %}",
        "項目本文",
    )
    table(
        doc,
        [("No.", 12), ("様式", 36), ("書類名", 100), ("頁数", 22)],
        [("{{ e.no }}", "表中央"), "{{ e.label }}", "{{ e.title }}", ("{{ e.pages }}", "表中央")],
        loop="e in b.entries",
        empty=None,
    )
    p(doc, "{%p endfor %}", "項目本文")
    p(doc, "以上", "結語")
    footer(doc)
    return doc


BUILDERS = {
    "form1.docx": form1,
    "form2.docx": form2,
    "form3.docx": form3,
    "form4.docx": lambda: report_form(4),
    "form5.docx": lambda: report_form(5),
    "form6.docx": form6,
    "form7.docx": form7,
    "cover.docx": cover,
}


def prune_styles(doc: Document) -> None:
    """Drop style definitions no part uses (python-docx's default template brings ~160).

    Fewer styles keep the forms small and make the Word bundle fast: docxcompose
    compares every used style against every defined one for each paragraph it adds.
    """
    styles = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    roots = [doc.element] + [
        part._element
        for section in doc.sections
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        )
        if not part.is_linked_to_previous
    ]
    wanted = {s for s, el in by_id.items() if el.get(qn("w:default")) in ("1", "true")}
    for root in roots:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            wanted.update(el.get(qn("w:val")) for el in root.iter(qn(tag)))
    queue = list(wanted)
    while queue:  # keep what the wanted styles are based on or linked to
        el = by_id.get(queue.pop())
        if el is None:
            continue
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = el.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in wanted:
                wanted.add(ref.get(qn("w:val")))
                queue.append(ref.get(qn("w:val")))
    for style_id, el in by_id.items():
        if style_id not in wanted:
            styles.remove(el)


# Parts python-docx's default template carries that no form uses. Each is written
# into every rendered document; stylesWithEffects.xml alone is 438 KB to deflate.
UNUSED_PARTS = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.CUSTOM_XML,  # customXml/item1.xml: a bibliography sources list
    RT.THUMBNAIL,  # docProps/thumbnail.jpeg: a picture of python-docx's blank page
)


def drop_unused_parts(doc: Document) -> None:
    """Remove the relationships to ``UNUSED_PARTS``; python-docx then does not write the parts."""
    for rId, rel in list(doc.part.rels.items()):
        if rel.reltype in UNUSED_PARTS:
            doc.part.drop_rel(rId)
    package_rels = doc.part.package.rels
    for rId, rel in list(package_rels.items()):
        if rel.reltype in UNUSED_PARTS:
            del package_rels[rId]


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def main(out_dir: Path = HERE.parent / "hino_forms" / "resources" / "templates") -> None:
    """Write every template into ``out_dir``; a file whose parts are unchanged is left as it is."""
    for name, build in BUILDERS.items():
        doc = build()
        prune_styles(doc)
        drop_unused_parts(doc)
        doc.core_properties.title = ""
        doc.core_properties.author = "hino-forms"
        doc.core_properties.comments = "templates/build_templates.py で生成"
        buf = io.BytesIO()
        doc.save(buf)
        target = out_dir / name
        if target.exists() and _members(target.read_bytes()) == _members(buf.getvalue()):
            continue
        target.write_bytes(buf.getvalue())
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
