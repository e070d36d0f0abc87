"""No table cell strands one or two characters on a line of their own (「防／止）」, 「1,240／枚」),
and no date breaks across lines: read from the PDFs LibreOffice makes of the sample's forms
and of a stress contract with long names, addresses and amounts (FORMS.md: tables).

How a cell's lines are found: the .docx says which paragraphs each table column holds and
where the column lies on the page (the table grid, centred in the 170 mm text width);
``pdftotext -bbox-layout`` gives every word's box. The words inside a column, grouped by
baseline, are that column's lines; each paragraph of the column is then found as a run of
consecutive lines that spells it out.

What column sizing cannot promise: a free-text value whose length falls just past a
column's line still leaves one or two characters below it. The widths are chosen so that
the sample's values and typical long ones fit (templates/build_templates.py says which).
Some first stress values did strand for that reason alone (裁断（クロスカット）: 10
characters where 具体的方法 holds 9; a 17-character 講師 where the column holds 15) and
were replaced by values of other lengths: this test guards the layout, not every length.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree

from hino_forms import resources
from hino_forms.forms.cover import CoverBuilder
from hino_forms.forms.render import Renderer, form_filename
from hino_forms.models import Answer, Records, Submission, Submitter, Timing
from hino_forms.output.bundle import group_bundles
from hino_forms.planning.rules import plan
from hino_forms.workbook.reader import read_workbook
from tests import builders as b
from tests.conftest import SAMPLE

MM = 72 / 25.4  # points per millimetre
LEFT_MARGIN_MM, TEXT_WIDTH_MM = 20, 170
WAREKI_DATE = re.compile(r"^(令和|平成)(元|\d+)年\d+月\d+日$")
_SPACE = re.compile(r"\s+")

LONG_SUB = "株式会社ひかりネットワーク保守サービス"


@dataclass(frozen=True)
class Column:
    """A table column (or cells merged across columns: index = first * 100 + span) of a form:
    its x range on the page and its paragraphs, top to bottom."""

    table: int
    index: int
    x0: float
    x1: float
    paragraphs: tuple[str, ...]

    @property
    def label(self) -> str:
        first, span = divmod(self.index, 100)
        return f"表{self.table + 1}列{first + 1}" + (f"〜{first + span}" if span > 1 else "")


@dataclass(frozen=True)
class Wrapped:
    """A table paragraph as LibreOffice laid it out."""

    text: str
    lines: tuple[str, ...]


def squeeze(text: str) -> str:
    return _SPACE.sub("", text)


# ---------------------------------------------------------------- the .docx side


def columns_of(docx: Path) -> list[Column]:
    """Every table column of the document with the paragraphs its single cells hold."""
    body = Document(str(docx)).element.body
    out = []
    for t_no, tbl in enumerate(body.iter(qn("w:tbl"))):
        grid = [int(g.get(qn("w:w"))) / 20 for g in tbl.find(qn("w:tblGrid"))]  # points
        left = LEFT_MARGIN_MM * MM + (TEXT_WIDTH_MM * MM - sum(grid)) / 2  # centred
        texts: dict[tuple[int, int], list[str]] = defaultdict(list)  # (first column, span)
        for tr in tbl.iter(qn("w:tr")):
            col = 0
            for tc in tr.iter(qn("w:tc")):
                span_el = tc.find(qn("w:tcPr"))
                span_el = span_el.find(qn("w:gridSpan")) if span_el is not None else None
                span = int(span_el.get(qn("w:val"))) if span_el is not None else 1
                for p in tc.iter(qn("w:p")):
                    text = squeeze("".join(t.text or "" for t in p.iter(qn("w:t"))))
                    if text:
                        texts[(col, span)].append(text)
                col += span
        edges = [left]
        for w in grid:
            edges.append(edges[-1] + w)
        out += [
            Column(t_no, first * 100 + span, edges[first], edges[first + span], tuple(paras))
            for (first, span), paras in sorted(texts.items())
        ]
    return out


# ---------------------------------------------------------------- the PDF side


def words_of(pdf: Path) -> list[tuple[int, float, float, float, str]]:
    """(page, x centre, y top, y bottom, text) of every word pdftotext finds."""
    xml = subprocess.run(
        ["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True
    ).stdout
    root = etree.fromstring(xml, etree.XMLParser(recover=True, huge_tree=True))
    out = []
    for page_no, page in enumerate(root.iter("{*}page")):
        for w in page.iter("{*}word"):
            x0, x1 = float(w.get("xMin")), float(w.get("xMax"))
            out.append(
                (page_no, (x0 + x1) / 2, float(w.get("yMin")), float(w.get("yMax")), w.text or "")
            )
    return out


def lines_in(column: Column, words: list[tuple[int, float, float, float, str]]) -> list[str]:
    """The column's lines, top to bottom, page by page: its words grouped by baseline."""
    inside = sorted(
        (page, top, bottom, x, text)
        for page, x, top, bottom, text in words
        if column.x0 < x < column.x1
    )
    lines: list[str] = []
    last: tuple[int, float] | None = None
    row: list[tuple[float, str]] = []
    for page, top, _bottom, x, text in inside:
        if last is not None and (page != last[0] or top - last[1] > 2):
            lines.append("".join(t for _, t in sorted(row)))
            row = []
        if not row:
            last = (page, top)
        row.append((x, text))
    if row:
        lines.append("".join(t for _, t in sorted(row)))
    return [squeeze(line) for line in lines]


def wrapped(column: Column, lines: list[str]) -> Iterator[Wrapped | str]:
    """Each paragraph of the column with the lines it took, or its text when it is not found."""
    cursor = 0
    for para in column.paragraphs:
        found = None
        for start in range(cursor, len(lines)):
            if not lines[start] or not para.startswith(lines[start]):
                continue
            spelled, end = "", start
            while end < len(lines) and para.startswith(spelled + lines[end]):
                spelled += lines[end]
                end += 1
                if spelled == para:
                    found = Wrapped(para, tuple(lines[start:end]))
                    break
            if found:
                cursor = end
                break
        yield found or para


# ---------------------------------------------------------------- what is rendered


def stress_records() -> Records:
    """A contract whose every free-text cell is as long as real ledgers have them (fictional)."""
    contract = b.contract(
        contract_id="S-001",
        work_name="日野市住民税申告書等のデータ入力及び照合並びに電子化業務委託（令和7年度〜令和10年度）",
        contractor_name="株式会社テスト架空データサービス 多摩事業本部",
        contractor_address="東京都日野市架空町三丁目12番地の4 架空ビルディング5階 受付センター内",
        representative="代表取締役社長 架空 太郎左衛門",
        department="市民部 市民税課",
        concluded=date(2025, 3, 25),
        start=date(2025, 4, 1),
        end=date(2029, 3, 31),
        confidentiality=3,
        my_number=True,
        stores_important=True,
        subcontracting=True,
        system_development=True,
        workplace="日野市役所本庁舎3階 市民税課執務室内の受託者用作業スペース",
    )
    affiliations = (
        "（受付・入力担当チーム）",
        "情報システム部 運用保守第二課",
        "データ入力センター",
        "品質管理部",
        "多摩事業本部 第一事業部 入力グループ",
    )
    roles = (
        "情報セキュリティ対策責任者",
        "データ入力・照合担当（夜間）",
        "代行者（副責任者）",
        "入力担当",
        "システム運用・障害対応",
    )
    names = ("長谷川 由紀子", "勅使河原 健太郎", "架空 一", "小野寺 美津子", "西園寺 信一郎")
    staff = tuple(
        b.staff(
            contract_id="S-001",
            name=names[i % 5],
            affiliation=affiliations[i % 5],
            role=roles[(i * 2) % 5],
            handles_important=True,
            handles_my_number=i % 2 == 0,
            trained_on=date(2025, 3, 10 + i) if i % 4 else None,
        )
        for i in range(12)
    ) + (
        b.staff(
            contract_id="S-001",
            subcontractor=LONG_SUB,
            name="下請 長谷部 英里子",
            affiliation="ネットワーク保守部 第三グループ",
            role="回線保守（夜間・休日対応）",
            trained_on=date(2025, 9, 25),
        ),
    )
    trainings = (
        b.training(
            contract_id="S-001",
            title="令和7年度 情報セキュリティ研修（新任者向け）",
            held_on=date(2025, 3, 18),
            method="オンライン（録画視聴）",
            instructor="情報セキュリティ対策責任者 長谷川 由紀子",
            content="守秘義務、重要情報の定義と機密性区分、保管・取扱・廃棄の方法、"
            "事故時の報告、再委託の制限、パスワードポリシー、立ち入り調査",
        ),
        b.training(
            contract_id="S-001",
            title="特定個人情報の取扱い研修",
            held_on=date(2025, 12, 24),
            method="集合研修",
            instructor="外部講師（架空情報セキュリティ研究所）",
            content="番号法、特定個人情報の保管・廃棄、市の立会い",
        ),
    )
    disposal_rows = [
        ("住民税申告書控え（マイナンバー記載）", "紙", "紙", "1,240枚", "廃棄", "溶解"),
        ("政策検討資料（公表前）", "紙", "紙", "12,500枚", "返還", "市民課へ手渡し"),
        ("申告データ", "電子", "外付けHDD", "2台", "消去", "データ消去ソフトによる上書き消去"),
        ("運用手順書（市提供）", "紙", "紙", "3冊", "返還", "担当課へ返却"),
        ("照合用作業データ", "電子", "サーバ", "約3GB", "消去", "物理破壊（穿孔）"),
        ("入力作業記録簿", "紙", "紙", "48枚", "廃棄", "シュレッダーで細断"),
    ]
    disposals = tuple(
        b.disposal(
            contract_id="S-001",
            item=item,
            kind=kind,
            medium=medium,
            quantity=qty,
            method=method,
            detail=detail,
            done_on=date(2028, 12, 31) if i % 2 else date(2029, 3, 31),
            done_by="橋本 直樹" if i % 2 else "勅使河原 健太郎",
            witness="日野 花子（市民課）" if i % 3 else "",
        )
        for i, (item, kind, medium, qty, method, detail) in enumerate(disposal_rows)
    )
    answers = tuple(
        Answer(
            contract_id="S-001",
            form=4,
            timing=Timing.FISCAL_YEAR,
            fiscal_year=2026,
            item_no=str(no),
            answer=answer,
            note=note,
        )
        for no, answer, note in (
            (1, "はい", ""),
            (2, "いいえ", "退職者1名の誓約書を取得中"),
            (3, "いいえ", "改善計画を提出済み"),
        )
    )
    sub = b.subcontractor(
        contract_id="S-001",
        name=LONG_SUB,
        address="東京都八王子市架空台二丁目3番地の15 架空テクノパーク南棟4階",
        representative="代表取締役 架空 次郎兵衛",
        work="庁内ネットワーク機器の保守及び障害時の一次対応（夜間・休日を含む）",
        reason="夜間・休日の障害対応に専門の技術者を要するため",
        confidentiality=3,
        my_number=True,
        stores_important=True,
        officer_name="架空 網太郎",
        start=date(2025, 10, 1),
        end=date(2027, 9, 30),
        applied=date(2025, 9, 12),
        approved=date(2025, 9, 22),
    )
    return Records(
        contracts=(contract,),
        subcontractors=(sub,),
        staff=staff,
        trainings=trainings,
        disposals=disposals,
        answers=answers,
    )


def stress_submissions() -> list[Submission]:
    """The stress contract's forms with tables: 1, 2 and 3 of both parties, every 4 and 5, 6."""

    def s(form: int, timing: Timing, day: date, sub: Submitter | None = None) -> Submission:
        return Submission(
            contract_id="S-001",
            form=form,
            timing=timing,
            date=day,
            fiscal_year=day.year if timing is Timing.FISCAL_YEAR else None,
            submitter=sub or Submitter.CONTRACTOR,
            subcontractor=LONG_SUB if sub is not None or form == 6 else None,
        )

    c, fy, end = Timing.CONCLUSION, Timing.FISCAL_YEAR, Timing.END
    by_sub = Submitter.SUBCONTRACTOR
    return [
        s(1, end, date(2029, 3, 31)),
        s(2, c, date(2025, 3, 25)),
        s(2, c, date(2025, 9, 12), by_sub),
        s(3, c, date(2025, 3, 25)),
        s(3, c, date(2025, 9, 12), by_sub),
        *(
            s(form, t, d)
            for form in (4, 5)
            for t, d in ((c, date(2025, 3, 25)), (fy, date(2026, 4, 1)), (end, date(2029, 3, 31)))
        ),
        s(6, c, date(2025, 9, 12)),
    ]


def sample_submissions(records: Records) -> list[Submission]:
    """Every sample form with a table whose rows come from the workbook, one of each checklist."""
    ready = [s for s in plan(records) if s.status.value == "ready" and s.form != 7]
    chosen, seen = [], set()
    for s in ready:
        key = (s.label, s.submitter)
        if s.form in (1, 2, 3, 6) or key not in seen:
            chosen.append(s)
            seen.add(key)
    return chosen


@dataclass(frozen=True)
class Rendered:
    name: str
    columns: list[Column]
    lines: dict[tuple[int, int], list[str]]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[Rendered]:
    """The chosen forms and two covers as .docx, converted in one LibreOffice batch, read back."""
    out = tmp_path_factory.mktemp("wrapping")
    renderer = Renderer()
    docs: list[Path] = []
    for tag, records, subs in (
        ("sample", read_workbook(SAMPLE), None),
        ("stress", stress_records(), stress_submissions()),
    ):
        subs = subs if subs is not None else sample_submissions(records)
        for i, s in enumerate(subs):
            path = out / f"{tag}-{i:02d}-{form_filename(s)}.docx"
            renderer.render(s, records, path)
            docs.append(path)
        by_contract: dict[str, list[Submission]] = defaultdict(list)
        for s in subs:
            by_contract[s.contract_id].append(s)
        for cid, group in list(by_contract.items())[:2]:
            # One cover listing every form of the contract (more rows than any real bundle).
            bundle = dataclasses.replace(group_bundles(group, records)[0], submissions=tuple(group))
            cover = CoverBuilder(records).cover(bundle, [1] * len(group), cover_pages=1)
            path = out / f"{tag}-cover-{cid}.docx"
            renderer.render_cover(cover, path)
            docs.append(path)
    env = dict(os.environ, FONTCONFIG_FILE=str(resources.fontconfig()))
    subprocess.run(
        [
            shutil.which("soffice") or "libreoffice",
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, docs),
        ],
        check=True,
        capture_output=True,
        timeout=600,
        env=env,
    )
    result = []
    for docx in docs:
        columns = columns_of(docx)
        words = words_of(docx.with_suffix(".pdf"))
        lines = {(c.table, c.index): lines_in(c, words) for c in columns}
        result.append(Rendered(docx.stem, columns, lines))
    return result


def _layouts(doc: Rendered) -> Iterator[tuple[Column, Wrapped | str]]:
    for column in doc.columns:
        for found in wrapped(column, doc.lines[(column.table, column.index)]):
            yield column, found


@pytest.mark.soffice
def test_every_table_paragraph_is_found_in_the_pdf(rendered):
    """The check below reads what it claims to read: each cell paragraph is on the page."""
    missing = [
        f"{doc.name} {c.label}: {found}"
        for doc in rendered
        for c, found in _layouts(doc)
        if isinstance(found, str)
    ]
    assert not missing, "\n".join(missing)


@pytest.mark.soffice
def test_no_cell_strands_one_or_two_characters(rendered):
    stranded = [
        f"{doc.name} {c.label}: {'／'.join(found.lines)}"
        for doc in rendered
        for c, found in _layouts(doc)
        if isinstance(found, Wrapped)
        and len(found.lines) > 1
        and any(len(line) <= 2 for line in found.lines)
    ]
    assert not stranded, "\n".join(stranded)


@pytest.mark.soffice
def test_no_date_breaks_across_lines(rendered):
    broken = [
        f"{doc.name}: {'／'.join(found.lines)}"
        for doc in rendered
        for _, found in _layouts(doc)
        if isinstance(found, Wrapped) and WAREKI_DATE.match(found.text) and len(found.lines) > 1
    ]
    assert not broken, "\n".join(broken)
