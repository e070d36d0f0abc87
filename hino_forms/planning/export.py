"""The plan written out: JSON (SPEC §4), CSV, the 提出予定一覧 workbook and an iCalendar file.

Library code: takes submissions, writes text or files, prints nothing. Every
writer speaks the same columns; ``submission_key`` names a submission by what
it is (not when it is due), so the pipeline can map submissions to the files
it rendered and a calendar event survives a change of date.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hino_forms.dates import format_wareki, format_wareki_year
from hino_forms.models import Contract, Problem, Status, Submission, Timing
from hino_forms.xlsx import append, display_width, is_formula_like

SCHEDULE_SHEET = "提出予定一覧"
PROBLEMS_SHEET = "問題"
HEADERS = (
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
)
FILE_HEADER = "ファイル"
PROBLEM_HEADERS = ("重要度", "シート", "セル", "契約番号", "内容")
BUNDLE_HEADER = "対象の綴り"  # the bundles a problem concerns (a run's 一覧 only)
REASON_SEPARATOR = "／"
UID_DOMAIN = "hino-forms"
_MAX_WIDTH = 60


def submission_key(submission: Submission) -> str:
    """A stable name for a submission: contract, form, timing, fiscal year, submitter, subcontractor.

    The date is left out on purpose, so a rescheduled submission keeps its key; a 随時
    submission is one of several of its kind, so its date is what names it.
    """
    return json.dumps(
        [
            submission.contract_id,
            submission.form,
            submission.timing.value,
            submission.fiscal_year,
            submission.submitter.value,
            submission.subcontractor,
            *(
                [submission.date.isoformat()]
                if submission.timing is Timing.CHANGE and submission.date
                else []
            ),
        ],
        ensure_ascii=False,
    )


def to_json(submissions: Iterable[Submission], problems: Iterable[Problem]) -> str:
    """The ``plan --format json`` document of SPEC §4: {"submissions": […], "problems": […]}."""
    document = {
        "submissions": [s.as_dict() for s in submissions],
        "problems": [p.as_dict() for p in problems],
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def write_csv(
    path: Path, submissions: Iterable[Submission], contracts: Mapping[str, Contract] | None = None
) -> None:
    """The schedule as CSV: UTF-8 with BOM (so Excel reads the Japanese), dates in ISO and 和暦.

    Text from the workbook that a spreadsheet would take for a formula is
    neutralised as OWASP recommends ("CSV injection"): a leading ' makes it text.
    """
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(HEADERS)
        for submission in submissions:
            row = _row(submission, contracts or {})
            row[5] = submission.date.isoformat() if submission.date else ""
            writer.writerow([csv_safe(v) for v in row])


def csv_safe(value: object) -> object:
    """A CSV field that no spreadsheet evaluates: text starting with = + - @ tab CR gets a '."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def write_xlsx(
    path: Path,
    submissions: Sequence[Submission],
    problems: Sequence[Problem],
    files: Mapping[str, str] | None = None,
    contracts: Mapping[str, Contract] | None = None,
    bundles_of: Callable[[Problem], str] | None = None,
) -> None:
    """The 提出予定一覧 workbook: one row per submission, and a 問題 sheet.

    ``files`` maps ``submission_key(submission)`` to the rendered file's path relative to the
    workbook; when given, a ファイル column links to it. ``bundles_of`` names the bundles
    a problem concerns; when given, the 問題 sheet has a column for them (warnings are
    never printed on a cover, so this is where the preparer finds them by bundle).
    """
    wb = Workbook()
    ws = wb.active
    ws.title = SCHEDULE_SHEET
    headers = HEADERS + ((FILE_HEADER,) if files is not None else ())
    append(ws, headers)
    date_col = HEADERS.index("提出日") + 1
    year_col = HEADERS.index("年度") + 1
    status_col = HEADERS.index("状態") + 1
    r = 1  # the header
    for submission in submissions:
        row: list[object] = _row(submission, contracts or {})
        target = files.get(submission_key(submission)) if files is not None else None
        if files is not None:  # the list of a run: say what became of each ready submission
            row.append(target or "")
            if submission.status is Status.READY:
                row[status_col - 1] = (
                    "作成済" if target else "作成できず（実行時のメッセージを参照）"
                )
        # Text from the workbook is written as text: never a live formula (=…) in the city's Excel.
        append(ws, row)
        r += 1
        ws.cell(r, date_col).number_format = "yyyy-mm-dd"
        ws.cell(r, year_col).number_format = '0"年度"'
        if target:
            cell = ws.cell(r, len(headers))
            cell.hyperlink = target
            cell.style = "Hyperlink"
    _finish(ws, widths={"提出日": 12})

    wp = wb.create_sheet(PROBLEMS_SHEET)
    append(wp, PROBLEM_HEADERS + ((BUNDLE_HEADER,) if bundles_of is not None else ()))
    for p in problems:
        line: list[object] = [p.severity.label, p.sheet, p.cell, p.contract_id or "", p.message]
        if bundles_of is not None:
            line.append(bundles_of(p))
        append(wp, line)
    _finish(wp)
    wb.save(path)


def write_ics(
    path: Path,
    submissions: Iterable[Submission],
    contracts: Mapping[str, Contract],
    *,
    stamp: datetime | None = None,
) -> None:
    """An iCalendar file: one all-day event per dated submission, UID stable across runs."""
    stamp = stamp or datetime.now(UTC)
    cal = Calendar()
    cal.add("prodid", "-//hino-forms//外部委託 様式提出予定//JA")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "外部委託 様式提出予定")
    for submission in submissions:
        if submission.date is None:
            continue  # pending: no day to put it on
        contract = contracts.get(submission.contract_id)
        ev = Event()
        ev.add("uid", event_uid(submission))
        ev.add("dtstamp", stamp)
        ev.add("dtstart", submission.date)
        ev.add("dtend", submission.date + timedelta(days=1))
        ev.add("summary", _summary(submission, contract))
        ev.add("description", _description(submission, contract))
        ev.add("transp", "TRANSPARENT")
        cal.add_component(ev)
    Path(path).write_bytes(cal.to_ical())


def event_uid(submission: Submission) -> str:
    """The calendar UID: a hash of submission_key (no date) @hino-forms."""
    digest = hashlib.sha256(submission_key(submission).encode("utf-8")).hexdigest()[:32]
    return f"{digest}@{UID_DOMAIN}"


def _summary(submission: Submission, contract: Contract | None) -> str:
    parts = [submission.label, submission.contract_id]
    if contract is not None:
        parts.append(contract.work_name)
    text = " ".join(parts)
    return f"{text}（{submission.subcontractor}）" if submission.subcontractor else text


def _description(submission: Submission, contract: Contract | None) -> str:
    lines = [f"{submission.label} {submission.title}", f"時期: {_timing(submission)}"]
    if submission.fiscal_year is not None:
        lines.append(f"年度: {format_wareki_year(submission.fiscal_year)}")
    lines.append(f"提出日: {format_wareki(submission.date)}")
    if contract is not None:
        lines += [
            f"契約: {contract.contract_id} {contract.work_name}",
            f"受託者: {contract.contractor_name}",
            f"担当課: {contract.department}",
        ]
    lines.append(f"提出者: {submission.submitter.label}")
    if submission.subcontractor:
        lines.append(f"再委託先: {submission.subcontractor}")
    lines.append("根拠:")
    lines += [f"・{r}" for r in submission.reasons]
    return "\n".join(lines)


def _timing(submission: Submission) -> str:
    return submission.filing.label


def _row(submission: Submission, contracts: Mapping[str, Contract]) -> list[object]:
    """One schedule row in HEADERS order; 提出日 as a date (the CSV writer turns it to ISO)."""
    contract = contracts.get(submission.contract_id)
    return [
        submission.contract_id,
        contract.work_name if contract else "",
        submission.label,
        submission.title,
        _timing(submission),
        submission.date,
        format_wareki(submission.date) if submission.date else "未定",
        submission.fiscal_year,
        submission.submitter.label,
        submission.subcontractor or "",
        submission.status.label,
        REASON_SEPARATOR.join(submission.reasons),
    ]


def _display_width(value: object) -> int:
    """Columns a value takes on screen: full-width characters count twice."""
    if isinstance(value, date):
        return 10
    return display_width("" if value is None else str(value))


def _finish(ws: Worksheet, widths: Mapping[str, int] | None = None) -> None:
    """Bold frozen header, autofilter over the table, widths from the content (capped)."""
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for i, column in enumerate(ws.iter_cols(values_only=True), start=1):
        header = str(column[0])
        width = (widths or {}).get(header) or max(_display_width(v) for v in column) + 2
        ws.column_dimensions[get_column_letter(i)].width = min(width, _MAX_WIDTH)
