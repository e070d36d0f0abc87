"""The command line: the only place that parses arguments or prints.

Each command lives in its own module of this package and registers itself on
``app`` (``cli/app.py``); ``main`` turns the project's exceptions into one clean line and an
exit code, never a traceback.
"""

from __future__ import annotations

import re
import sys

import typer

from hino_forms.cli import check, generate, init, plan, serve, templates  # registers each command
from hino_forms.cli.app import app, console, err_console
from hino_forms.errors import HinoFormsError

__all__ = ["app", "check", "generate", "init", "main", "plan", "serve", "templates"]


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; errors become one Japanese line on stderr and their exit code."""
    try:
        code = app(args=argv, prog_name="hino-forms", standalone_mode=False)
    except HinoFormsError as err:
        _fail(str(err), err.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        _fail("中断しました。出力フォルダには完成したものだけが残っています。", 130)
    except Exception as err:
        if not hasattr(err, "format_message"):  # not a usage error: a real bug, keep its traceback
            raise
        if type(err).__name__ == "NoArgsIsHelpError":  # a bare command: its help is the answer
            console.print(err.format_message(), markup=False, highlight=False)
            sys.exit(0)
        _fail(f"{usage_message(err)}（使い方: hino-forms --help）", 2)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    err_console.print(f"エラー: {message}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)


def usage_message(err: Exception) -> str:
    """A command-line usage error (typer's bundled click) in Japanese."""
    kind = type(err).__name__
    param = getattr(err, "param", None)
    name = ""
    if param is not None:
        opts = getattr(param, "opts", None) or []
        is_option = getattr(param, "param_type_name", "") == "option"
        name = (
            opts[0]
            if is_option and opts
            else (getattr(param, "metavar", None) or str(param.name).upper())
        )
    if kind == "MissingParameter":
        return f"{name} を指定してください"
    if kind == "NoSuchOption":
        return f"オプション {getattr(err, 'option_name', '')} はありません"
    if kind in ("BadParameter", "BadOptionUsage"):
        detail = err.format_message()  # type: ignore[attr-defined]
        if m := re.search(r"'([^']*)' is not one of (.+?)\.?$", detail):
            names = "・".join(re.findall(r"'([^']*)'", m[2]))
            return f"{name} には {names} のいずれかを指定してください（指定された値: {m[1]}）"
        if "integer" in detail:
            return f"{name} には数字を指定してください"
        return f"{name} の値が正しくありません（{err.format_message()}）"  # type: ignore[attr-defined]
    message = err.format_message()  # type: ignore[attr-defined]
    if message.startswith("No such command"):
        return f"コマンド {message.split(' ', 3)[-1].rstrip('.')} はありません"
    return message
