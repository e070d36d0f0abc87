"""The command line: the only place that parses arguments or prints.

Each command lives in its own module of this package and registers itself on
``app`` (``cli/app.py``); ``main`` turns the project's exceptions into one clean line and an
exit code, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from enum import Enum

import typer
from typer.core import TyperGroup

from hino_forms.cli import check, generate, init, plan, serve, templates  # registers each command
from hino_forms.cli.app import app, console, err_console
from hino_forms.cli.streams import use_utf8_when_redirected
from hino_forms.errors import HinoFormsError

# Recent typer releases bundle their own click as typer._click; older ones run on the click package.
try:
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    import click.exceptions as click_errors  # type: ignore[no-redef]

__all__ = ["app", "check", "generate", "init", "main", "plan", "serve", "templates"]


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; errors become one Japanese line on stderr and their exit code."""
    use_utf8_when_redirected()
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        code = app(args=args, prog_name="hino-forms", standalone_mode=False)
    except HinoFormsError as err:
        _fail(str(err), err.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        code = 130
    except click_errors.ClickException as err:  # usage errors and the like: never English
        no_args_is_help = getattr(click_errors, "NoArgsIsHelpError", ())
        if isinstance(err, no_args_is_help):  # a bare command: its help is the answer
            console.print(err.format_message(), markup=False, highlight=False)
            sys.exit(0)
        _fail(f"{usage_message(err, args)}（使い方: hino-forms --help）", 2)
    if code == 130:  # Ctrl-C (and SIGTERM/SIGHUP in generate); typer's own exit 130 is silent
        _fail("中断しました。出力フォルダには完成したものだけが残っています。", 130)
    sys.exit(code if isinstance(code, int) else 0)


def _fail(message: str, code: int) -> None:
    err_console.print(f"エラー: {message}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)


def usage_message(err: click_errors.ClickException, argv: Sequence[str] = ()) -> str:
    """A command-line usage error in Japanese, from the error's type and the parameter it names."""
    param = getattr(err, "param", None)
    opts: list[str] = list(getattr(param, "opts", None) or [])
    is_option = getattr(param, "param_type_name", "") == "option"
    name = (
        opts[0]
        if is_option and opts
        else str(getattr(param, "metavar", None) or getattr(param, "name", "") or "").upper()
    )
    if isinstance(err, click_errors.MissingParameter):
        return f"{name} を指定してください"
    if isinstance(err, click_errors.NoSuchOption):
        return f"オプション {err.option_name} はありません"
    if isinstance(err, click_errors.BadOptionUsage):
        return f"{err.option_name} には値を指定してください"
    if isinstance(err, click_errors.BadParameter):
        return _bad_value(name, param, _given(argv, opts))
    group = getattr(err, "cmd", None)
    if isinstance(group, TyperGroup):
        return f"コマンド '{_unknown_command(group.name or '', argv)}' はありません"
    return f"コマンドラインの指定が正しくありません（{err.format_message()}）"


def _bad_value(name: str, param: object, given: str | None) -> str:
    """The message for a value typer could not convert: the choices, or the number range."""
    shown = f"（指定された値: {given}）" if given is not None else ""
    descriptor = getattr(param, "type_descriptor", None)
    annotation = getattr(descriptor, "annotation", None)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        choices = "・".join(str(m.value) for m in annotation)
        return f"{name} には {choices} のいずれかを指定してください{shown}"
    if annotation is int:
        low, high = getattr(param, "min", None), getattr(param, "max", None)
        if given is not None and _is_int(given) and (low is not None or high is not None):
            bounds = "".join(
                (
                    f"{low} 以上" if low is not None else "",
                    f"{high} 以下" if high is not None else "",
                )
            )
            return f"{name} には {bounds}の数字を指定してください{shown}"
        return f"{name} には数字を指定してください{shown}"
    return f"{name} の値が正しくありません{shown}"


def _is_int(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def _given(argv: Sequence[str], opts: Sequence[str]) -> str | None:
    """The value typed for an option (``--jobs 0`` or ``--jobs=0``; the last one wins)."""
    found = None
    for i, arg in enumerate(argv):
        for opt in opts:
            if arg == opt and i + 1 < len(argv):
                found = argv[i + 1]
            elif arg.startswith(f"{opt}="):
                found = arg[len(opt) + 1 :]
    return found


def _unknown_command(group: str, argv: Sequence[str]) -> str:
    """The word typed where ``group`` expected one of its commands."""
    words = [a for a in argv if not a.startswith("-")]
    if group in words:
        words = words[words.index(group) + 1 :]
    return words[0] if words else ""
