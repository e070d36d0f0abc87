"""Errors carry their data and word their own one-line Japanese message; the library never names a flag."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import pytest

from hino_forms import errors
from hino_forms.cli import app
from tests.conftest import ROOT

PACKAGE = ROOT / "hino_forms"


@pytest.mark.parametrize(
    ("err", "says"),
    [
        (
            errors.OutputExists(Path("out"), ["R7-001", "manifest.json"]),
            "出力先 out に既存の出力（R7-001、manifest.json）があります。何も変更していません。"
            "置き換える場合は --force を付けてください",
        ),
        (
            errors.OutputExists(Path("out"), [f"R7-00{i}" for i in range(1, 8)]),
            "（R7-001、R7-002、R7-003、R7-004、R7-005 ほか 2 件）",
        ),
        (errors.OutputExists(Path("a.xlsx")), "a.xlsx は既にあります。上書きするときは --force"),
        (errors.OutputBusy(Path("out")), "別の hino-forms が出力先 out に書き込み中です"),
        (errors.OutputIsInput(Path("台帳.xlsx")), "出力先 台帳.xlsx が入力のブックと同じです"),
        (
            errors.DatesReversed(date(2026, 5, 1), date(2026, 4, 1)),
            "--from（2026-05-01）が --to（2026-04-01）より後になっています",
        ),
        (
            errors.WeakPassword(["8文字以上にしてください。", "数字を含めてください。"]),
            "ポリシーを満たしません: 8文字以上にしてください。 数字を含めてください。",
        ),
        (errors.PdfUnavailable(), "--no-pdf で Word だけを作成してください"),
        (
            errors.PdfUnavailable(for_encryption=True),
            "--encrypt には PDF が必要ですが、LibreOffice（soffice）が見つからない",
        ),
        (
            errors.SofficeMissing("/opt/lo/soffice", "HINO_FORMS_SOFFICE"),
            "HINO_FORMS_SOFFICE に指定された LibreOffice（/opt/lo/soffice）が見つかりません",
        ),
        (errors.SofficeMissing("lo"), "--soffice に指定された LibreOffice（lo）"),
        (errors.EncryptWithoutPdf(), "--encrypt は暗号化した PDF だけを出力するため、--no-pdf"),
        (
            errors.OutputNotAFolder(Path("a/b"), Path("a")),
            "出力先 a/b はフォルダではありません（a がファイルです）",
        ),
        (errors.OutputDanglingLink(Path("out")), "出力先 out は行き先のないリンクです"),
        (errors.OutputNotPermitted(Path("out")), "出力先 out に書き込む権限がありません"),
        (
            errors.OutputOpenElsewhere(Path("提出予定一覧.xlsx")),
            "提出予定一覧.xlsx が他のプログラム",
        ),
        (
            errors.OutputOpenElsewhere(Path("x.pdf"), midway=True),
            "閉じてから --force を付けてもう一度実行してください",
        ),
        (errors.LockIsLink(Path(".hino-forms.lock")), ".hino-forms.lock がリンクになっています"),
        (
            errors.LockUncreatable(Path("l"), "Permission denied"),
            "l を作れませんでした（Permission denied）",
        ),
        (
            errors.PasswordUnavailable("HINO_FORMS_PASSWORD"),
            "--encrypt にはパスワードが必要です。環境変数 HINO_FORMS_PASSWORD か --password-file",
        ),
        (
            errors.PasswordUnavailable("P", Path("pw.txt"), empty_from="file"),
            "--password-file pw.txt の中身が空です",
        ),
        (
            errors.PasswordUnreadable("P", "file", Path("pw.txt"), 5, "\n"),
            "--password-file pw.txt の中身の 5 文字目に改行があります",
        ),
        (
            errors.PasswordUnreadable("HINO_FORMS_PASSWORD", "env", None, 3, "\x0b"),
            "環境変数 HINO_FORMS_PASSWORDの 3 文字目に制御文字（U+000B）があります",
        ),
    ],
)
def test_each_error_words_its_data_on_one_line(err: errors.HinoFormsError, says: str) -> None:
    message = str(err)
    assert says in message
    assert "\n" not in message and err.exit_code == 2


def test_the_data_stays_on_the_error() -> None:
    err = errors.UnknownContracts(["R9-999"], ["R7-001", "R7-002"])
    assert (err.unknown, err.known) == (("R9-999",), ("R7-001", "R7-002"))
    assert str(err).endswith("指定できる契約番号: R7-001、R7-002")
    assert errors.WeakPassword(["a", "b"]).failures == ("a", "b")


def _flags() -> set[str]:
    """Every option name the command line has (--out, --no-pdf, --password-file …)."""
    import typer.main

    group = typer.main.get_command(app)
    found: set[str] = set()

    def walk(command: object) -> None:
        for param in getattr(command, "params", []):
            found.update(o for o in (*param.opts, *param.secondary_opts) if o.startswith("--"))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(group)
    return found - {"--help"}


def test_the_library_never_names_a_command_line_flag() -> None:
    flags = _flags()
    assert {"--force", "--no-pdf", "--out", "--password-file", "--timing"} <= flags
    pattern = re.compile("|".join(re.escape(f) for f in sorted(flags, key=len, reverse=True)))
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative.startswith("cli/") or relative == "errors.py":
            continue
        if relative == "output/uno.py":  # its --port … are unoserver's own command line
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and (match := pattern.search(node.value))
                and not re.match(r"[\w-]", node.value[match.end() : match.end() + 1])
            ):
                offenders.append(f"{relative}:{node.lineno}: {node.value!r}")
    assert offenders == []
