"""The `check` command: validate an input workbook and list its problems with their cells."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from hino_forms.cli.app import app, console
from hino_forms.contractor.coverage import coverage
from hino_forms.models import Records, Severity
from hino_forms.workbook.reader import read_workbook


@app.command()
def check(
    input: Annotated[
        Path, typer.Argument(help="入力ブック（.xlsx）", show_default=False, metavar="INPUT")
    ],
) -> None:
    """入力ブックを点検し、問題をシート・セルごとに一覧します（何も作成しません）。

    終了コード: 0 エラーなし、1 エラーのある契約あり、2 ブックを使えない。

    例: python -m hino_forms check data/sample.xlsx
    """
    records = read_workbook(input)
    if records.problems:
        console.print(problems_table(records))
    if len(records.contracts) == 1:  # a contractor's workbook: what its rows feed, what is missing
        console.print(coverage_table(records, records.contracts[0].contract_id))
    console.print(summary_line(records), markup=False, highlight=False)
    if records.has_errors:
        raise typer.Exit(1)


def problems_table(records: Records) -> Table:
    """The problems as a rich table: 重大度, 場所 (廃棄!K2), 契約番号, 内容."""
    table = Table(title="入力ブックの問題", title_justify="left", show_lines=False)
    table.add_column("重大度", no_wrap=True)
    table.add_column("場所", no_wrap=True)
    table.add_column("契約番号", no_wrap=True)
    table.add_column("内容", overflow="fold")
    for p in records.problems:
        style = "red" if p.severity is Severity.ERROR else "yellow"
        # Text(), not str: workbook text may contain [brackets] that rich would read as markup.
        cells = (
            p.severity.label,
            p.where,
            p.contract_id or "—",
            p.text,
        )
        table.add_row(*(Text(c) for c in cells), style=style)
    return table


def coverage_table(records: Records, contract_id: str) -> Table:
    """The contract's forms: when, whose, the rows that feed each, and what each still lacks."""
    table = Table(
        title=f"契約「{contract_id}」の様式と入力の状況", title_justify="left", show_lines=False
    )
    for header in ("提出日", "様式", "提出者", "入力（シート）", "不足"):
        table.add_column(header, overflow="fold", no_wrap=header in ("提出日", "様式"))
    for c in coverage(records, contract_id):
        s = c.submission
        cells = (
            s.date.isoformat() if s.date else "未定",
            s.label,
            s.subcontractor or "受託者",
            f"{c.rows}行（{'・'.join(c.sheets)}）",
            c.missing or "なし",
        )
        table.add_row(*(Text(x) for x in cells), style="yellow" if c.missing else None)
    return table


def summary_line(records: Records) -> str:
    """契約 N 件、エラー N 件、警告 N 件 (and how many contracts are left out)."""
    errors = sum(p.severity is Severity.ERROR for p in records.problems)
    warnings = len(records.problems) - errors
    line = f"契約 {len(records.contracts)} 件、エラー {errors} 件、警告 {warnings} 件"
    failed = len(records.failed_contract_ids & {c.contract_id for c in records.contracts})
    if failed:
        line += f"（エラーのある契約 {failed} 件は様式を作成しません）"
    return line
