"""The `plan` command: which form is due when, as a table, JSON (SPEC §4), CSV, xlsx or iCalendar."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Sequence
from enum import Enum
from itertools import groupby
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from hino_forms.atomic import atomic_write
from hino_forms.cli.app import app, console
from hino_forms.cli.options import ContractOption, FromOption, TimingOption, ToOption, selection
from hino_forms.dates import format_wareki
from hino_forms.errors import BadOption, OutputExists, OutputIsInput
from hino_forms.models import Problem, Severity, Submission
from hino_forms.planning import export as schedule


class PlanFormat(str, Enum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"
    ICS = "ics"


FILE_FORMATS = (PlanFormat.CSV, PlanFormat.XLSX, PlanFormat.ICS)


@app.command()
def plan(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="入力ブック (.xlsx)")],
    format: Annotated[
        PlanFormat, typer.Option("--format", help="出力の形式", case_sensitive=False)
    ] = PlanFormat.TABLE,
    out: Annotated[
        Path | None, typer.Option("--out", help="書き出すファイル（csv・xlsx・ics では必須）")
    ] = None,
    contract: ContractOption = None,
    timing: TimingOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    force: Annotated[bool, typer.Option("--force", help="既にある --out を上書きする")] = False,
) -> None:
    """提出予定（どの契約が・どの様式を・いつ提出するか）を表示・出力する。

    終了コード: 0 問題なし / 1 エラーのある契約がある（その契約は予定から除外） / 2 入力が使えない。
    承認待ち（承認日未入力）の様式第7号は、日付の範囲にかかわらず表示します。

    例: python -m hino_forms plan data/sample.xlsx --format json --from 2026-04-01 --to 2026-04-30
    """
    if format in FILE_FORMATS and out is None:
        raise BadOption(f"--format {format.value} では --out で書き出すファイルを指定してください")
    if format is PlanFormat.TABLE and out is not None:
        raise BadOption(
            "--format table は画面に表示します。ファイルに書くには json・csv・xlsx・ics を指定してください"
        )
    chosen = selection(contract, timing, date_from, date_to)
    if out is not None:
        _check_out(out, input_path, force)

    from hino_forms.workbook.reader import (
        read_workbook,  # the reader pulls in openpyxl; load it on use
    )

    records = read_workbook(input_path)
    chosen.check(records)
    submissions = chosen.submissions(records)
    problems = chosen.problems(records)
    contracts = {c.contract_id: c for c in records.contracts}

    writers: dict[PlanFormat, Callable[[Path], object]] = {
        PlanFormat.JSON: lambda p: p.write_text(
            schedule.to_json(submissions, problems) + "\n", encoding="utf-8"
        ),
        PlanFormat.CSV: lambda p: schedule.write_csv(p, submissions, contracts),
        PlanFormat.XLSX: lambda p: schedule.write_xlsx(
            p, submissions, problems, contracts=contracts
        ),
        PlanFormat.ICS: lambda p: schedule.write_ics(p, submissions, contracts),
    }
    try:
        if format is PlanFormat.TABLE:
            _print_table(submissions, problems)
        elif out is None:  # JSON to the terminal (the file formats were checked to have --out)
            sys.stdout.write(schedule.to_json(submissions, problems) + "\n")
        else:
            # Owner-only (it names staff), and never half a file over the user's old one.
            with atomic_write(out, private=True) as tmp:
                writers[format](tmp)
    except OSError as err:
        raise BadOption(f"{out} に書き込めません（{err.strerror or err}）") from None
    if out is not None:
        console.print(
            f"提出予定 {len(submissions)} 件を {out} に書き出しました。"
            f"{_problem_summary(problems)}",
            markup=False,
            highlight=False,
        )
    if any(p.severity is Severity.ERROR for p in problems):
        raise typer.Exit(code=1)


def _check_out(out: Path, input_path: Path, force: bool) -> None:
    """--out never replaces the input workbook, nor any file without --force."""
    if not out.parent.is_dir():
        raise BadOption(f"出力先のフォルダ {out.parent} がありません。先に作成してください")
    if out.resolve() == input_path.resolve() or (
        out.exists() and input_path.exists() and out.samefile(input_path)
    ):
        raise OutputIsInput(out)
    if out.is_dir():
        raise BadOption(f"--out {out} はフォルダです。書き出すファイルの名前を指定してください")
    if out.exists() and not force:
        raise OutputExists(out)


def _problem_summary(problems: Sequence[Problem]) -> str:
    counts = Counter(p.severity for p in problems)
    if not counts:
        return ""
    return (
        f"（エラー {counts[Severity.ERROR]} 件・警告 {counts[Severity.WARNING]} 件。"
        "詳しくは check コマンドで）"
    )


def _print_table(submissions: Sequence[Submission], problems: Sequence[Problem]) -> None:
    """The schedule grouped by date (和暦), then totals per form, then the problems."""
    table = Table(title=f"提出予定（{len(submissions)} 件）", title_justify="left")
    for header in ("提出日", "契約番号", "様式", "時期", "提出者", "再委託先", "状態"):
        # Japanese has no spaces to break at: fold long cells rather than cut them off.
        table.add_column(header, no_wrap=header in ("提出日", "様式"), overflow="fold")
    for day, group in groupby(submissions, key=lambda s: s.date):
        for i, s in enumerate(group):
            shown = (format_wareki(day) if day else "未定") if i == 0 else ""
            table.add_row(
                shown,
                s.contract_id,
                s.label,
                s.filing.label,
                s.submitter.label,
                s.subcontractor or "",
                s.status.label,
            )
        table.add_section()
    console.print(table)

    totals = Table(title="様式ごとの件数", title_justify="left")
    totals.add_column("様式")
    totals.add_column("件数", justify="right")
    counts = Counter(s.form for s in submissions)
    for form in sorted(counts):
        totals.add_row(f"{form.label} {form.title}", str(counts[form]))
    totals.add_section()
    totals.add_row("合計", str(len(submissions)))
    console.print(totals)

    for p in problems:
        console.print(f"{p.severity.label} {p.message}", markup=False, highlight=False)
    if any(p.severity is Severity.ERROR for p in problems):
        console.print("エラーのある契約は予定から除いています。", markup=False, highlight=False)
