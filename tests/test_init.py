"""`init`: the input workbook a contractor fills — what they see, what it accepts, what `check` says."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from hino_forms.cli import main
from hino_forms.contractor.blank import write_input_workbook
from hino_forms.contractor.coverage import coverage
from hino_forms.contractor.guide import EXAMPLE_ROWS, example_value
from hino_forms.contractor.merge import merge_workbooks
from hino_forms.contractor.prefill import load_prefill
from hino_forms.errors import BadOption, OutputExists
from hino_forms.forms.checklists import load_checklist
from hino_forms.workbook.reader import read_workbook
from hino_forms.workbook.schema import CONTRACT, SHEETS, SHEETS_BY_NAME, Filler, Kind
from tests.builders import contract_row, write_workbook

INPUT_SHEETS = [s.name for s in SHEETS]


def fill(ws: Worksheet, rows: list[dict[str, Any]]) -> None:
    """Type ``rows`` under the headers of ``ws`` from its first empty row, as a contractor would."""
    headers = [c.value for c in ws[1]]
    r = 2
    while any(ws.cell(r, c).value is not None for c in range(1, len(headers) + 1)):
        r += 1
    for row in rows:
        for c, h in enumerate(headers, start=1):
            if h in row:
                ws.cell(r, c, row[h])
        r += 1


def fill_example(path: Path, **overrides: dict[str, Any]) -> None:
    """Fill every input sheet with the worked example of 記入例 (``overrides`` per sheet, first row)."""
    wb = load_workbook(path)
    for name, rows in EXAMPLE_ROWS.items():
        sheet = SHEETS_BY_NAME[name]
        typed = [
            {c.header: example_value(c, r.get(c.header, "")) for c in sheet.columns} for r in rows
        ]
        typed[0].update(overrides.get(name, {}))
        fill(wb[name], typed)
    wb.save(path)


def column_of(dv: Any) -> str:
    """The column letter a validation covers."""
    return str(dv.sqref).split(":")[0].rstrip("0123456789")


def validations(ws: Worksheet) -> dict[str, Any]:
    """The data validation of each column, by header (every column has exactly one)."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        col = column_of(dv)
        header = ws[f"{col}1"].value
        assert header not in out, f"{ws.title}: two validations on {header}"
        out[header] = dv
    return out


@pytest.fixture
def blank(tmp_path: Path) -> Path:
    return write_input_workbook(tmp_path / "入力.xlsx")


def test_sheets_in_reading_order_with_headers_a_contractor_can_see(blank: Path) -> None:
    wb = load_workbook(blank)
    assert wb.sheetnames == ["記入方法", *INPUT_SHEETS, "確認項目一覧", "記入例"]
    assert wb.active.title == "記入方法"
    for sheet in SHEETS:
        ws = wb[sheet.name]
        assert [c.value for c in ws[1]] == list(sheet.headers)
        # blue: the city fills it, orange: the contractor, grey: for reading only
        assert all(
            c.font.b and c.fill.fgColor.rgb.endswith(("BDD7EE", "F8CBAD", "D9D9D9")) for c in ws[1]
        )
        assert ws.freeze_panes == "A2"
        for i, col in enumerate(sheet.columns, start=1):
            width = ws.column_dimensions[ws.cell(1, i).column_letter].width
            widest = 83 if col.filled_by is Filler.REFERENCE else 36  # an item's wording, wrapped
            assert 9 <= width <= widest, (sheet.name, col.header, width)


def test_who_fills_what_is_shown_by_header_colour(blank: Path) -> None:
    wb = load_workbook(blank)
    colour = {c.value: c.fill.fgColor.rgb[-6:] for c in wb["契約"][1]}
    assert colour["機密性区分"] == "BDD7EE"  # the city
    assert colour["責任者氏名"] == "F8CBAD"  # the contractor (§6(1): it names its officer)
    sub = {c.value: c.fill.fgColor.rgb[-6:] for c in wb["再委託"][1]}
    assert sub["承認日"] == "BDD7EE" and sub["再委託先名称"] == "F8CBAD"


def test_every_column_prompts_what_to_write_with_an_example(blank: Path) -> None:
    wb = load_workbook(blank)
    for sheet in SHEETS:
        dvs = validations(wb[sheet.name])
        assert set(dvs) == set(sheet.headers)
        for col in sheet.columns:
            dv = dvs[col.header]
            assert dv.showInputMessage and dv.promptTitle.startswith(col.header)
            assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255  # Excel's limits
            assert col.help in dv.prompt
            if col.example:
                assert f"例: {col.example}" in dv.prompt
            assert str(dv.sqref) == f"{column_of(dv)}2:{column_of(dv)}1000"
    assert "必須" in validations(wb["契約"])["契約番号"].promptTitle


def test_the_v2_columns_are_there_with_what_to_write(blank: Path) -> None:
    """SPEC v2 §3: 従事開始日/従事終了日, 実施項目, the subcontractor's own officer and deputy."""
    wb = load_workbook(blank)
    prompts = {
        (name, h): validations(wb[name])[h].prompt
        for name, headers in {
            "従事者": ("従事開始日", "従事終了日"),
            "研修": ("実施項目",),
            "再委託": (
                "再委託先責任者役職",
                "再委託先責任者連絡先",
                "再委託先代行者氏名",
                "再委託先代行者役職",
                "再委託先代行者連絡先",
            ),
        }.items()
        for h in headers
    }
    assert "空欄は契約・再委託の開始日" in prompts[("従事者", "従事開始日")]
    assert "全項目" in prompts[("研修", "実施項目")] and "1-16" in prompts[("研修", "実施項目")]
    assert "代行する者" in prompts[("再委託", "再委託先代行者氏名")]
    # Dates are validated like every other date column.
    assert validations(wb["従事者"])["従事終了日"].type == "date"


def test_choices_are_drop_down_lists_and_dates_must_be_dates(blank: Path) -> None:
    wb = load_workbook(blank)
    contract = validations(wb["契約"])
    assert (
        contract["特定個人情報"].type == "list" and contract["特定個人情報"].formula1 == '"有,無"'
    )
    assert contract["機密性区分"].formula1 == '"1,2,3"'
    assert contract["契約開始日"].type == "date" and contract["契約開始日"].errorStyle == "stop"
    assert validations(wb["廃棄"])["区分"].formula1 == '"紙,電子"'
    assert validations(wb["廃棄"])["方法"].formula1 == '"返還,消去,廃棄"'
    report = validations(wb["報告"])
    assert report["回答"].formula1 == '"はい,いいえ,該当なし"'
    assert report["時期"].formula1 == '"①,②,③"' and report["様式"].formula1 == '"4,5"'
    for sheet in SHEETS:
        for col in sheet.columns:
            dv = validations(wb[sheet.name])[col.header]
            if col.kind is Kind.DATE:
                assert dv.type == "date", (sheet.name, col.header)
                dim = wb[sheet.name].column_dimensions[column_of(dv)]
                assert dim.number_format == "yyyy/m/d"


def test_contract_and_subcontractor_drop_downs_list_what_was_entered(blank: Path) -> None:
    wb = load_workbook(blank)
    names = {n: dn.attr_text for n, dn in wb.defined_names.items()}
    assert names == {"契約番号一覧": "'契約'!$A$2:$A$1000", "再委託先一覧": "'再委託'!$B$2:$B$1000"}
    for name in ("従事者", "研修", "廃棄", "報告"):
        dvs = validations(wb[name])
        assert dvs["契約番号"].formula1 == "契約番号一覧"
        assert dvs["再委託先名称"].formula1 == "再委託先一覧"
    assert validations(wb["再委託"])["契約番号"].formula1 == "契約番号一覧"


def test_instructions_say_who_fills_what_in_plain_japanese(blank: Path) -> None:
    wb = load_workbook(blank)
    text = "\n".join(str(c.value) for row in wb["記入方法"].iter_rows() for c in row if c.value)
    assert "市の担当課" in text and "受託者" in text
    for sheet in SHEETS:
        assert sheet.purpose in text
    assert "2025/4/1" in text and "▼" in text
    assert wb["記入方法"].protection.sheet and not wb["記入方法"].protection.password


def test_the_worked_example_passes_check(blank: Path) -> None:
    """Copying 記入例 into the input sheets gives a workbook `check` accepts without a remark."""
    fill_example(blank)
    records = read_workbook(blank)
    assert records.problems == ()  # the guide and example sheets are skipped silently
    assert [c.contract_id for c in records.contracts] == ["R7-001"]
    assert [s.name for s in records.staff] == ["高橋 三郎", "井上 七海", "伊藤 六子"]
    assert records.subcontractors[0].approved == date(2025, 3, 28)


@pytest.mark.parametrize(
    ("sheet", "header", "value", "cell"),
    [
        ("契約", "機密性区分", 4, "契約!K2"),
        ("契約", "特定個人情報", "多分", "契約!L2"),
        ("従事者", "重要情報取扱", "多分", "従事者!F2"),
        ("廃棄", "方法", "燃やす", "廃棄!G2"),
        ("従事者", "研修受講日", "令和7年2月30日", "従事者!H2"),
    ],
)
def test_a_value_past_the_drop_down_is_reported_with_its_cell(
    blank: Path, sheet: str, header: str, value: Any, cell: str
) -> None:
    """openpyxl (like a paste) ignores validation: the reader still names the cell."""
    fill_example(blank, **{sheet: {header: value}})
    errors = [p for p in read_workbook(blank).problems if p.severity.value == "error"]
    assert errors, f"{cell} = {value!r} was accepted"
    assert any(p.cell == cell.split("!")[1] and p.sheet == sheet for p in errors), errors
    assert any(cell in p.message for p in errors)


def test_init_refuses_to_overwrite_without_force(
    blank: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = blank.read_bytes()
    with pytest.raises(OutputExists):
        write_input_workbook(blank)
    with pytest.raises(SystemExit) as exit_:
        main(["init", str(blank)])
    assert exit_.value.code == 2
    assert "--force" in capsys.readouterr().err
    assert blank.read_bytes() == before
    with pytest.raises(SystemExit) as exit_:
        main(["init", str(blank), "--force"])
    assert exit_.value.code == 0
    assert "入力ブックを作成しました" in capsys.readouterr().out


# ---- pre-filled for one contractor ----


@pytest.fixture
def master(tmp_path: Path) -> Path:
    """The city's master workbook: two contracts, R7-002 with an approved and a pending subcontractor."""
    return write_workbook(
        tmp_path / "台帳.xlsx",
        {
            "契約": [
                contract_row(契約番号="R7-001"),
                contract_row(
                    契約番号="R7-002",
                    業務名="架空窓口業務委託",
                    機密性区分=3,
                    再委託="有",
                    責任者氏名=None,
                    代行者氏名=None,
                ),
            ],
            "再委託": [
                {
                    "契約番号": "R7-002",
                    "再委託先名称": "有限会社架空サポート",
                    "機密性区分": 2,
                    "申請日": date(2025, 3, 26),
                    "承認日": date(2025, 3, 28),
                    "承認番号": "日架第1号",
                },
                {"契約番号": "R7-002", "再委託先名称": "架空印刷合同会社", "機密性区分": 2},
            ],
            "従事者": [{"契約番号": "R7-001", "氏名": "台帳 花子"}],
        },
    )


def test_prefill_copies_the_contract_and_guards_what_the_city_filled(
    tmp_path: Path, master: Path
) -> None:
    out = write_input_workbook(tmp_path / "R7-002.xlsx", prefill=load_prefill(master, "R7-002"))
    wb = load_workbook(out)
    ws = wb["契約"]
    row = {h.value: c for h, c in zip(ws[1], ws[2])}
    assert row["契約番号"].value == "R7-002" and row["業務名"].value == "架空窓口業務委託"
    assert ws.max_row == 2  # R7-001 is not the contractor's business
    assert ws.protection.sheet and not ws.protection.password  # guides, does not lock out
    assert row["機密性区分"].protection.locked and row["契約開始日"].protection.locked
    assert row["契約開始日"].number_format == "yyyy/m/d"
    assert not row["責任者氏名"].protection.locked  # the contractor names its officer
    sub = wb["再委託"]
    assert [sub.cell(r, 2).value for r in (2, 3)] == ["有限会社架空サポート", "架空印刷合同会社"]
    assert sub.cell(2, 2).protection.locked  # approved: changing it needs a new application
    assert not sub.cell(3, 2).protection.locked  # pending: the contractor may still correct it
    assert sub.cell(3, 19).protection.locked  # 承認日 (column S) is the city's
    assert not sub.column_dimensions["C"].protection.locked  # new subcontractor rows are open
    for name in ("従事者", "研修", "廃棄", "報告"):
        assert wb[name].max_row == 1, f"{name} must be empty for the contractor"
        assert not wb[name].column_dimensions["A"].protection.locked
    assert wb.defined_names["契約番号一覧"].attr_text == "'契約'!$A$2:$A$2"
    guide = "\n".join(str(c.value) for r in wb["記入方法"].iter_rows() for c in r if c.value)
    assert "R7-002" in guide and "架空窓口業務委託" in guide


def test_unknown_contract_is_a_bad_option(
    master: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(BadOption, match="R7-999"):
        load_prefill(master, "R7-999")
    with pytest.raises(SystemExit) as exit_:
        main(["init", str(tmp_path / "x.xlsx"), "--from", str(master), "--contract", "R7-999"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "R7-999" in err and "R7-001、R7-002" in err
    assert not (tmp_path / "x.xlsx").exists()


def test_contract_without_master_is_a_bad_option(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["init", str(tmp_path / "x.xlsx"), "--contract", "R7-001"])
    assert exit_.value.code == 2


# ---- pre-filled with everything the ledger holds (issue 12) ----


@pytest.fixture
def full_ledger(tmp_path: Path) -> Path:
    """R7-001 with two subcontractors, staff, training, disposal and ② answers (tests/test_merge)."""
    from tests import test_merge as m

    return write_workbook(
        tmp_path / "全台帳.xlsx",
        {
            "契約": m.CONTRACTS,
            "従事者": m.STAFF,
            "研修": m.TRAININGS,
            "再委託": m.SUBS,
            "廃棄": m.DISPOSALS,
            "報告": m.OLD_ANSWERS,
        },
        headers=m.LEDGER_HEADERS,
    )


def table(ws: Worksheet) -> list[dict[str, Any]]:
    headers = [c.value for c in ws[1]]
    return [
        {h: c for h, c in zip(headers, row)}
        for row in ws.iter_rows(min_row=2)
        if any(c.value is not None for c in row)
    ]


def test_prefill_shows_every_row_the_ledger_holds_for_the_contract(
    full_ledger: Path, tmp_path: Path, cli: Any
) -> None:
    from tests import test_merge as m

    out = tmp_path / "R7-001.xlsx"
    done = cli(
        "init", out, "--from", full_ledger, "--contract", "R7-001",
        "--report-from", "2025-03-01", "--report-to", "2025-03-31",
    )  # fmt: skip
    assert done.code == 0, done.err
    assert os.stat(out).st_mode & 0o777 == 0o600  # it names staff: owner-only
    wb = load_workbook(out)
    staff = table(wb["従事者"])
    assert [r["氏名"].value for r in staff] == [s["氏名"] for s in m.STAFF[:7]]  # not R7-002's
    assert [r["再委託先名称"].value for r in staff[-2:]] == [m.HIKARI] * 2
    assert not any(c.protection.locked for r in staff for c in r.values())  # all theirs to edit
    assert [r["研修名"].value for r in table(wb["研修"])] == ["情報セキュリティ研修"] * 2
    assert [r["資料名"].value for r in table(wb["廃棄"])] == ["申請書控え"]
    subs = table(wb["再委託"])
    assert [r["再委託先名称"].value for r in subs] == [m.TAMA, m.HIKARI]
    assert all(
        r["承認日"].protection.locked and r["再委託業務内容"].protection.locked for r in subs
    )

    # 報告: one row per item of each ① form 4 (contractor and both subcontractors), then the
    # ledger's ② answers; wording shown, key locked, 回答 and 備考 open.
    report = table(wb["報告"])
    first = [i for i in load_checklist(4) if "①" in i.timings]
    listed = [r for r in report if r["時期"].value == "①"]
    assert len(listed) == 3 * len(first)
    assert [r["再委託先名称"].value for r in listed[:: len(first)]] == [None, m.TAMA, m.HIKARI]
    one = listed[0]
    assert (one["様式"].value, one["項目番号"].value) == (4, first[0].no)
    assert one["確認項目"].value == first[0].text
    assert one["項目番号"].protection.locked and one["確認項目"].protection.locked
    assert not one["回答"].protection.locked and not one["備考"].protection.locked
    assert one["回答"].value is None
    old = [r for r in report if r["時期"].value == "②"]
    assert [(r["項目番号"].value, r["回答"].value, r["備考"].value) for r in old] == [
        (a["項目番号"], a["回答"], a.get("備考")) for a in m.OLD_ANSWERS
    ]
    assert old[0]["確認項目"].value == load_checklist(4)[0].text
    assert validations(wb["報告"])["回答"].formula1 == '"はい,いいえ,該当なし"'

    # Rows may be inserted and deleted on the contractor's sheets, not on 契約.
    for name in ("従事者", "研修", "再委託", "廃棄", "報告"):
        p = wb[name].protection
        assert p.sheet and not p.insertRows and not p.deleteRows, name
    assert wb["契約"].protection.insertRows and wb["契約"].protection.deleteRows
    prompt = validations(wb["従事者"])["契約番号"].prompt
    assert "空欄は「R7-001」の行です" in prompt
    guide = "\n".join(str(c.value) for r in wb["記入方法"].iter_rows() for c in r if c.value)
    assert "様式第4号-①" in guide and m.HIKARI in guide and "行は挿入・削除できます" in guide


def test_the_default_window_lists_the_reports_due_within_90_days(full_ledger: Path) -> None:
    prefill = load_prefill(full_ledger, "R7-001", today=date(2026, 3, 1))
    shown = {(s.label, s.subcontractor, s.date) for s in prefill.reports}
    assert ("様式第4号-②", None, date(2026, 4, 1)) in shown  # due within 90 days
    assert ("様式第4号-①", None, date(2025, 3, 25)) in shown  # past ones stay listed
    assert not any(s.date and s.date > date(2026, 5, 30) for s in prefill.reports)
    assert prefill.window == (None, date(2026, 5, 30))


def test_a_blank_contract_id_in_a_one_contract_workbook_is_that_contract(
    full_ledger: Path, tmp_path: Path
) -> None:
    out = write_input_workbook(
        tmp_path / "R7-001.xlsx", prefill=load_prefill(full_ledger, "R7-001")
    )
    wb = load_workbook(out)
    fill(
        wb["従事者"], [{"氏名": "空欄 契約", "重要情報取扱": "有", "研修受講日": date(2025, 3, 20)}]
    )
    wb.save(out)
    records = read_workbook(out)
    assert not [p for p in records.problems if p.sheet == "従事者" and p.severity.value == "error"]
    assert next(s for s in records.staff if s.name == "空欄 契約").contract_id == "R7-001"


def test_a_blank_workbook_lists_every_item_read_only(blank: Path) -> None:
    wb = load_workbook(blank)
    ws = wb["確認項目一覧"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3) if r[0].value in (4, 5)]
    expected = [(f, i.no, i.text) for f in (4, 5) for i in load_checklist(f)]
    assert [(r[0], r[1], r[4]) for r in rows] == expected
    assert ws.protection.sheet
    assert "確認項目一覧" in "\n".join(
        str(c.value) for r in wb["記入方法"].iter_rows() for c in r if c.value
    )


def test_init_never_writes_over_the_ledger(full_ledger: Path, cli: Any) -> None:
    before = full_ledger.read_bytes()
    done = cli("init", full_ledger, "--from", full_ledger, "--contract", "R7-001", "--force")
    assert done.code == 2 and "台帳" in done.err
    assert full_ledger.read_bytes() == before


def test_check_on_a_returned_workbook_says_what_each_form_still_lacks(
    full_ledger: Path, tmp_path: Path, cli: Any
) -> None:
    from tests import test_merge as m

    out = write_input_workbook(
        tmp_path / "R7-001.xlsx",
        prefill=load_prefill(
            full_ledger, "R7-001", date_from=date(2025, 3, 1), date_to=date(2025, 3, 31)
        ),
    )
    wb = load_workbook(out)
    wb["研修"].delete_rows(2)  # the contractor's own session (the subcontractor's stays)
    report = wb["報告"]
    for r in range(2, 7):  # items 1–5 of the contractor's 様式第4号-①
        m.set_cell(report, r, "回答", "はい")
    wb.save(out)

    records = read_workbook(out)
    rows = {
        (c.submission.label, c.submission.subcontractor): c for c in coverage(records, "R7-001")
    }
    own3 = rows[("様式第3号", None)]
    assert own3.sheets == ("従事者", "研修")
    assert "開始日（2025-04-01）までに実施した研修の行がありません" in own3.missing
    assert rows[("様式第3号", m.TAMA)].missing == ""  # its own session is still there
    own4 = rows[("様式第4号-①", None)]
    # Not system development: the item that applies only to it prints 該当なし by itself.
    items = [
        i.no for i in load_checklist(4) if "①" in i.timings and i.na_unless != "system_development"
    ]
    assert own4.rows == 5 and own4.missing.startswith(f"未回答 {len(items) - 5} 項目（")
    assert own4.missing.endswith(f"{items[-1]}）") and f"（{items[5]}" in own4.missing
    assert rows[("様式第2号", None)].rows == 3 and rows[("様式第2号", None)].missing == ""
    assert rows[("様式第1号", None)].rows == 1
    done = cli("check", out)
    assert done.code == 0 and "契約「R7-001」の様式と入力の状況" in done.out


# ---- LibreOffice ----


def soffice_convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert with a throw-away LibreOffice profile; fails on any load error."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    assert exe
    profile = (outdir / "profile").as_uri()
    done = subprocess.run(
        [
            exe,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    target = outdir / f"{src.stem}.{fmt.split(':')[0]}"
    assert target.exists(), f"LibreOffice could not load {src.name}: {done.stdout} {done.stderr}"
    return target


@pytest.mark.soffice
def test_libreoffice_opens_it_and_keeps_the_validations(tmp_path: Path, master: Path) -> None:
    src = write_input_workbook(tmp_path / "R7-002.xlsx", prefill=load_prefill(master, "R7-002"))
    pdf = soffice_convert(src, "pdf", tmp_path / "pdf")
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "記入方法" in text and "契約番号" in text and "架空窓口業務委託" in text
    saved = soffice_convert(src, "xlsx", tmp_path / "lo")
    before, after = load_workbook(src), load_workbook(saved)
    assert after.sheetnames == before.sheetnames
    for sheet in SHEETS:
        was, now = validations(before[sheet.name]), validations(after[sheet.name])
        assert set(now) == set(was)
        for header, dv in was.items():
            got = now[header]
            assert got.type == dv.type and got.promptTitle == dv.promptTitle, (sheet.name, header)
            if dv.type:  # a bare input message comes back with a meaningless formula "0"
                assert (got.formula1, got.errorStyle) == (dv.formula1, "stop"), (sheet.name, header)
    assert {n: d.attr_text.replace("'", "") for n, d in after.defined_names.items()} == {
        "契約番号一覧": "契約!$A$2:$A$2",
        "再委託先一覧": "再委託!$B$2:$B$1000",
    }
    assert after["契約"].protection.sheet
    # What merge needs survives a save in LibreOffice: the contract the workbook is for, and
    # row insert/delete allowed on the contractor's sheets.
    assert after.properties.subject == "R7-002"
    assert not after["従事者"].protection.insertRows and not after["従事者"].protection.deleteRows
    # Saved by LibreOffice and returned untouched, it changes nothing in the ledger.
    merged = merge_workbooks(master, [saved], out=tmp_path / "統合.xlsx")
    assert (merged.conflicts, merged.changes) == ((), ())
    assert after["契約"]["I2"].protection.locked and not after["契約"]["P2"].protection.locked
    assert CONTRACT.headers[15] == "責任者氏名"


@pytest.mark.soffice
def test_a_prefilled_workbook_saved_by_libreoffice_merges_without_a_change(
    tmp_path: Path, full_ledger: Path
) -> None:
    """Dates, numbers and answers come back from Calc as the same values: no phantom change."""
    src = write_input_workbook(
        tmp_path / "R7-001.xlsx",
        prefill=load_prefill(
            full_ledger, "R7-001", date_from=date(2025, 3, 1), date_to=date(2026, 4, 30)
        ),
    )
    saved = soffice_convert(src, "xlsx", tmp_path / "lo")
    merged = merge_workbooks(full_ledger, [saved], out=tmp_path / "統合.xlsx")
    assert (merged.conflicts, merged.changes) == ((), ())
    assert len(merged.merged) == 1
