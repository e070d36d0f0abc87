"""Rendered forms read as a user reads them: names, 和暦 dates, ticks, 未受講, wording.

Golden files: tests/golden/*.xml hold the normalised word/document.xml of each form
for the fixed contract below. After an intended template change, regenerate with
    UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render.py -k golden
and review the diff (git diff tests/golden) before committing.
"""

from __future__ import annotations

import difflib
import io
import os
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docxtpl import DocxTemplate, InlineImage, RichText
from lxml import etree
from markupsafe import Markup

from hino_forms import resources
from hino_forms.errors import TemplateUnsafe, TemplateUnsupported
from hino_forms.forms.contexts import SeparateBundle
from hino_forms.forms.lint import check_template
from hino_forms.forms.prepared import PreparedTemplate, part_xml
from hino_forms.forms.render import (
    Cover,
    CoverEntry,
    Renderer,
    Settings,
    form_filename,
    make_environment,
    template_name,
    wareki,
)
from hino_forms.models import (
    Answer,
    Person,
    Records,
    Submission,
    Submitter,
    Timing,
)
from hino_forms.planning.rules import plan
from tests import builders as b

GOLDEN = Path(__file__).parent / "golden"
SUB = "有限会社架空サポート"
TRICKY = "<b>&amp; {{ 7*7 }} {% if x %}"


def fixed_records(**contract_overrides) -> Records:
    """Two-year class-3 My Number contract with a subcontractor (all fictional)."""
    values = dict(
        confidentiality=3,
        my_number=True,
        stores_important=True,
        subcontracting=True,
        end=date(2027, 3, 31),
    )
    values.update(contract_overrides)
    contract = b.contract(**values)
    staff = (
        b.staff(name="架空 四郎", trained_on=date(2025, 3, 20)),
        b.staff(name="架空 五郎", trained_on=None),
        b.staff(name="架空 六郎", trained_on=date(2024, 3, 1)),  # more than a year before
        b.staff(name="架空 七郎", trained_on=date(2025, 4, 2)),  # after the start
        b.staff(name="架空 八郎", trained_on=date(2024, 4, 1)),  # exactly one year: counts
        b.staff(name="下請 九郎", subcontractor=SUB, affiliation="入力課"),
    )
    answers = (
        Answer(
            contract_id="T-001",
            form=4,
            timing=Timing.FISCAL_YEAR,
            fiscal_year=2026,
            item_no="1",
            answer="はい",
        ),
        Answer(
            contract_id="T-001",
            form=4,
            timing=Timing.FISCAL_YEAR,
            fiscal_year=2026,
            item_no="2",
            answer="いいえ",
            note="退職者1名に誓約書未取得",
        ),
        Answer(
            contract_id="T-001",
            form=4,
            timing=Timing.FISCAL_YEAR,
            fiscal_year=2026,
            item_no="3",
            answer="該当なし",
        ),
        # Another fiscal year's answer must not leak into 2026's report.
        Answer(
            contract_id="T-001",
            form=4,
            timing=Timing.FISCAL_YEAR,
            fiscal_year=2027,
            item_no="4",
            answer="いいえ",
        ),
    )
    return Records(
        contracts=(contract,),
        subcontractors=(b.subcontractor(my_number=True, confidentiality=3),),
        staff=staff,
        trainings=(
            b.training(
                content="守秘義務、パスワードポリシー",
                method="集合研修",
                instructor="講師 架空",
                topics="2,12",  # what 実施項目 states: form 3 ticks these and nothing else
            ),
        ),
        disposals=(
            b.disposal(done_on=date(2027, 3, 31)),
            b.disposal(
                done_on=date(2027, 3, 31),
                item="申請データ",
                kind="電子",
                medium="サーバ",
                method="消去",
                detail="消去ソフト",
                witness="",
            ),
        ),
        answers=answers,
    )


def submission(form: int, timing: Timing = Timing.CONCLUSION, **kw) -> Submission:
    dates = {
        Timing.CHANGE: date(2025, 10, 1),
        Timing.CONCLUSION: date(2025, 3, 25),
        Timing.FISCAL_YEAR: date(2026, 4, 1),
        Timing.END: date(2027, 3, 31),
    }
    kw.setdefault("date", dates[timing])
    if timing is Timing.FISCAL_YEAR:
        kw.setdefault("fiscal_year", kw["date"].year)
    return Submission(contract_id="T-001", form=form, timing=timing, **kw)


VARIANTS = {
    "form1": submission(1, Timing.END),
    "form2": submission(2),
    "form2_sub": submission(2, submitter=Submitter.SUBCONTRACTOR, subcontractor=SUB),
    "form3": submission(3),
    "form3_sub": submission(3, submitter=Submitter.SUBCONTRACTOR, subcontractor=SUB),
    "form4_1": submission(4),
    "form4_2": submission(4, Timing.FISCAL_YEAR),
    "form4_3": submission(4, Timing.END),
    "form5_2": submission(5, Timing.FISCAL_YEAR),
    "form5_3": submission(5, Timing.END),
    "form6": submission(6, subcontractor=SUB, date=date(2025, 3, 26)),
    "form7": submission(7, submitter=Submitter.CITY, subcontractor=SUB, date=date(2025, 3, 28)),
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def render(renderer: Renderer, sub: Submission, records: Records | None = None) -> Document:
    data = renderer.render_bytes(sub, records or fixed_records())
    return Document(io.BytesIO(data))


def paragraphs(doc: Document) -> list[str]:
    """Every paragraph's text (body, table cells, footer), in order."""
    roots = [doc.element.body, doc.sections[0].footer._element]
    return [_text_of(p) for root in roots for p in root.iter(qn("w:p"))]


def _text_of(p) -> str:
    out = []
    for el in p.iter(qn("w:t"), qn("w:tab"), qn("w:br")):
        out.append(
            el.text or "" if el.tag == qn("w:t") else "\t" if el.tag == qn("w:tab") else "\n"
        )
    return "".join(out)


def text(doc: Document) -> str:
    return "\n".join(paragraphs(doc))


def table_rows(doc: Document, first_header: str, second_header: str) -> list[list[str]]:
    """Rows (cell texts) of the table whose header row starts with the two headings."""
    for t in doc.tables:
        cells = [c.text for c in t.rows[0].cells]
        if cells[:2] == [first_header, second_header]:
            return [[c.text for c in r.cells] for r in t.rows[1:]]
    raise AssertionError(f"no table headed {first_header} | {second_header}")


# ---------------------------------------------------------------- what a reader checks


def test_form2_contractor(renderer):
    doc = render(renderer, VARIANTS["form2"])
    lines = paragraphs(doc)
    assert lines[0] == "様式第2号"
    assert "令和7年3月25日" in lines
    assert "（宛先）日野市長" in lines
    assert "委託業務従事者体制届出書" in lines
    assert "1\t契約件名\t架空システム保守業務委託" in lines
    assert "3\t契約期間\t令和7年4月1日から令和9年3月31日まで" in lines
    assert "商号又は名称\t株式会社テスト架空データ" in lines
    assert "5\t届出区分\t☑新規　☐変更" in lines
    # The subcontractor applies on 3/26: not on the 新規 of 3/25 (SPEC v2 §4), but on the 変更.
    assert "8\t再委託\t☐有　☑無" in lines
    assert "変更内容" not in text(doc)
    rows = table_rows(doc, "No.", "氏名")
    assert [r[1] for r in rows] == ["架空 四郎", "架空 五郎", "架空 六郎", "架空 七郎", "架空 八郎"]
    assert rows[0][4:] == ["有", "無"]
    officers = table_rows(doc, "区分", "氏名")
    assert officers[0][:3] == ["情報セキュリティ対策責任者", "試験 一郎", "部長"]
    assert officers[1][:2] == ["代行者", "試験 二郎"]
    assert "経由" not in text(doc)


def test_form2_change_says_what_changed_and_lists_who_is_in_place(renderer):
    """SPEC v2 §4: a 変更 on d lists the people in place on d and says who joined or left."""
    base = fixed_records()
    records = Records(
        contracts=base.contracts,
        subcontractors=base.subcontractors,
        staff=(
            b.staff(name="架空 四郎"),
            b.staff(name="架空 五郎", role="窓口受付", left=date(2025, 9, 30)),
            b.staff(name="架空 十郎", role="窓口受付", joined=date(2025, 10, 1)),
            b.staff(name="架空 十一郎", joined=date(2026, 1, 5)),  # later: not yet on this one
        ),
    )
    plan_days = [
        s.date
        for s in plan(records)
        if s.label == "様式第2号（変更）" and s.submitter is Submitter.CONTRACTOR
    ]
    assert plan_days == [date(2025, 3, 26), date(2025, 10, 1), date(2026, 1, 5)]
    change = submission(2, Timing.CHANGE, date=date(2025, 10, 1))
    assert change.label == "様式第2号（変更）"
    doc = render(renderer, change, records)
    lines = paragraphs(doc)
    assert "令和7年10月1日" in lines
    assert "5\t届出区分\t☐新規　☑変更" in lines
    assert "変更内容（令和7年10月1日）" in lines
    assert "・従事者の追加：架空 十郎（窓口受付、令和7年10月1日から従事）" in lines
    assert "・従事者の離任：架空 五郎（窓口受付、令和7年9月30日まで従事）" in lines
    assert f"8\t再委託\t☑有　☐無（再委託先：{SUB}）" in lines
    assert [r[1] for r in table_rows(doc, "No.", "氏名")] == ["架空 四郎", "架空 十郎"]
    added = paragraphs(
        render(renderer, submission(2, Timing.CHANGE, date=date(2025, 3, 26)), records)
    )
    assert f"・再委託先の追加：{SUB}（令和7年3月26日申請）" in added


def test_form2_subcontractor_is_submitted_through_the_contractor(renderer):
    doc = render(renderer, VARIANTS["form2_sub"])
    lines = paragraphs(doc)
    assert "（再委託先）" in lines
    assert f"商号又は名称\t{SUB}" in lines
    assert "所在地\t東京都日野市架空町2-2-2" in lines
    assert (
        "本書は、再委託先が作成し、受託者（株式会社テスト架空データ）を経由して提出するものです。"
        in lines
    )
    assert "8\t受託者（元請）\t株式会社テスト架空データ" in lines
    rows = table_rows(doc, "No.", "氏名")
    assert [r[1] for r in rows] == ["下請 九郎"]
    # Its own officer and deputy (§6(1) through §12(2)), and the officer's contact as 連絡先.
    officers = table_rows(doc, "区分", "氏名")
    assert officers[0] == ["情報セキュリティ対策責任者", "下請 三郎", "入力課長", "042-000-0201"]
    assert officers[1] == ["代行者", "下請 四郎", "入力係長", "042-000-0202"]
    assert "連絡先\t042-000-0201" in lines


def test_footer_has_contract_id_and_page_fields(renderer):
    doc = render(renderer, VARIANTS["form4_2"])
    footer = doc.sections[0].footer._element
    assert "T-001　様式第4号-②" in "".join(t.text for t in footer.iter(qn("w:t")))
    instr = [t.text.strip() for t in footer.iter(qn("w:instrText"))]
    assert instr == ["PAGE", "NUMPAGES"]


@pytest.mark.parametrize(
    "name, status, shown_date",
    [
        ("架空 四郎", "受講済", "令和7年3月20日"),
        ("架空 五郎", "未受講", ""),  # no date
        ("架空 六郎", "未受講", "令和6年3月1日"),  # more than one year before the start
        # After the start (§7: before the work), and after the form's date: not yet a fact then.
        ("架空 七郎", "未受講", ""),
        ("架空 八郎", "受講済", "令和6年4月1日"),  # exactly one year before
    ],
)
def test_form3_marks_untrained_staff(renderer, name, status, shown_date):
    doc = render(renderer, VARIANTS["form3"])
    rows = {r[1]: r for r in table_rows(doc, "No.", "氏名")}
    assert rows[name][3:] == [shown_date, status]


def test_form3_training_and_topics(renderer):
    doc = render(renderer, VARIANTS["form3"])
    sessions = table_rows(doc, "研修名", "実施日")
    assert sessions == [
        ["情報セキュリティ研修", "令和7年3月20日", "集合研修", "講師 架空"],
        ["研修内容：守秘義務、パスワードポリシー"] * 4,  # one cell across the table
    ]
    topics = {r[1]: r[3] for r in table_rows(doc, "No.", "項目")}
    assert topics["守秘義務（受託期間終了後・退職後も有効）"] == "☑"
    assert topics["目的外利用及び受託者以外への提供の禁止"] == "☐"
    assert [no for no, *_, tick in table_rows(doc, "No.", "項目") if tick == "☑"] == ["2", "12"]
    assert len(topics) >= 12


@pytest.mark.parametrize(
    "topics, handling_ticked",
    [
        ("", "☐"),  # blank 実施項目: nothing stated, whatever the 研修内容 says
        ("1-8,10", "☐"),
        ("9", "☑"),
        ("全項目", "☑"),
        ("1-99", "☐"),  # unreadable (a warning at its cell): counts as not stated
    ],
)
def test_form3_ticks_only_what_the_training_states(renderer, topics, handling_ticked):
    # The free text names the topic; only 実施項目 may tick it (no keyword inference).
    records = fixed_records()
    records = Records(
        contracts=records.contracts,
        staff=records.staff,
        trainings=(b.training(content="守秘義務、保管・取扱・廃棄の方法", topics=topics),),
    )
    topics = {
        r[0]: r[3] for r in table_rows(render(renderer, VARIANTS["form3"], records), "No.", "項目")
    }
    assert topics["9"] == handling_ticked


def test_form3_subcontractor_lists_its_own_staff(renderer):
    doc = render(renderer, VARIANTS["form3_sub"])
    rows = table_rows(doc, "No.", "氏名")
    assert [r[1] for r in rows] == ["下請 九郎"]
    assert table_rows(doc, "研修名", "実施日") == [["該当なし"] * 4]


def checklist(doc: Document) -> dict[str, list[str]]:
    """No. → [確認項目, 遵守事項 (the clause), はい, いいえ, 該当なし, 備考]."""
    return {r[0]: r[1:] for r in table_rows(doc, "No.", "確認項目")}


def test_form4_fiscal_year_variant(renderer):
    doc = render(renderer, VARIANTS["form4_2"])
    lines = paragraphs(doc)
    assert lines[0] == "様式第4号-②"
    assert "令和8年4月1日" in lines
    assert "5\t報告区分\t☐①契約締結時　☑②年度切替時　☐③契約終了時" in lines
    assert "6\t報告対象期間\t令和7年4月1日から令和8年3月31日まで" in lines
    items = checklist(doc)
    assert items["1"][2:5] == ["☑", "☐", "☐"]
    assert items["2"][2:] == ["☐", "☑", "☐", "退職者1名に誓約書未取得"]
    assert items["3"][2:5] == ["☐", "☐", "☑"]
    assert items["4"][2:5] == ["☐", "☐", "☐"]  # 2027's answer stays in 2027
    assert items["24"][2:5] == ["☐", "☐", "☑"]  # §11: not a system development
    assert "テスト専用のデータ" in items["24"][0] and items["24"][1] == "11"  # 遵守事項11
    assert "様式第1号）を発行した" in items["33"][0]  # ② only: disposals during the year
    assert "34" not in items  # ③ only


def test_report_asks_for_reasons_above_the_checklist(renderer):
    lines = paragraphs(render(renderer, VARIANTS["form5_3"]))
    assert "7\t確認項目\t（「いいえ」の項目は、備考欄に理由と対応を記入してください。）" in lines
    assert lines[lines.index("以上") - 1] == ""  # nothing but the table's gap before 以上


def test_form4_system_development_leaves_section_11_open(renderer):
    doc = render(renderer, VARIANTS["form4_1"], fixed_records(system_development=True))
    assert checklist(doc)["24"][2:5] == ["☐", "☐", "☐"]


@pytest.mark.parametrize(
    "timing, start, expected",
    [
        (Timing.CONCLUSION, date(2025, 4, 1), "令和7年4月1日から令和9年3月31日まで"),
        (Timing.FISCAL_YEAR, date(2025, 4, 1), "令和7年4月1日から令和8年3月31日まで"),
        (Timing.FISCAL_YEAR, date(2025, 10, 1), "令和7年10月1日から令和8年3月31日まで"),  # clipped
        (Timing.END, date(2025, 10, 1), "令和7年10月1日から令和9年3月31日まで"),
    ],
)
def test_report_period(renderer, timing, start, expected):
    doc = render(renderer, submission(4, timing), fixed_records(start=start))
    assert f"6\t報告対象期間\t{expected}" in paragraphs(doc)


def test_form4_end_adds_the_closing_items(renderer):
    items = checklist(render(renderer, VARIANTS["form4_3"]))
    assert "様式第1号" in items["35"][0]
    assert all(v == "☐" for v in items["35"][2:5])


@pytest.mark.parametrize(
    "variant, item, stores",
    [
        ("form4_3", "35", {"stores_important": False}),
        ("form5_3", "20", {"stores_important": False}),
    ],
)
def test_form1_item_is_not_applicable_without_storage(renderer, variant, item, stores):
    assert checklist(render(renderer, VARIANTS[variant]))[item][2:5] == ["☐", "☐", "☐"]
    none_kept = checklist(render(renderer, VARIANTS[variant], fixed_records(**stores)))
    assert none_kept[item][2:5] == ["☐", "☐", "☑"]  # no form 1 is due (§4, §5)


def test_subcontractor_report_uses_its_own_storage_flag(renderer):
    sub_end = submission(4, Timing.END, submitter=Submitter.SUBCONTRACTOR, subcontractor=SUB)
    assert checklist(render(renderer, sub_end))["35"][2:5] == ["☐", "☐", "☑"]  # the sub stores none


def test_form5_my_number_items(renderer):
    doc = render(renderer, VARIANTS["form5_3"])
    assert "特定個人情報の保護に関する報告書" in paragraphs(doc)
    items = checklist(doc)
    assert "USBメモリを一切使用していない" in items["12"][0]
    assert "20" in items and "19" in items
    assert "20" not in checklist(render(renderer, submission(5)))  # ③ only


def test_form1_disposal_table(renderer):
    doc = render(renderer, VARIANTS["form1"])
    rows = table_rows(doc, "資料名・データ名", "区分\n媒体")
    assert rows[0][0] == "申請書控え"
    assert len(rows) == 2
    assert rows[0][1] == "紙\n"  # 媒体 紙 is not said twice
    assert rows[1][1] == "電子\nサーバ"
    assert rows[0][3] == "☐返還\n☐消去\n☑廃棄"
    assert rows[0][5] == "令和9年3月31日\n架空 四郎"  # 実施日 over 実施者
    assert rows[1][3] == "☐返還\n☑消去\n☐廃棄"
    # My Number, but the 消去 row names no witness: the certificate does not claim one (FORMS.md).
    assert "立ち会いました" not in text(doc)
    records = fixed_records()
    witnessed = Records(
        contracts=records.contracts,
        disposals=tuple(replace(d, witness="日野 太郎") for d in records.disposals),
    )
    assert "上表の市の職員が立ち会いました" in text(render(renderer, VARIANTS["form1"], witnessed))
    plain = render(renderer, VARIANTS["form1"], fixed_records(my_number=False, confidentiality=2))
    assert "立ち会いました" not in text(plain)


def test_form1_mid_contract_certificate_lists_that_days_rows_and_the_end_the_rest(renderer):
    """§10(3): a 随時 form 1 per disposal day before the final month; ③ lists the rest."""
    base = fixed_records()
    records = Records(
        contracts=base.contracts,
        disposals=(
            b.disposal(
                item="前年度分の申請書控え", done_on=date(2025, 11, 20), witness="日野 太郎"
            ),
            b.disposal(
                item="最終月の申請書控え", done_on=date(2027, 3, 31), witness="日野 太郎", row=3
            ),
        ),
    )
    (mid,) = [s for s in plan(records) if s.form == 1 and s.timing is Timing.CHANGE]
    assert (mid.date, mid.label, mid.filing.label) == (date(2025, 11, 20), "様式第1号", "随時")
    rows = table_rows(render(renderer, mid, records), "資料名・データ名", "区分\n媒体")
    assert [r[0] for r in rows] == ["前年度分の申請書控え"]
    end = table_rows(render(renderer, VARIANTS["form1"], records), "資料名・データ名", "区分\n媒体")
    assert [r[0] for r in end] == ["最終月の申請書控え"]


def test_terminated_contract_keeps_its_agreed_period_until_the_termination(renderer):
    records = fixed_records(terminated=date(2026, 12, 31))
    early = paragraphs(render(renderer, submission(4), records))
    assert "3\t契約期間\t令和7年4月1日から令和9年3月31日まで" in early  # ① predates the 解除
    assert "6\t報告対象期間\t令和7年4月1日から令和9年3月31日まで" in early
    end = paragraphs(render(renderer, submission(4, Timing.END, date=date(2026, 12, 31)), records))
    assert "3\t契約期間\t令和7年4月1日から令和9年3月31日まで（令和8年12月31日解除）" in end
    assert "6\t報告対象期間\t令和7年4月1日から令和8年12月31日まで" in end


def test_subcontractor_forms_show_its_own_period(renderer):
    records = fixed_records()
    records = Records(
        contracts=records.contracts,
        staff=records.staff,
        subcontractors=(b.subcontractor(start=date(2025, 10, 1), end=date(2026, 9, 30)),),
    )
    lines = paragraphs(render(renderer, VARIANTS["form2_sub"], records))
    assert "\t（再委託期間）\t令和7年10月1日から令和8年9月30日まで" in lines
    assert "3\t契約期間\t令和7年4月1日から令和9年3月31日まで" in lines
    assert "（再委託期間）" not in text(render(renderer, VARIANTS["form2"], records))
    sub3 = text(render(renderer, VARIANTS["form3_sub"], records))
    assert "※受講日が従事開始日（途中から従事する者以外は再委託開始日）の1年前の日より前" in sub3
    assert "※受講日が従事開始日（途中から従事する者以外は契約開始日）の1年前の日より前" in text(
        render(renderer, VARIANTS["form3"], records)
    )


def test_blank_date_prints_blank_wareki(renderer):
    records = fixed_records()
    records = Records(
        contracts=records.contracts,
        subcontractors=records.subcontractors,
        disposals=(b.disposal(done_on=None),),
    )
    rows = table_rows(
        render(renderer, VARIANTS["form1"], records), "資料名・データ名", "区分\n媒体"
    )
    assert rows[0][5].split("\n")[0] == "令和　年　月　日"


def test_form6_application(renderer):
    doc = render(renderer, VARIANTS["form6"])
    lines = paragraphs(doc)
    assert "再委託承認申請書" in lines
    assert "商号又は名称\t株式会社テスト架空データ" in lines  # the contractor applies
    at = lines.index("6\t再委託する業務の内容・範囲")  # a long label: the value sits below it
    assert lines[at + 1] == "データ入力"
    assert "☑再委託先の特定個人情報の保護に関する報告書（様式第5号-①）" in lines
    assert "全ての監督責任を負います" in text(doc)


def test_form7_from_the_city(renderer):
    doc = render(renderer, VARIANTS["form7"])
    lines = paragraphs(doc)
    assert lines[:3] == ["様式第7号", "日架第1号", "令和7年3月28日"]
    assert "代表取締役 架空 太郎　様" in lines
    assert "日野市長" in lines and "（公印省略）" in lines
    assert "令和7年3月26日付けで申請のあった再委託について、下記のとおり承認します。" in lines
    assert (
        "（1）再委託先は、日野市「外部委託における情報セキュリティ遵守事項」を遵守すること。"
        in lines
    )
    records = fixed_records()
    unnumbered = Records(
        contracts=records.contracts, subcontractors=(b.subcontractor(approval_no=""),)
    )
    assert paragraphs(render(renderer, VARIANTS["form7"], unnumbered))[1] == "第　　　号"
    custom = Renderer(
        settings=Settings(
            city_sender="日野市長　架空 一郎",
            seal_omitted=False,
            approval_conditions=("条件その一",),
        )
    )
    lines = paragraphs(render(custom, VARIANTS["form7"]))
    assert "日野市長　架空 一郎" in lines and "（公印省略）" not in lines
    assert "（1）条件その一" in lines and "（2）" not in "".join(lines)


def test_addressee_is_configurable():
    doc = render(Renderer(settings=Settings(addressee="日野市長 架空 花子")), VARIANTS["form2"])
    assert "（宛先）日野市長 架空 花子" in paragraphs(doc)


def _cover_lines(cover: Cover, tmp_path, name: str = "c.docx") -> tuple[Document, list[str]]:
    Renderer().render_cover(cover, tmp_path / name)
    doc = Document(tmp_path / name)
    return doc, paragraphs(doc)


def test_cover_sheet_is_written_for_the_city_officer_who_receives_it(tmp_path):
    contract = fixed_records(
        clerk=Person("架空 花子", contact="042-000-0009"), department="情報政策課"
    ).contracts[0]
    cover = Cover(
        contract,
        Timing.FISCAL_YEAR,
        date(2026, 4, 1),
        2026,
        "受託者 株式会社テスト架空データ",
        (
            CoverEntry("様式第4号-②", "重要情報の保護に関する報告書", 2, pages=2),
            CoverEntry("様式第5号-②", "特定個人情報の保護に関する報告書", 4, pages=1),
        ),
    )
    doc, lines = _cover_lines(cover, tmp_path)
    assert lines[:3] == ["令和8年4月1日", "（宛先）日野市長", "（担当課）情報政策課"]
    assert "（送付者）" in lines
    assert "商号又は名称\t株式会社テスト架空データ" in lines
    assert "担当者\t架空 花子" in lines and "連絡先\t042-000-0009" in lines
    assert "1\t件名\tT-001　架空システム保守業務委託" in lines
    assert "2\t提出時期\t②年度切替時（令和7年度分）" in lines  # the year the reports cover
    assert table_rows(doc, "No.", "様式") == [
        ["1", "様式第4号-②", "重要情報の保護に関する報告書", "2"],
        ["2", "様式第5号-②", "特定個人情報の保護に関する報告書", "1"],
    ]
    assert "計3頁（本送付書を除く）" in lines
    assert not any("別綴り" in line for line in lines)


@pytest.mark.parametrize("form", [1, 2, 3, 4, 5, 6])
def test_every_form_names_the_clerk_in_its_submitter_block(renderer, form):
    records = fixed_records(clerk=Person("架空 花子", contact="042-000-0009"))
    timing = Timing.END if form == 1 else Timing.CONCLUSION
    sub = submission(form, timing, subcontractor=SUB if form == 6 else None)
    lines = paragraphs(render(renderer, sub, records))
    assert "担当者\t架空 花子" in lines and "連絡先\t042-000-0009" in lines


def test_a_blank_clerk_contact_falls_back_to_the_officers(renderer):
    lines = paragraphs(
        render(renderer, VARIANTS["form2"], fixed_records(clerk=Person("架空 花子")))
    )
    assert "担当者\t架空 花子" in lines and "連絡先\t042-000-0000" in lines


def test_a_cover_without_a_clerk_names_the_officer(tmp_path):
    contract = fixed_records().contracts[0]
    cover = Cover(contract, Timing.CONCLUSION, date(2025, 3, 25), None, "受託者", ())
    _, lines = _cover_lines(cover, tmp_path)
    assert "担当者\t試験 一郎" in lines and "連絡先\t042-000-0000" in lines
    assert "（送付書類なし）" in text(Document(tmp_path / "c.docx"))


def test_the_contractors_cover_lists_its_subcontractors_bundle_apart(tmp_path):
    contract = fixed_records().contracts[0]
    theirs = (
        CoverEntry("様式第2号", "委託業務従事者体制届出書", None, pages=2),
        CoverEntry("様式第3号", "教育・研修実施報告書", None, pages=1),
    )
    cover = Cover(
        contract,
        Timing.CONCLUSION,
        date(2025, 3, 25),
        None,
        "受託者",
        (CoverEntry("様式第6号", "再委託承認申請書（架空サポート）", 2, pages=1),),
        separate=(SeparateBundle(SUB, theirs),),
    )
    doc, lines = _cover_lines(cover, tmp_path)
    assert "4\t別綴り（同時に送付する再委託先の書類）" in lines
    assert f"再委託先 {SUB}（計3頁）" in lines
    own, apart = [[[c.text for c in r.cells] for r in t.rows[1:]] for t in doc.tables]
    assert own == [["1", "様式第6号", "再委託承認申請書（架空サポート）", "1"]]
    assert apart == [
        ["1", "様式第2号", "委託業務従事者体制届出書", "2"],
        ["2", "様式第3号", "教育・研修実施報告書", "1"],
    ]


def test_a_subcontractors_cover_says_it_comes_through_the_contractor(tmp_path):
    records = fixed_records()
    cover = Cover(
        records.contracts[0],
        Timing.CONCLUSION,
        date(2025, 3, 25),
        None,
        "再委託先",
        (CoverEntry("様式第2号", "委託業務従事者体制届出書", 2, pages=1),),
        submitter=Submitter.SUBCONTRACTOR,
        subcontractor=records.subcontractors[0],
        timing_label="随時",
    )
    _, lines = _cover_lines(cover, tmp_path)
    assert f"商号又は名称\t{SUB}" in lines
    assert (
        "下記のとおり、再委託先の書類を受託者（株式会社テスト架空データ）を経由して送付します。"
        in lines
    )
    assert "2\t提出時期\t随時" in lines


def test_form_7s_cover_is_sent_by_the_city_to_the_contractor(tmp_path):
    records = fixed_records()
    cover = Cover(
        records.contracts[0],
        Timing.CONCLUSION,
        date(2025, 3, 28),
        None,
        "日野市",
        (CoverEntry("様式第7号", f"再委託承認通知書（{SUB}）", 2, pages=1),),
        submitter=Submitter.CITY,
        subcontractor=records.subcontractors[0],
    )
    _, lines = _cover_lines(cover, tmp_path)
    assert lines[1:4] == [
        "東京都日野市架空町1-1-1",
        "株式会社テスト架空データ",
        "代表取締役 架空 太郎　様",
    ]
    assert "\t日野市長" in lines and "担当課\t情報政策課" in lines
    assert "（宛先）日野市長" not in lines and not any("商号又は名称" in x for x in lines)
    assert "下記のとおり、再委託承認通知書を送付します。" in lines


# ---------------------------------------------------------------- safety of the output


def test_workbook_text_prints_literally(renderer):
    records = fixed_records()
    records = Records(
        contracts=(b.contract(work_name=TRICKY, contractor_name="A&B <株>"),),
        staff=(b.staff(name=TRICKY + "\x0b"),),
        trainings=(b.training(content=TRICKY),),
    )
    doc = render(renderer, VARIANTS["form3"], records)
    lines = paragraphs(doc)
    assert f"1\t契約件名\t{TRICKY}" in lines
    assert "商号又は名称\tA&B <株>" in lines
    assert [r[1] for r in table_rows(doc, "No.", "氏名")] == [TRICKY]
    assert "49" not in text(doc)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_part_parses_and_no_tag_survives(renderer, variant):
    data = renderer.render_bytes(VARIANTS[variant], fixed_records())
    for name, blob in part_xml(data).items():
        if name.endswith(".xml") or name.endswith(".rels"):
            root = etree.fromstring(blob)
            if name.startswith("word/"):
                content = "".join(root.itertext())
                for tag in ("{{", "{%", "{#", "%}", "}}"):
                    assert tag not in content, (variant, name, tag)


def test_staff_table_header_row_repeats(renderer):
    doc = render(renderer, VARIANTS["form2"])
    for t in doc.tables:
        first = t.rows[0]._tr
        assert first.trPr is not None and first.trPr.find(qn("w:tblHeader")) is not None
        grid = [int(c.get(qn("w:w"))) for c in t._tbl.tblGrid.iter(qn("w:gridCol"))]
        widths = [int(tc.tcPr.tcW.get(qn("w:w"))) for tc in first.iter(qn("w:tc"))]
        assert grid == widths  # LibreOffice follows the grid, Word the cells: both agree


def test_fonts_are_explicit_and_not_theme(tmp_path):
    doc = Document(resources.template("form2.docx"))
    styles = doc.styles.element
    fonts = (
        styles.find(qn("w:docDefaults"))
        .find(qn("w:rPrDefault"))
        .find(qn("w:rPr"))
        .find(qn("w:rFonts"))
    )
    assert fonts.get(qn("w:eastAsia")) == "ＭＳ 明朝"
    for rf in styles.iter(qn("w:rFonts")):
        assert not any(k.endswith("Theme") for k in rf.attrib), rf.attrib
    names = {s.name for s in doc.styles}
    assert {"表題", "提出者", "項目", "表見出し", "様式表", "様式フッター"} <= names
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)


def test_notes_stay_whole_and_with_the_closing():
    doc = Document(resources.template("form3.docx"))
    assert doc.styles["Normal"].paragraph_format.widow_control
    note = doc.styles["注記"].paragraph_format
    assert note.keep_together and note.keep_with_next  # no "第7項）。" + 以上 alone on a page


def test_form_filename():
    assert form_filename(VARIANTS["form2"]) == "様式第2号_委託業務従事者体制届出書"
    assert form_filename(VARIANTS["form4_2"]) == "様式第4号-②_重要情報の保護に関する報告書"
    assert form_filename(VARIANTS["form2_sub"]) == f"様式第2号_委託業務従事者体制届出書_{SUB}"
    assert form_filename(VARIANTS["form6"]) == f"様式第6号_再委託承認申請書_{SUB}"


@pytest.mark.parametrize(
    "value, shown",
    [
        (date(2025, 4, 1), "令和7年4月1日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (None, "令和　年　月　日"),
        ("", "令和　年　月　日"),
    ],
)
def test_wareki_filter(value, shown):
    assert wareki(value) == shown


def test_city_templates_replace_shipped_ones(tmp_path):
    doc = Document(resources.template("form2.docx"))
    doc.add_paragraph("市独自の確認欄：{{ contract.department }}")
    doc.save(tmp_path / "form2.docx")
    city = Renderer(tmp_path)
    assert "市独自の確認欄：情報政策課" in paragraphs(render(city, VARIANTS["form2"]))
    assert "市独自の確認欄" not in text(render(city, VARIANTS["form3"]))


def test_city_templates_may_still_use_the_old_check_filter(tmp_path, renderer):
    """`check` was the tick box filter's name before `tickbox`; a city's old templates keep working."""
    shipped = resources.template("form2.docx").read_bytes()
    with (
        zipfile.ZipFile(io.BytesIO(shipped)) as src,
        zipfile.ZipFile(tmp_path / "form2.docx", "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                assert b"|tickbox }}" in data
                data = data.replace(b"|tickbox }}", b"|check }}")
            dst.writestr(info, data)
    old = render(Renderer(tmp_path), VARIANTS["form2"])
    assert "☑" in text(old)
    assert text(old) == text(render(renderer, VARIANTS["form2"]))
    assert check_template(tmp_path / "form2.docx") == []


# ---------------------------------------------------------------- fast path = docxtpl


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_prepared_template_equals_plain_docxtpl(renderer, variant):
    sub = VARIANTS[variant]
    records = fixed_records()
    data = renderer.render_bytes(sub, records)
    with zipfile.ZipFile(io.BytesIO(data)) as package:  # every CRC checks, no name twice
        assert package.testzip() is None
        assert len(set(package.namelist())) == len(package.namelist())
    fast = part_xml(data)
    tpl = DocxTemplate(str(renderer.template_path(template_name(sub.form))))
    tpl.render(renderer.context(sub, records), make_environment(), autoescape=True)
    buf = io.BytesIO()
    tpl.save(buf)
    plain = part_xml(buf.getvalue())
    # The same members; only their order differs (the unchanged ones come first).
    assert sorted(fast) == sorted(plain) and next(iter(fast)) == "[Content_Types].xml"
    for name in plain:
        assert fast[name] == plain[name], name


# ---------------------------------------------------------------- golden documents


def normalised(docx_bytes: bytes) -> str:
    root = etree.fromstring(part_xml(docx_bytes)["word/document.xml"])
    return etree.tostring(root, pretty_print=True, encoding="unicode")


@pytest.mark.parametrize(
    "variant", ["form1", "form2", "form2_sub", "form3", "form4_2", "form5_3", "form6", "form7"]
)
def test_golden_document(renderer, variant):
    got = normalised(renderer.render_bytes(VARIANTS[variant], fixed_records()))
    path = GOLDEN / f"{variant}.xml"
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    want = path.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(
            list(
                difflib.unified_diff(
                    want.splitlines(True),
                    got.splitlines(True),
                    f"golden/{path.name}",
                    "rendered",
                    n=2,
                )
            )[:80]
        )
        pytest.fail(
            f"word/document.xml differs from {path.name} (UPDATE_GOLDEN=1 to accept):\n{diff}"
        )


# ---------------------------------------------------------------- the sample workbook


def test_sample_workbook_renders(renderer, sample_path, tmp_path):
    if not sample_path.exists():
        pytest.skip("data/sample.xlsx がまだありません")
    from hino_forms.planning.rules import plan
    from hino_forms.workbook.reader import read_workbook

    records = read_workbook(sample_path)
    ready = [s for s in plan(records) if s.status.value == "ready"]
    assert {s.form for s in ready} == {1, 2, 3, 4, 5, 6, 7}
    for sub in ready:
        doc = Document(io.BytesIO(renderer.render_bytes(sub, records)))
        body = text(doc)
        contract = records.contract(sub.contract_id)
        assert contract.work_name in body, sub
        assert sub.label in body
        assert "{{" not in body and "{%" not in body


# ---------------------------------------------------------------- through LibreOffice


def to_pdf(docx: Path, out: Path, fontconfig: bool = True) -> Path:
    env = dict(
        os.environ, **({"FONTCONFIG_FILE": str(resources.fontconfig())} if fontconfig else {})
    )
    profile = out / "profile"
    subprocess.run(
        [
            shutil.which("soffice") or "libreoffice",
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env=env,
    )
    return out / (docx.stem + ".pdf")


def pdf_text(pdf: Path, page: int) -> str:
    return subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.mark.soffice
def test_long_staff_table_repeats_its_header_and_embeds_mincho(renderer, tmp_path):
    staff = tuple(b.staff(name=f"架空 {i:03d}", affiliation="保守部") for i in range(1, 121))
    records = Records(contracts=fixed_records().contracts, staff=staff)
    docx = tmp_path / "form2.docx"
    renderer.render(VARIANTS["form2"], records, docx)
    pdf = to_pdf(docx, tmp_path)
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    assert pages >= 3
    for page in range(2, pages + 1):
        body = pdf_text(pdf, page)
        assert "情報の取扱" in body and "所属" in body, f"page {page} lacks the header row"
        assert f"{page}/{pages}" in body.replace(" ", "")
    assert "架空 120" in pdf_text(pdf, pages)
    first = pdf_text(pdf, 1)
    assert "委託業務従事者体制届出書" in first and "令和7年3月25日" in first.replace(" ", "")
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "IPAexMincho" in fonts


@pytest.mark.soffice
def test_without_fontconfig_a_japanese_font_is_still_embedded(renderer, tmp_path):
    docx = tmp_path / "form7.docx"
    renderer.render(VARIANTS["form7"], fixed_records(), docx)
    pdf = to_pdf(docx, tmp_path, fontconfig=False)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "IPAex" in fonts
    assert "再委託承認通知書" in pdf_text(pdf, 1)


# Word refuses documents whose property elements are out of schema order (LibreOffice
# does not care), so the order of the containers the templates build is checked here.
SCHEMA_ORDER = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "sectPr": "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc "
    "pgBorders lnNumType pgNumType cols formProt vAlign noEndnote titlePg "
    "textDirection bidi rtlGutter docGrid printerSettings sectPrChange",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize "
    "tblW jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection "
    "tcFitText vAlign hideMark",
}


@pytest.mark.parametrize("variant", ["form1", "form2", "form4_2", "form7"])
def test_property_elements_in_schema_order(renderer, variant):
    parts = part_xml(renderer.render_bytes(VARIANTS[variant], fixed_records()))
    for part in ("word/document.xml", "word/styles.xml"):
        root = etree.fromstring(parts[part])
        for tag, names in SCHEMA_ORDER.items():
            rank = {qn(f"w:{n}"): i for i, n in enumerate(names.split())}
            for el in root.iter(qn(f"w:{tag}")):
                seq = [rank.get(c.tag, -1) for c in el if c.tag in rank or c.tag.startswith("{")]
                assert -1 not in seq and seq == sorted(seq) and len(set(seq)) == len(seq), (
                    part,
                    tag,
                    [etree.QName(c).localname for c in el],
                )


# ---------------------------------------------------------------- what the prepared path refuses


def one_tag_template(tmp_path: Path, tag: str = "{{ value }}") -> Path:
    """A .docx whose body is one paragraph holding ``tag`` (what a clerk might type)."""
    doc = Document()
    doc.add_paragraph(tag)
    path = tmp_path / "clerk.docx"
    doc.save(path)
    return path


def prepared_from(path: Path) -> PreparedTemplate:
    return PreparedTemplate(path.read_bytes(), make_environment(), path.name)


def refusal(prepared: PreparedTemplate, value: object) -> str:
    with pytest.raises(TemplateUnsupported) as refused:
        prepared.render({"value": value})
    return str(refused.value)


def test_inline_image_is_refused_not_dropped(tmp_path):
    path = one_tag_template(tmp_path)
    image = InlineImage(DocxTemplate(path), str(tmp_path / "logo.png"))
    message = refusal(prepared_from(path), image)
    assert message.startswith("テンプレート clerk.docx: 画像（InlineImage）は差し込めません")


def test_subdocument_is_refused(tmp_path):
    path = one_tag_template(tmp_path, "{{p value }}")
    subdoc = DocxTemplate(path).new_subdoc()
    subdoc.add_paragraph("差し込みたい文書")
    assert "サブ文書（Subdoc）は差し込めません" in refusal(prepared_from(path), subdoc)


def test_richtext_hyperlink_is_refused_plain_richtext_is_not(tmp_path):
    path = one_tag_template(tmp_path, "{{r value }}")
    prepared = prepared_from(path)
    link = RichText("市のページ", url_id=DocxTemplate(path).build_url_id("https://example.jp/"))
    assert "リンク（RichText のハイパーリンク）は差し込めません" in refusal(prepared, link)
    doc = Document(io.BytesIO(prepared.render({"value": RichText("太字", bold=True)})))
    assert text(doc).strip() == "太字"


@pytest.mark.parametrize(
    "xml, what",
    [
        ('<w:hyperlink r:id="rId99"><w:r><w:t>x</w:t></w:r></w:hyperlink>', "リンク"),
        ('<w:r><w:drawing><a:blip r:embed="rId98"/></w:drawing></w:r>', "画像"),
    ],
)
def test_any_reference_to_a_part_the_template_lacks_is_refused(tmp_path, xml, what):
    # Markup passes through escaping as it is: the backstop looks at the rendered XML.
    message = refusal(prepared_from(one_tag_template(tmp_path)), Markup(xml))
    assert f"{what}" in message and "clerk.docx" in message


@pytest.mark.parametrize("method", ["replace_media", "replace_pic", "replace_embedded"])
def test_media_replacement_is_refused(tmp_path, method):
    prepared = prepared_from(one_tag_template(tmp_path))
    with pytest.raises(TemplateUnsupported, match=f"差し替え（{method}）"):
        getattr(prepared, method)("dummy.png", "logo.png")


# ---------------------------------------------------------------- templates are data, not code

RCE = "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}"


def test_a_template_cannot_run_a_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    city = tmp_path / "city"
    city.mkdir()
    doc = Document(resources.template("form2.docx"))
    doc.add_paragraph(RCE)
    doc.save(city / "form2.docx")
    with pytest.raises(TemplateUnsafe) as refused:
        Renderer(city).render_bytes(VARIANTS["form2"], fixed_records())
    assert not (tmp_path / "MARKER").exists()
    assert str(refused.value).startswith(
        "テンプレート form2.docx に安全でない式があるため使えません"
    )
    assert "__init__" in str(refused.value)


def test_templates_stay_autoescaped_in_the_sandbox(renderer):
    assert make_environment().autoescape is True
    records = Records(contracts=(b.contract(work_name="<w:p>&"),))
    assert "1\t契約件名\t<w:p>&" in paragraphs(render(renderer, VARIANTS["form2"], records))


def test_generate_with_such_a_template_runs_nothing_and_names_it(
    cli, sample_path, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    city = tmp_path / "city"
    city.mkdir()
    doc = Document(resources.template("form2.docx"))
    doc.add_paragraph(RCE)
    doc.save(city / "form2.docx")
    result = cli(
        "generate", sample_path, "--out", tmp_path / "out", "--no-pdf",
        "--contract", "R7-003", "--templates", city,
    )  # fmt: skip
    assert not (tmp_path / "MARKER").exists()
    assert result.code == 1
    assert "テンプレート form2.docx に安全でない式があるため使えません" in result.out + result.err


def test_a_reference_is_judged_by_its_own_element(tmp_path):
    # A template with a hyperlink of its own, and a value that adds an unknown picture.
    doc = Document()
    p = doc.add_paragraph("{{ value }}")
    rid = doc.part.relate_to("https://example.jp/", RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    p._p.append(link)
    doc.save(tmp_path / "linked.docx")
    prepared = prepared_from(tmp_path / "linked.docx")
    assert prepared.render({"value": "文字だけ"})  # its own link is fine
    message = refusal(prepared, Markup('<w:r><a:blip r:embed="rId77"/></w:r>'))
    assert "画像は差し込めません" in message
