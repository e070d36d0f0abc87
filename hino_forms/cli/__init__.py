"""The command line: the only place that parses arguments or prints.

Each command lives in its own module of this package and registers itself on
``app``; ``main`` turns the project's exceptions into one clean line and an
exit code, never a traceback.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from hino_forms.errors import HinoFormsError

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

console = Console()
err_console = Console(stderr=True)

# Registering the commands (import for the side effect).
from hino_forms.cli import check as _check  # noqa: E402,F401
from hino_forms.cli import generate as _generate  # noqa: E402,F401
from hino_forms.cli import init as _init  # noqa: E402,F401
from hino_forms.cli import plan as _plan  # noqa: E402,F401
from hino_forms.cli import templates as _templates  # noqa: E402,F401


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; project errors become one line on stderr and their exit code."""
    try:
        app(args=argv, prog_name="hino-forms", standalone_mode=True)
    except HinoFormsError as err:
        err_console.print(f"エラー: {err}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(err.exit_code)
    except KeyboardInterrupt:
        err_console.print("中断しました。出力フォルダには完成したものだけが残っています。")
        sys.exit(130)
