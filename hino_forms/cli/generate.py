"""The `generate` command: the main job."""

from __future__ import annotations

import contextlib
import getpass
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from hino_forms.cli.app import app, console, err_console
from hino_forms.cli.options import ContractOption, FromOption, TimingOption, ToOption, selection
from hino_forms.errors import BadOption, EncryptWithoutPdf
from hino_forms.output.folder import SCHEDULE

if TYPE_CHECKING:
    from hino_forms.output.pipeline import Options, Summary

STAGE_NAMES = {"render": "Word 作成", "convert": "PDF 変換", "bundle": "綴り作成"}
SHOWN_PROBLEMS = 20  # problems printed one by one; the rest are counted (all are in the 一覧)


class _Bars:
    """Progress on a terminal: one rich bar per stage with counts."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._tasks: dict[str, TaskID] = {}

    def stage(self, name: str, total: int) -> None:
        self._tasks[name] = self._progress.add_task(STAGE_NAMES.get(name, name), total=total)

    def advance(self, name: str, n: int = 1) -> None:
        if name in self._tasks:
            self._progress.advance(self._tasks[name], n)


class _Lines:
    """Progress when output is not a terminal: a plain line at each stage and every 10 %."""

    def __init__(self) -> None:
        self._totals: dict[str, int] = {}
        self._done: dict[str, int] = {}

    def stage(self, name: str, total: int) -> None:
        self._totals[name], self._done[name] = total, 0
        print(f"{STAGE_NAMES.get(name, name)}: {total} 件", file=sys.stderr, flush=True)

    def advance(self, name: str, n: int = 1) -> None:
        total = self._totals.get(name, 0)
        before = self._done.get(name, 0)
        self._done[name] = now = before + n
        step = max(1, total // 10)
        if total and (now // step > before // step or now == total):
            label = STAGE_NAMES.get(name, name)
            print(f"{label}: {now}/{total}", file=sys.stderr, flush=True)


def _password(encrypt: bool, password_file: Path | None, account: str | None) -> str | None:
    """The bundle password from HINO_FORMS_PASSWORD, --password-file or a prompt; checked first."""
    if not encrypt:
        return None
    from hino_forms.password import check_password, read_password

    def ask() -> str:
        return getpass.getpass("PDF のパスワード: ")

    prompt = ask if sys.stdin.isatty() else None
    password = read_password(env=os.environ, password_file=password_file, prompt=prompt)
    check_password(password, account or getpass.getuser())
    return password


@app.command()
def generate(
    input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="入力ブック (.xlsx)")],
    out: Annotated[Path, typer.Option("--out", help="出力先フォルダ")] = Path("output"),
    contract: ContractOption = None,
    timing: TimingOption = None,
    date_from: FromOption = None,
    date_to: ToOption = None,
    pdf: Annotated[
        bool | None,
        typer.Option("--pdf/--no-pdf", help="PDF を作る（既定: LibreOffice があれば作る）"),
    ] = None,
    jobs: Annotated[int | None, typer.Option("--jobs", min=1, help="PDF 変換の並列数")] = None,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="市が編集したテンプレートのフォルダ")
    ] = None,
    encrypt: Annotated[
        bool, typer.Option("--encrypt", help="綴り PDF を AES-256 で暗号化")
    ] = False,
    password_file: Annotated[
        Path | None, typer.Option("--password-file", help="パスワードを書いたファイル")
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="パスワード規則で照合するアカウント名")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="既存の出力を置き換える")] = False,
    soffice: Annotated[
        Path | None,
        typer.Option(
            "--soffice",
            help="使う LibreOffice の soffice（既定: 環境変数 HINO_FORMS_SOFFICE、なければ自動で探す）",
        ),
    ] = None,
) -> None:
    """様式一式を作成する（Word・PDF・綴り・提出予定一覧・manifest.json）。

    例: python -m hino_forms generate data/sample.xlsx --out output --timing conclusion
    """
    from hino_forms.output.pipeline import Options  # heavy: only when run
    from hino_forms.output.pipeline import generate as run_generate

    if templates is not None and not templates.is_dir():
        raise BadOption(f"--templates のフォルダ {templates} がありません")
    if encrypt and pdf is False:  # before asking for a password: nothing could be encrypted
        raise EncryptWithoutPdf()
    options = Options(
        input_path=input_path,
        out=out,
        selection=selection(contract, timing, date_from, date_to),
        pdf=pdf,
        jobs=jobs,
        templates_dir=templates,
        password=_password(encrypt, password_file, account),
        force=force,
        soffice=soffice,
    )
    with _stop_signals_interrupt():
        summary = _run(options, run_generate)
    _report(summary, pdf_off=pdf is False)
    raise typer.Exit(0 if summary.ok else 1)


@contextlib.contextmanager
def _stop_signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP end the run as Ctrl-C does: LibreOffice stops, work files go, the
    output stays as it was, and the message says so (cli.main handles the interrupt)."""

    def interrupt(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    wanted = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers can only be set from the main thread (a web worker, a test)
        return
    previous = {s: signal.signal(s, interrupt) for s in wanted}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _run(options: Options, run_generate: Callable[..., Summary]) -> Summary:
    """The pipeline with progress drawn as bars on a terminal, as plain lines otherwise."""
    if console.is_terminal:
        columns = (
            TextColumn("{task.description:<8}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=console, transient=False) as bars:
            return run_generate(options, _Bars(bars))
    return run_generate(options, _Lines())


def _report(summary: Summary, *, pdf_off: bool) -> None:
    reason = (
        "--no-pdf が指定されたため PDF は作成しません" if pdf_off else summary.pdf_skipped_reason
    )
    if reason:
        err_console.print(f"注意: {reason}", markup=False, highlight=False)
    for cid in summary.skipped:
        err_console.print(
            f"スキップ: 契約 {cid} はエラーがあるため作成しませんでした（check で内容を確認してください）",
            markup=False,
            highlight=False,
        )
    for failure in summary.failures:
        err_console.print(f"失敗: {failure}", markup=False, highlight=False)
    # Warnings are the preparer's: they are printed here and listed in the 一覧 by bundle,
    # never on a cover or a form.
    for problem in summary.problems[:SHOWN_PROBLEMS]:
        err_console.print(
            f"{problem.severity.label}: {problem.message}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    if summary.problems:
        more = len(summary.problems) - SHOWN_PROBLEMS
        err_console.print(
            (f"（ほか {more} 件）" if more > 0 else "")
            + f"問題 {len(summary.problems)} 件は {summary.out / SCHEDULE} の「問題」シートに、"
            "関係する綴りの名前とともに載せています（check コマンドでも表示できます）。",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    console.print(summary.line(), markup=False, highlight=False, soft_wrap=True)
