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


class OutputUnwritable(HinoFormsError):
    """The output folder or a file in it cannot be written: a file, a dead link, locked by Excel."""
