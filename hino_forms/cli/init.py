"""The `init` and `merge` commands: the input workbook contractors fill, and folding it back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hino_forms.cli.app import app, console
from hino_forms.cli.options import parse_option_date
from hino_forms.contractor.blank import write_input_workbook
from hino_forms.contractor.changes import write_report
from hino_forms.contractor.merge import Action, MergeReport, merge_workbooks
from hino_forms.contractor.prefill import load_prefill
from hino_forms.contractor.returned import expand_returned
from hino_forms.errors import BadOption, OutputExists


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
    report_from: Annotated[
        str | None,
        typer.Option("--report-from", help="報告シートに並べる報告: この日以降に提出するもの"),
    ] = None,
    report_to: Annotated[
        str | None,
        typer.Option(
            "--report-to",
            help="報告シートに並べる報告: この日以前に提出するもの（既定: 90日後まで）",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="既にあるファイルを上書きする")] = False,
) -> None:
    """受託者が記入する入力ブックを作ります。

    --from と --contract で、台帳にあるその契約の内容（従事者・研修・再委託・廃棄・報告）を記入済みにし、提出する様式第4号・第5号の確認項目を報告シートに並べます。

    \b
    例: python -m hino_forms init 入力ブック.xlsx
        python -m hino_forms init R7-001.xlsx --from 台帳.xlsx --contract R7-001
    """
    if (master is None) != (contract is None):
        raise BadOption(
            "--from と --contract は一緒に指定してください（例: --from 台帳.xlsx --contract R7-001）"
        )
    if master is None and (report_from or report_to):
        raise BadOption("--report-from・--report-to は --from・--contract と一緒に指定してください")
    if out.exists() and not force:
        raise OutputExists(out)
    if master is not None and out.exists() and out.resolve() == master.resolve():
        raise BadOption(f"出力先 {out} が台帳ブックと同じです。別のファイル名を指定してください")
    prefill = None
    if master is not None and contract is not None:
        prefill = load_prefill(
            master,
            contract,
            date_from=parse_option_date(report_from, "--report-from"),
            date_to=parse_option_date(report_to, "--report-to"),
        )
    try:
        write_input_workbook(out, prefill=prefill, force=force)
    except OSError as err:
        raise BadOption(f"{out} に書き込めません（{err.strerror or err}）") from None
    if prefill is None:
        console.print(f"入力ブックを作成しました: {out}", markup=False, highlight=False)
        return
    items = len(prefill.rows.get("報告", ()))
    console.print(
        f"契約番号「{prefill.contract_id}」（{prefill.work_name}）の入力ブックを作成しました: {out}\n"
        f"台帳の内容を記入済みです。報告シートの確認項目: {items}行。"
        f"{prefill.note}\n"
        "市が記入した欄は保護されています（パスワードなし）。受託者へ送ってください。",
        markup=False,
        highlight=False,
    )


@app.command()
def merge(
    master: Annotated[Path, typer.Argument(help="市の台帳ブック（変更しません）")],
    returned: Annotated[
        list[str],
        typer.Argument(
            help="受託者から返送された入力ブック（複数可。返送*.xlsx のような指定も可）"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="統合した結果を書き出すブック")],
    report: Annotated[
        Path | None, typer.Option("--report", help="追加・変更・削除した行の一覧を書き出すブック")
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="返送ブックにない台帳の行を削除する（既定: 残して一覧に出す）"
        ),
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="既にある --out・--report を上書きする")
    ] = False,
) -> None:
    """返送された入力ブックを台帳ブックに統合し、別のファイルに書き出します。

    行は契約番号と氏名などで照合し、追加・変更した行を取り込みます。返送ブックにない台帳の行は残し（--replace で削除）、どちらも一覧に出します。

    \b
    例: python -m hino_forms merge 台帳.xlsx R7-001.xlsx R7-002.xlsx --out 台帳_統合.xlsx
        python -m hino_forms merge 台帳.xlsx "返送/*.xlsx" --out 台帳_統合.xlsx --report 統合結果.xlsx
    """
    paths = expand_returned(returned, exclude=[master, out, *([report] if report else [])])
    if report is not None:
        _check_report_path(report, [master, out, *paths], force)
    target = out
    try:
        result = merge_workbooks(master, paths, out=out, force=force, replace=replace)
        if report is not None:
            target = report
            write_report(result, report)
    except OSError as err:
        raise BadOption(f"{target} に書き込めません（{err.strerror or err}）") from None
    console.print(summary(result, report), markup=False, highlight=False)
    if result.conflicts:
        raise typer.Exit(1)


def _check_report_path(report: Path, inputs: list[Path], force: bool) -> None:
    if report.suffix.lower() != ".xlsx":
        raise BadOption(f"--report のファイル名は .xlsx で終わる必要があります: {report}")
    if any(report.resolve() == p.resolve() for p in inputs):
        raise BadOption(f"--report {report} が入力・出力のブックと同じです。別の名前にしてください")
    if not report.parent.is_dir():
        raise BadOption(
            f"--report の出力先フォルダ {report.parent} がありません。先に作成してください"
        )
    if report.exists() and not force:
        raise OutputExists(report)


def summary(report: MergeReport, report_path: Path | None = None) -> str:
    """The Japanese summary printed after ``merge``: every row touched, per workbook."""
    touched = report.changes
    if touched:
        lines = [f"統合結果を書き出しました: {report.out}（元の台帳ブックは変更していません）"]
    else:
        lines = [
            f"台帳と同じ内容を書き出しました: {report.out}（取り込む変更はありませんでした。"
            "元の台帳ブックは変更していません）"
        ]
    if report.merged:
        lines.append(f"取り込んだ契約: {len({m.contract_id for m in report.merged})}件")
    for m in report.merged:
        counts = "・".join(f"{a.label} {m.count(a)}行" for a in Action if m.count(a))
        lines.append(f"  {m.contract_id}（{m.source.name}）: {counts or '変更なし'}")
        for c in m.changes:
            where = c.cell or (f"台帳 {c.sheet} {c.ledger_row}行目" if c.ledger_row else c.sheet)
            detail = f": {c.detail}" if c.detail else ""
            lines.append(f"    {c.action.label} {where} {c.row}{detail}")
    if any(c.action is Action.KEPT for c in touched):
        lines.append(
            "  ※「台帳のみ（残した）」の行は返送ブックにありませんでした。"
            "不要なら --replace を付けて統合し直すと削除します。"
        )
    if report.conflicts:
        lines.append(f"取り込まなかったもの: {len(report.conflicts)}件（台帳の内容はそのままです）")
    for conflict in report.conflicts:
        source = conflict.source.name
        who = f"{conflict.contract_id}（{source}）" if conflict.contract_id else source
        lines.append(f"  {who}: {conflict.message}")
    lines.extend(f"注意: {n}" for n in report.notes)
    if report_path is not None:
        lines.append(f"一覧を書き出しました: {report_path}")
    return "\n".join(lines)
