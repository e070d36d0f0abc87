"""The `init` and `merge` commands: the input workbook contractors fill, and folding it back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hino_forms.cli.app import app, console
from hino_forms.contractor.blank import load_prefill, write_input_workbook
from hino_forms.contractor.merge import MergeReport, merge_workbooks
from hino_forms.errors import BadOption


@app.command()
def init(
    out: Annotated[Path, typer.Argument(help="作成する入力ブック（.xlsx）")],
    master: Annotated[
        Path | None,
        typer.Option("--from", help="市の台帳ブック: --contract の契約を記入済みにする"),
    ] = None,
    contract: Annotated[
        str | None, typer.Option("--contract", help="記入済みにする契約番号（--from と一緒に）")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="既にあるファイルを上書きする")] = False,
) -> None:
    """受託者が記入する入力ブックを作ります。

    \b
    例: python -m hino_forms init 入力ブック.xlsx
        python -m hino_forms init R7-001.xlsx --from 台帳.xlsx --contract R7-001
    """
    if (master is None) != (contract is None):
        raise BadOption(
            "--from と --contract は一緒に指定してください（例: --from 台帳.xlsx --contract R7-001）"
        )
    prefill = (
        load_prefill(master, contract) if master is not None and contract is not None else None
    )
    write_input_workbook(out, prefill=prefill, force=force)
    if prefill is None:
        console.print(f"入力ブックを作成しました: {out}", markup=False, highlight=False)
    else:
        console.print(
            f"契約番号「{prefill.contract_id}」（{prefill.work_name}）の入力ブックを作成しました: {out}\n"
            "市が記入した欄は保護されています（パスワードなし）。受託者へ送ってください。",
            markup=False,
            highlight=False,
        )


@app.command()
def merge(
    master: Annotated[Path, typer.Argument(help="市の台帳ブック（変更しません）")],
    returned: Annotated[
        list[Path], typer.Argument(help="受託者から返送された入力ブック（複数可）")
    ],
    out: Annotated[Path, typer.Option("--out", help="統合した結果を書き出すブック")],
    force: Annotated[bool, typer.Option("--force", help="既にある --out を上書きする")] = False,
) -> None:
    """返送された入力ブックを台帳ブックに統合し、別のファイルに書き出します。

    \b
    例: python -m hino_forms merge 台帳.xlsx R7-001.xlsx R7-002.xlsx --out 台帳_統合.xlsx
    """
    report = merge_workbooks(master, returned, out=out, force=force)
    console.print(summary(report), markup=False, highlight=False)
    if report.conflicts:
        raise typer.Exit(1)


def summary(report: MergeReport) -> str:
    """The Japanese summary printed after ``merge``."""
    lines = [f"統合結果を書き出しました: {report.out}（元の台帳ブックは変更していません）"]
    if report.merged:
        lines.append(f"取り込んだ契約: {len(report.merged)}件")
    for m in report.merged:
        sheets = "、".join(f"{name} {n}行" for name, n in m.rows.items()) or "行の取り込みなし"
        line = f"  {m.contract_id}（{m.source.name}）: {sheets}"
        if m.contract_columns:
            line += f"。契約シートの {'・'.join(m.contract_columns)} を更新"
        lines.append(line)
    if report.merged:
        lines.append("  ※返送ブックで空だったシートは、台帳の行をそのまま残しています。")
    if report.conflicts:
        lines.append(f"取り込まなかったもの: {len(report.conflicts)}件（台帳の内容はそのままです）")
    for c in report.conflicts:
        who = f"{c.contract_id}（{c.source.name}）" if c.contract_id else c.source.name
        lines.append(f"  {who}: {c.message}")
    lines.extend(f"注意: {n}" for n in report.notes)
    if not report.merged and not report.conflicts:
        lines.append("取り込む契約はありませんでした。")
    return "\n".join(lines)
