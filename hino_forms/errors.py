"""The few exceptions of hino-forms, named for the condition; the CLI turns them into messages.

Each carries its data as attributes and words its own one-line Japanese message
in ``__str__``, so the wording (and every command-line flag a message names,
such as ``--force``) lives here and in ``cli/``, never at a raise site in the library.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

# How many items a message lists before it says how many more there are.
_SHOWN = 5


def _listing(items: Sequence[str], *, limit: int = _SHOWN, sep: str = "、") -> str:
    """``a、b、c``, or ``a、b … ほか 7 件`` when there are more than ``limit``."""
    if len(items) <= limit:
        return sep.join(items)
    return f"{sep.join(items[:limit])} ほか {len(items) - limit} 件"


class HinoFormsError(Exception):
    """Base class: ``str(err)`` is a one-line Japanese message for the user; ``exit_code`` the CLI's."""

    exit_code = 2


class InputUnusable(HinoFormsError):
    """The workbook cannot be used at all: not a workbook, no 契約 sheet, a required column missing."""


class OutputExists(HinoFormsError):
    """The output would replace existing files and ``--force`` was not given."""

    def __init__(self, path: Path, existing: Sequence[str] = ()) -> None:
        super().__init__(path, tuple(existing))
        self.path = path
        self.existing = tuple(existing)  # what is in the folder already (empty: ``path`` itself)

    def __str__(self) -> str:
        if self.existing:
            return (
                f"出力先 {self.path} に既存の出力（{_listing(self.existing, sep='、')}）があります。"
                "何も変更していません。置き換える場合は --force を付けてください"
            )
        return f"{self.path} は既にあります。上書きするときは --force を付けてください"


class OutputAppeared(OutputExists):
    """A folder the run was about to publish was created by someone else while it ran."""

    def __str__(self) -> str:
        return f"{self.path} が実行中に作成されました。置き換えていません"


class OutputBusy(HinoFormsError):
    """Another run is writing into the same output folder."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.path = path

    def __str__(self) -> str:
        return (
            f"別の hino-forms が出力先 {self.path} に書き込み中です。終わってから実行してください"
        )


class BadOption(HinoFormsError):
    """An option's value cannot be used (a date, a timing, a folder)."""


class OutputIsInput(BadOption):
    """The file to write is one of the workbooks being read."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.path = path

    def __str__(self) -> str:
        return f"出力先 {self.path} が入力のブックと同じです。別のファイル名を --out に指定してください"


class DatesReversed(BadOption):
    """--from is later than --to."""

    def __init__(self, date_from: date, date_to: date) -> None:
        super().__init__(date_from, date_to)
        self.date_from, self.date_to = date_from, date_to

    def __str__(self) -> str:
        return f"--from（{self.date_from}）が --to（{self.date_to}）より後になっています"


class UnknownContracts(BadOption):
    """--contract names contracts the workbook does not have."""

    def __init__(self, unknown: Sequence[str], known: Sequence[str]) -> None:
        super().__init__(tuple(unknown), tuple(known))
        self.unknown = tuple(unknown)
        self.known = tuple(known)  # the 契約番号 of the workbook, in sheet order

    def __str__(self) -> str:
        message = f"契約番号 {', '.join(self.unknown)} は入力ブックの「契約」シートにありません"
        if not self.known:
            return message + "（契約シートに契約がありません）"
        return f"{message}。指定できる契約番号: {_listing(self.known, limit=10)}"


class UnknownTiming(BadOption):
    """--timing is none of the three timings (by code, name or mark)."""

    def __init__(self, value: str, codes: Sequence[str], names: Sequence[str]) -> None:
        super().__init__(value, tuple(codes), tuple(names))
        self.value, self.codes, self.names = value, tuple(codes), tuple(names)

    def __str__(self) -> str:
        return (
            f"--timing には {'・'.join(self.codes)}（{'・'.join(self.names)}）のいずれかを"
            f"指定してください（指定された値: {self.value}）"
        )


class PasswordUnavailable(BadOption):
    """--encrypt without a password: none given, the file unreadable, or it is empty."""

    def __init__(
        self,
        env_name: str,
        file: Path | None = None,
        reason: str = "",
        empty_from: str = "",
    ) -> None:
        super().__init__(env_name, file, reason, empty_from)
        self.env_name = env_name  # the environment variable that may hold it
        self.file = file  # --password-file, when given
        self.reason = reason  # why the file could not be read
        self.empty_from = empty_from  # "file", "env" or "prompt": where an empty one came from

    def __str__(self) -> str:
        if self.empty_from:
            source = {
                "file": f"--password-file {self.file} の中身",
                "env": f"環境変数 {self.env_name}",
            }.get(self.empty_from, "入力されたパスワード")
            return f"{source}が空です。暗号化のパスワードを指定してください。"
        if self.file is not None:
            return (
                f"--password-file {self.file} を読めませんでした（{self.reason}）。"
                "パスワードを 1 行目に書いた UTF-8 のテキストファイルを指定してください。"
            )
        return (
            f"--encrypt にはパスワードが必要です。環境変数 {self.env_name} か "
            "--password-file で渡してください。"
        )


class WeakPassword(HinoFormsError):
    """The encryption password fails the city's password policy (§10(1)②)."""

    def __init__(self, failures: Sequence[str]) -> None:
        super().__init__(tuple(failures))
        self.failures = tuple(failures)  # one Japanese sentence per clause it fails

    def __str__(self) -> str:
        return "暗号化のパスワードが市のパスワードポリシーを満たしません: " + " ".join(
            self.failures
        )


class PdfUnavailable(HinoFormsError):
    """PDFs were requested (or --encrypt needs them) but LibreOffice (soffice) cannot be found."""

    def __init__(self, *, for_encryption: bool = False) -> None:
        super().__init__(for_encryption)
        self.for_encryption = for_encryption  # --encrypt: only encrypted PDFs may be written

    def __str__(self) -> str:
        if self.for_encryption:
            return (
                "--encrypt には PDF が必要ですが、LibreOffice（soffice）が見つからないため"
                " PDF を作成できません。LibreOffice をインストールするか --soffice でその場所を"
                "指定してください"
            )
        return (
            "LibreOffice（soffice）が見つからないため PDF を作成できません。"
            "LibreOffice をインストールする（make demo）か --soffice でその場所を指定するか、"
            "--no-pdf で Word だけを作成してください"
        )


class SofficeMissing(PdfUnavailable):
    """The LibreOffice named by --soffice or HINO_FORMS_SOFFICE does not exist."""

    def __init__(self, named: str, env_name: str | None = None) -> None:
        super().__init__()
        self.args = (named, env_name)
        self.named = named  # the path as given
        self.env_name = env_name  # the environment variable it came from (None: --soffice)

    def __str__(self) -> str:
        source = self.env_name or "--soffice"
        return (
            f"{source} に指定された LibreOffice（{self.named}）が見つかりません。"
            "soffice のパスを確かめるか、--no-pdf で Word だけを作成してください"
        )


class ResourceMissing(HinoFormsError):
    """A file the package ships (a template, a checklist, fonts.conf) cannot be found: a broken install."""

    def __init__(self, name: str, where: str) -> None:
        super().__init__(name, where)
        self.name = name
        self.where = where

    def __str__(self) -> str:
        return (
            f"同梱ファイル「{self.name}」が見つかりません（{self.where}）。"
            "hino-forms を入れ直してください（例: pip install --force-reinstall .）。"
        )


class TemplateUnsupported(HinoFormsError):
    """A template or its data asks for what the prepared render path cannot do (images, subdocuments…)."""

    def __init__(self, template: str, what: str) -> None:
        super().__init__(template, what)
        self.template = template
        self.what = what

    def __str__(self) -> str:
        return (
            f"テンプレート {self.template}: {self.what}は差し込めません"
            "（hino-forms の様式は文字・表・チェック欄だけを差し込みます）。"
            "テンプレートからその差し込みを外してください。"
        )


class TemplateUnsafe(HinoFormsError):
    """A template expression reaches into Python internals; the sandbox refused to evaluate it."""

    def __init__(self, template: str, detail: str) -> None:
        super().__init__(template, detail)
        self.template = template
        self.detail = detail

    def __str__(self) -> str:
        return (
            f"テンプレート {self.template} に安全でない式があるため使えません（{self.detail}）。"
            "templates check で場所を確かめ、その式を消してください。"
        )


class InputTooLarge(InputUnusable):
    """The workbook exceeds the size limits (workbook/limits.py): refused before it is read."""


class PasswordUnreadable(BadOption):
    """The password holds a line break, tab or invisible character: no PDF viewer prompt takes it."""

    def __init__(
        self, env_name: str, source: str, file: Path | None, position: int, char: str
    ) -> None:
        super().__init__(env_name, source, file, position, char)
        self.env_name = env_name
        self.source = source  # "file", "env" or "prompt"
        self.file = file
        self.position = position  # 1-based; the password itself is never printed
        self.char = char

    def __str__(self) -> str:
        source = {
            "file": f"--password-file {self.file} の中身",
            "env": f"環境変数 {self.env_name}",
        }.get(self.source, "入力されたパスワード")
        what = "改行" if self.char in "\r\n" else f"制御文字（U+{ord(self.char):04X}）"
        return (
            f"{source}の {self.position} 文字目に{what}があります。"
            "パスワードは 1 行で、改行・タブ・見えない文字を含めずに書いてください"
            "（末尾の改行 1 つは取り除きます）。"
        )


class EncryptWithoutPdf(BadOption):
    """--encrypt together with --no-pdf: only encrypted PDF bundles may be written, so nothing could be."""

    def __init__(self) -> None:
        super().__init__()

    def __str__(self) -> str:
        return "--encrypt は暗号化した PDF だけを出力するため、--no-pdf とは一緒に使えません"


class OutputUnwritable(HinoFormsError):
    """The output folder or a file in it cannot be written (the subclasses say why)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.path = path

    def __str__(self) -> str:
        return f"{self.path} に書き込めません"


class OutputDanglingLink(OutputUnwritable):
    """--out is a symbolic link whose target does not exist."""

    def __str__(self) -> str:
        return (
            f"出力先 {self.path} は行き先のないリンクです。別のフォルダを --out に指定してください"
        )


class OutputNotAFolder(OutputUnwritable):
    """--out is a file, or lies below one (``blocker``)."""

    def __init__(self, path: Path, blocker: Path | None = None) -> None:
        super().__init__(path)
        self.args = (path, blocker)
        self.blocker = blocker  # the file on the way to ``path`` (None: ``path`` itself is one)

    def __str__(self) -> str:
        where = f"（{self.blocker} がファイルです）" if self.blocker is not None else ""
        return (
            f"出力先 {self.path} はフォルダではありません{where}。"
            "別のフォルダを --out に指定してください"
        )


class OutputNotPermitted(OutputUnwritable):
    """The user may not write into the output folder (or the folder it would be made in)."""

    def __str__(self) -> str:
        return f"出力先 {self.path} に書き込む権限がありません。別のフォルダを --out に指定してください"


class OutputOpenElsewhere(OutputUnwritable):
    """A file to be replaced is open in another program (Excel, Word, Acrobat lock it on Windows)."""

    def __init__(self, path: Path, *, midway: bool = False) -> None:
        super().__init__(path)
        self.args = (path, midway)
        self.midway = midway  # found while replacing (after the up-front check), not before

    def __str__(self) -> str:
        if self.midway:
            return (
                f"{self.path} を置き換えられませんでした（他のプログラムで開かれています）。"
                "閉じてから --force を付けてもう一度実行してください"
            )
        return (
            f"{self.path} が他のプログラム（Excel・Word・Acrobat など）で開かれているか、"
            "書き込めません。閉じてからもう一度実行してください。何も変更していません"
        )


class LockIsLink(OutputUnwritable):
    """The run's lock file is a symbolic link (planted): it is refused, never followed."""

    def __str__(self) -> str:
        return f"{self.path} がリンクになっています。削除してからもう一度実行してください"


class LockUncreatable(OutputUnwritable):
    """The run's lock file could not be created."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(path)
        self.args = (path, reason)
        self.reason = reason  # the system's words (strerror)

    def __str__(self) -> str:
        return f"{self.path} を作れませんでした（{self.reason}）"
