"""The Typer application and the consoles every command prints to."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(
    name="hino-forms",
    help="日野市 外部委託の情報セキュリティ様式（第1号〜第7号）を Excel から作成します。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
templates_app = typer.Typer(help="テンプレート（templates/*.docx）の点検。", no_args_is_help=True)
app.add_typer(templates_app, name="templates")

console = Console(soft_wrap=True)  # messages are never broken mid-line; tables still fit the width
err_console = Console(stderr=True, soft_wrap=True)
