"""The city's password policy (rules §10(1)②) and where the encryption password comes from.

The policy: ① at least 8 characters; ② at least three of upper-case letters,
lower-case letters, digits and symbols; ③ no string of three or more
consecutive characters contained in the account name.
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Callable, Mapping
from pathlib import Path

from hino_forms.errors import PasswordUnavailable, PasswordUnreadable, WeakPassword

PASSWORD_ENV = "HINO_FORMS_PASSWORD"
MIN_LENGTH = 8
MIN_CLASSES = 3
RUN = 3  # the shortest run of the account name the password may not contain

_CLASSES = (
    ("英大文字", frozenset(string.ascii_uppercase)),
    ("英小文字", frozenset(string.ascii_lowercase)),
    ("数字", frozenset(string.digits)),
    ("記号", frozenset(string.punctuation)),
)

# Characters commonly typed in place of a letter ("Passw0rd"): a run of the
# account name written with them is still that run.
_LOOKALIKES: dict[str, str] = {
    "0": "o",
    "1": "il",
    "!": "il",
    "|": "il",
    "3": "e",
    "4": "a",
    "@": "a",
    "5": "s",
    "$": "s",
    "7": "t",
    "+": "t",
}


def password_problems(password: str, account: str) -> list[str]:
    """The clauses of the password policy ``password`` fails, one Japanese reason each."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            f"パスワードが {len(password)} 文字です。{MIN_LENGTH} 文字以上にしてください"
            "（パスワードポリシー①）。"
        )
    used = [name for name, chars in _CLASSES if any(c in chars for c in password)]
    if len(used) < MIN_CLASSES:
        found = "・".join(used) if used else "なし"
        problems.append(
            f"英大文字・英小文字・数字・記号のうち {MIN_CLASSES} 種類以上を使ってください"
            f"（いまは {found} の {len(used)} 種類。パスワードポリシー②）。"
        )
    run = account_run(password, account)
    if run is not None:
        problems.append(
            f"アカウント名「{account}」の連続した文字「{run}」がパスワードに含まれています。"
            f"アカウント名の連続 {RUN} 文字以上は使えません（パスワードポリシー③）。"
        )
    return problems


def account_run(password: str, account: str) -> str | None:
    """The first run of ``RUN`` consecutive characters of ``account`` found in ``password``.

    Case and width do not matter (both are compared after NFKC: ``ＴＡＮＡＫＡ``
    is ``tanaka``), and a look-alike (0 for o, @ for a …) counts as the letter
    it stands for. None when there is none.
    """
    pw, name = _folded(password), _folded(account)
    for start in range(len(name) - RUN + 1):
        run = name[start : start + RUN]
        for at in range(len(pw) - RUN + 1):
            if all(_same(p, a) for p, a in zip(pw[at : at + RUN], run, strict=True)):
                return run
    return None


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def check_password(password: str, account: str) -> None:
    """Raise WeakPassword naming every clause of the policy ``password`` fails."""
    problems = password_problems(password, account)
    if problems:
        raise WeakPassword(problems)


def read_password(
    *,
    env: Mapping[str, str],
    password_file: Path | None,
    prompt: Callable[[], str] | None,
) -> str:
    """The encryption password: from ``password_file``, else $HINO_FORMS_PASSWORD, else ``prompt``.

    The password is what the user typed: from the file and the environment
    only one trailing line break (LF or CRLF, as an editor or ``echo`` adds) and
    the file's UTF-8 BOM are removed; spaces are kept; a password holding
    another line break or a control character is refused, never cut.
    Never from a command-line argument: those show in the process list and
    the shell history.
    """
    if password_file is not None:
        try:
            text = Path(password_file).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            raise PasswordUnavailable(PASSWORD_ENV, password_file, str(err)) from err
        password = _without_final_line_break(text)
        source = "file"
    elif env.get(PASSWORD_ENV):
        password, source = _without_final_line_break(env[PASSWORD_ENV]), "env"
    elif prompt is not None:
        password, source = prompt(), "prompt"
    else:
        raise PasswordUnavailable(PASSWORD_ENV)
    if not password:
        raise PasswordUnavailable(PASSWORD_ENV, password_file, empty_from=source)
    _refuse_control_characters(password, source, password_file)
    return password


def _without_final_line_break(text: str) -> str:
    """``text`` without ONE trailing CRLF or LF: the line end an editor or ``echo`` adds."""
    for end in ("\r\n", "\n"):
        if text.endswith(end):
            return text[: -len(end)]
    return text


def _refuse_control_characters(password: str, source: str, file: Path | None) -> None:
    # A line break, tab or invisible character cannot be typed at the PDF viewer's prompt:
    # an encrypted bundle with one could never be opened. Name the position, never the password.
    for at, ch in enumerate(password, start=1):
        if unicodedata.category(ch) in ("Cc", "Cf"):
            raise PasswordUnreadable(PASSWORD_ENV, source, file, at, ch)


def _same(typed: str, letter: str) -> bool:
    """True when ``typed`` is ``letter`` or a look-alike of it (both lower-case)."""
    return typed == letter or letter in _LOOKALIKES.get(typed, "")
