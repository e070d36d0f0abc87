"""What the forms say, read from the rendered documents: the checklists cover the rules
(FORMS.md v2, rules text §2–§13), every item cites its clause in one style, numbers run
1…N on every variant, the rules' title is written the city's way, 下記 once per sentence,
the cover counts pages as the footers do, and FY2019 is 令和元年度.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from docx import Document

from hino_forms.dates import format_wareki_year, parse_fiscal_year
from hino_forms.forms.cover import Cover, CoverBuilder
from hino_forms.forms.render import Renderer
from hino_forms.models import Records, Submission, Submitter, Timing
from hino_forms.output.bundle import group_bundles
from tests import builders as b
from tests.test_render import (
    SUB,
    VARIANTS,
    checklist,
    fixed_records,
    render,
    submission,
    table_rows,
    text,
)

RULES_TITLE = "日野市「外部委託における情報セキュリティ遵守事項」"
CLAUSE = re.compile(r"^\d+(\(\d+\))?[①-⑳]?([・～]\(?\d+\)?(\(\d+\))?)*$")  # 10(1)②, 4・5・10(3)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


REPORTS = {
    (form, timing): submission(form, timing)
    for form in (4, 5)
    for timing in (Timing.CONCLUSION, Timing.FISCAL_YEAR, Timing.END)
}


# ---------------------------------------------------------------- numbering and citations


@pytest.mark.parametrize("form, timing", sorted(REPORTS, key=lambda k: (k[0], k[1].mark)))
def test_report_items_run_from_one_without_a_gap(renderer, form, timing):
    items = checklist(render(renderer, REPORTS[(form, timing)]))
    assert list(items) == [str(n) for n in range(1, len(items) + 1)]
    for no, cells in items.items():
        assert CLAUSE.match(cells[1]), f"様式第{form}号{timing.mark} {no}: {cells[1]}"
    doc = render(renderer, REPORTS[(form, timing)])
    header = next(t.rows[0] for t in doc.tables if t.rows[0].cells[1].text == "確認項目")
    assert header.cells[2].text == "遵守事項"  # the clause column: 遵守事項 + 10(1)②


def test_form3_topics_run_from_one_and_cite_their_clause(renderer):
    doc = render(renderer, VARIANTS["form3"])
    rows = table_rows(doc, "No.", "項目")
    assert [r[0] for r in rows] == [str(n) for n in range(1, len(rows) + 1)]
    assert all(CLAUSE.match(r[2]) for r in rows), [r[2] for r in rows]
    header = next(t.rows[0] for t in doc.tables if t.rows[0].cells[1].text == "項目")
    assert header.cells[2].text == "遵守事項"
    sections = [r[2] for r in rows]
    # §9: staff learn that the periodic reports (forms 4 and 5) exist, right after §8.
    assert sections.index("9") == sections.index("8") + 1
    periodic = rows[sections.index("9")][1]
    assert "様式第4号・第5号" in periodic


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_no_section_sign_and_the_rules_title_written_the_citys_way(renderer, variant):
    body = text(render(renderer, VARIANTS[variant]))
    assert "§" not in body
    assert "日野市外部委託" not in body
    for at in (m.start() for m in re.finditer("情報セキュリティ遵守事項", body)):
        assert body[at - len("日野市「外部委託における") : at + 13] == RULES_TITLE, body[
            at - 20 : at + 20
        ]
    for cite in re.findall(r"遵守事項[^」（）、。\s]*", body):
        assert not re.match(r"遵守事項第", cite), cite  # 遵守事項10(1)②, not 遵守事項第10項(1)②


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_kiki_once_per_sentence(renderer, variant):
    for sentence in re.split("[。\n]", text(render(renderer, VARIANTS[variant]))):
        assert sentence.count("下記") <= 1, sentence


def test_preambles_cite_the_clause_they_rest_on(renderer):
    expected = {
        "form2": f"{RULES_TITLE}6（体制の整備）に基づき、委託業務従事者の体制を下記のとおり届け出ます。",
        "form3": f"{RULES_TITLE}7（従事者への教育の義務）に基づき、従事者への教育・研修を下記のとおり"
        "実施したことを報告します。",
        "form4_2": f"{RULES_TITLE}9（定期報告）に基づき、重要情報の保護（情報セキュリティ対策の履行状況）"
        "について下記のとおり報告します。",
        "form6": f"{RULES_TITLE}12（再委託の制限）に基づき、業務の一部の再委託について下記のとおり"
        "承認を申請します。",
    }
    for variant, sentence in expected.items():
        assert sentence in text(render(renderer, VARIANTS[variant])), variant


# ---------------------------------------------------------------- form 4 covers the rules


def _items(renderer, timing: Timing, records: Records | None = None) -> dict[str, list[str]]:
    return checklist(render(renderer, submission(4, timing), records))


def _find(items: dict[str, list[str]], *words: str) -> str:
    found = [no for no, cells in items.items() if all(w in cells[0] for w in words)]
    assert len(found) == 1, (words, found)
    return found[0]


@pytest.mark.parametrize("timing", [Timing.CONCLUSION, Timing.FISCAL_YEAR, Timing.END])
@pytest.mark.parametrize(
    "words, clause",
    [
        (("記録類の保存期間", "遅滞なく開示"), "10(1)"),  # kept for the agreed period, disclosed
        (("あらかじめ指定された手段で入手",), "10(2)"),
        (("データのコピー・再加工", "業務上必要な場合のみ"), "10(2)"),
        (("テスト専用のデータ", "本番運用時のデータと同等に管理"), "11"),
        (("市が許可した範囲・用途以外で使用していない",), "11"),
        (("外部に提供する場合", "事前に市の許可"), "11"),
        (("開発環境", "作業開始前に市に報告し、承認"), "11"),
        (("市の承認を得ずに再委託していない",), "12(1)"),
        (("全ての監督責任",), "12(2)"),
        (("立ち入り調査",), "13"),
    ],
)
def test_form4_asks_what_the_rules_require(renderer, timing, words, clause):
    items = _items(renderer, timing)
    no = _find(items, *words)
    assert items[no][1] == clause


@pytest.mark.parametrize(
    "words",
    [
        ("適合検査", "検査結果を市に報告"),  # §11 検査及びテストの実施
        ("開発終了時", "復元不能な状態に消去"),  # §11 開発データ, at the end of development
    ],
)
def test_form4_asks_after_the_fact_only_once_there_is_a_period_behind(renderer, words):
    for timing in (Timing.FISCAL_YEAR, Timing.END):
        items = _items(renderer, timing)
        assert items[_find(items, *words)][2:5] == ["☐", "☐", "☑"]  # not a development
        dev = _items(renderer, timing, fixed_records(system_development=True))
        assert dev[_find(dev, *words)][2:5] == ["☐", "☐", "☐"]
    assert not any(
        all(w in c[0] for w in words) for c in _items(renderer, Timing.CONCLUSION).values()
    )


def test_form4_fiscal_year_asks_about_disposals_certified_during_the_year(renderer):
    items = _items(renderer, Timing.FISCAL_YEAR)
    no = _find(items, "報告対象期間中に返還・消去・廃棄", "様式第1号）を発行")
    assert items[no][1] == "4・5・10(3)"
    assert items[no][2:5] == ["☐", "☐", "☐"]  # the contractor stores important information
    none_kept = _items(renderer, Timing.FISCAL_YEAR, fixed_records(stores_important=False))
    assert none_kept[no][2:5] == ["☐", "☐", "☑"]
    for timing in (Timing.CONCLUSION, Timing.END):
        assert not any("報告対象期間中に返還" in c[0] for c in _items(renderer, timing).values())


def test_form4_end_asks_for_the_return_and_the_certificate(renderer):
    items = _items(renderer, Timing.END)
    assert items[_find(items, "資料（紙）を返還")][1] == "4"
    assert items[_find(items, "データを、復元不可能な状態にして廃棄")][1] == "5"
    assert "様式第1号）を提出した" in items[str(len(items))][0]  # the last item of ③


def test_supervising_subcontractors_is_not_applicable_without_any(renderer):
    with_subs = _items(renderer, Timing.CONCLUSION)
    no = _find(with_subs, "全ての監督責任")
    assert with_subs[no][2:5] == ["☐", "☐", "☐"]
    alone = _items(renderer, Timing.CONCLUSION, fixed_records(subcontracting=False))
    assert alone[no][2:5] == ["☐", "☐", "☑"]
    sub = submission(4, submitter=Submitter.SUBCONTRACTOR, subcontractor=SUB)
    assert checklist(render(renderer, sub))[no][2:5] == ["☐", "☐", "☑"]


# ---------------------------------------------------------------- pages and years


def test_cover_gives_each_forms_page_count_as_its_footer_counts(renderer, tmp_path):
    records = fixed_records()
    subs = [VARIANTS["form4_2"], VARIANTS["form5_2"]]
    (bundle,) = group_bundles(subs, records)
    cover = CoverBuilder(records).cover(bundle, [2, 1], cover_pages=1)
    renderer.render_cover(cover, tmp_path / "cover.docx")
    rows = table_rows(Document(str(tmp_path / "cover.docx")), "No.", "様式")
    assert rows == [
        ["1", "様式第4号-②", "重要情報の保護に関する報告書", "2"],
        ["2", "様式第5号-②", "特定個人情報の保護に関する報告書", "1"],
    ]
    assert "頁数" in text(Document(str(tmp_path / "cover.docx")))


@pytest.mark.parametrize(
    "fiscal_year, name",
    [
        (1988, "昭和63年度"),  # 平成 began in January 1989, inside this year: still 昭和
        (1989, "平成元年度"),
        (2018, "平成30年度"),
        (2019, "令和元年度"),  # 令和 began on 2019-05-01; the city names the year 令和元年度
        (2020, "令和2年度"),
        (2026, "令和8年度"),
    ],
)
def test_fiscal_year_names(fiscal_year, name):
    assert format_wareki_year(fiscal_year) == name
    if not name.startswith("昭和"):  # a 報告 sheet's 年度 cell reads back as the same year
        assert parse_fiscal_year(name) == fiscal_year


def test_a_report_on_fiscal_2019_says_reiwa_gannendo(renderer, tmp_path):
    contract = b.contract(
        start=date(2019, 4, 1), end=date(2021, 3, 31), concluded=date(2019, 3, 20)
    )
    sub = Submission(
        contract_id="T-001",
        form=4,
        timing=Timing.FISCAL_YEAR,
        date=date(2020, 4, 1),
        fiscal_year=2020,
    )
    cover = Cover(contract, Timing.FISCAL_YEAR, date(2020, 4, 1), 2020, "受託者", ())
    renderer.render_cover(cover, tmp_path / "cover.docx")
    assert "2\t提出時期\t②年度切替時（令和元年度分）" in text(
        Document(str(tmp_path / "cover.docx"))
    )
    body = text(render(renderer, sub, Records(contracts=(contract,))))
    assert "6\t報告対象期間\t平成31年4月1日から令和2年3月31日まで" in body
