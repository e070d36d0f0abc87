"""The `templates` command(s): `templates check [DIR]` lints docxtpl templates."""

from __future__ import annotations

from pathlib import Path

import typer

from hino_forms.cli.app import console, templates_app
from hino_forms.errors import BadOption


@templates_app.command("check")
def check(
    directory: Path | None = typer.Argument(
        None, help="点検するテンプレートのフォルダ（省略時は同梱の templates/）。"
    ),
) -> None:
    """テンプレートの Jinja 構文と、データにない変数を点検します。

    例: python -m hino_forms templates check my_templates/
    問題がなければ終了コード 0、あれば一覧を表示して 1。
    """
    from hino_forms.forms.lint import check_directory

    if directory is not None and not directory.is_dir():
        raise BadOption(
            f"テンプレートのフォルダ「{directory}」がありません。フォルダを指定してください。"
        )
    checked, issues = check_directory(directory)
    where = str(directory) if directory is not None else "同梱の templates/"
    if not checked and not issues:
        console.print(
            f"{where} に点検するテンプレート（form1.docx … form7.docx, cover.docx）がありません。",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return
    for issue in issues:
        console.print(issue.message, markup=False, highlight=False, soft_wrap=True)
        for line in issue.context:
            console.print(f"    | {line}", markup=False, highlight=False, soft_wrap=True)
    if issues:
        console.print(
            f"{len(issues)} 件の問題があります（{where}、{len(checked)} テンプレート）。",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1)
    console.print(
        f"問題ありません（{where}、{len(checked)} テンプレート: {', '.join(checked)}）。",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
