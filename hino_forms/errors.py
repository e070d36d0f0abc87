"""The few exceptions of hino-forms, named for the condition; the CLI turns them into messages."""

from __future__ import annotations


class HinoFormsError(Exception):
    """Base class: ``str(err)`` is a one-line Japanese message for the user; ``exit_code`` the CLI's."""

    exit_code = 2


class InputUnusable(HinoFormsError):
    """The workbook cannot be used at all: not a workbook, no 契約 sheet, a required column missing."""


class OutputExists(HinoFormsError):
    """The output would replace existing files and ``--force`` was not given."""


class BadOption(HinoFormsError):
    """An option's value cannot be used (a date, a timing, a folder)."""


class WeakPassword(HinoFormsError):
    """The encryption password fails the city's password policy (§10(1)②)."""


class PdfUnavailable(HinoFormsError):
    """PDFs were requested but LibreOffice (soffice) cannot be found."""


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
