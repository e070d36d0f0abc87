"""The city's password policy for encrypted bundles (rules §10(1)②), one test per clause, and where the password comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from hino_forms.errors import BadOption, WeakPassword
from hino_forms.password import (
    PASSWORD_ENV,
    account_run,
    check_password,
    password_problems,
    read_password,
)


def test_a_password_meeting_every_clause_is_accepted() -> None:
    assert password_problems("Hino-2025!", "tanaka") == []
    check_password("Hino-2025!", "tanaka")  # does not raise


# ① パスワードの最小入力文字数: 8


def test_clause_1_seven_characters_are_too_few() -> None:
    problems = password_problems("Hino-25", "tanaka")
    assert len(problems) == 1
    assert "7 文字" in problems[0] and "8 文字以上" in problems[0] and "①" in problems[0]


def test_clause_1_eight_characters_are_enough() -> None:
    assert password_problems("Hino-202", "tanaka") == []


# ② 英大文字、英小文字、数字、記号のうち3種類以上


def test_clause_2_one_kind_of_character_is_refused() -> None:
    problems = password_problems("abcdefgh", "tanaka")
    assert len(problems) == 1
    assert (
        "3 種類以上" in problems[0] and "英小文字 の 1 種類" in problems[0] and "②" in problems[0]
    )


def test_clause_2_two_kinds_are_refused_three_accepted() -> None:
    assert len(password_problems("hino2025xy", "tanaka")) == 1  # lower-case + digits
    assert password_problems("hino2025-xy", "tanaka") == []  # + a symbol
    assert password_problems("Hino2025xy", "tanaka") == []  # + upper-case


# ③ アカウント名に含まれる文字列(連続3文字以上)使用不可


def test_clause_3_a_run_of_the_account_name_is_refused() -> None:
    problems = password_problems("Passw0rd", "wordsmith")  # "w0r" is "wor" written with a zero
    assert len(problems) == 1
    assert "「wor」" in problems[0] and "wordsmith" in problems[0] and "③" in problems[0]


def test_clause_3_ignores_case() -> None:
    problems = password_problems("xTANa-2025", "tanaka")
    assert len(problems) == 1 and "「tan」" in problems[0]


def test_clause_3_two_characters_of_the_account_name_are_allowed() -> None:
    assert password_problems("Ta-9na-Ka!", "tanaka") == []


def test_a_password_failing_everything_gets_all_three_reasons() -> None:
    with pytest.raises(WeakPassword) as err:
        check_password("tana", "tanaka")
    message = str(err.value)
    assert all(mark in message for mark in ("①", "②", "③"))
    assert "\n" not in message  # one line on stderr
    assert err.value.exit_code == 2


# Where the password comes from: never the command line.


def test_the_password_file_wins_over_the_environment(tmp_path: Path) -> None:
    secret = tmp_path / "password.txt"
    # Saved by Windows Notepad: a BOM and CRLF.
    secret.write_bytes("\ufeffHino-2025!\r\n".encode())
    env = {PASSWORD_ENV: "Other-2025!"}
    assert read_password(env=env, password_file=secret, prompt=None) == "Hino-2025!"


def test_the_environment_variable_is_used_without_a_file() -> None:
    env = {PASSWORD_ENV: "Hino-2025!"}
    assert read_password(env=env, password_file=None, prompt=lambda: "typed") == "Hino-2025!"


def test_the_prompt_is_asked_last() -> None:
    assert read_password(env={}, password_file=None, prompt=lambda: "Typed-2025!") == "Typed-2025!"


def test_no_password_anywhere_says_how_to_give_one() -> None:
    with pytest.raises(BadOption, match=PASSWORD_ENV):
        read_password(env={}, password_file=None, prompt=None)


def test_an_empty_or_missing_password_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(BadOption, match="空"):
        read_password(env={}, password_file=empty, prompt=None)
    with pytest.raises(BadOption, match="読めませんでした"):
        read_password(env={}, password_file=tmp_path / "missing.txt", prompt=None)


# The password is what the user typed (issue 13 item 16).


@pytest.mark.parametrize(
    ("content", "password"),
    [
        (b"Hino-2025!\n", "Hino-2025!"),  # echo or an editor adds one line end
        (b"Hino-2025!\r\n", "Hino-2025!"),  # Windows Notepad
        (b"Hino-2025!", "Hino-2025!"),  # no line end at all
        (b" Hino-2025! \n", " Hino-2025! "),  # spaces are part of what was typed
    ],
)
def test_the_password_file_loses_only_one_final_line_break(
    tmp_path: Path, content: bytes, password: str
) -> None:
    secret = tmp_path / "password.txt"
    secret.write_bytes(content)
    assert read_password(env={}, password_file=secret, prompt=None) == password


@pytest.mark.parametrize(
    "content",
    [
        b"Hino-2025!\n\n",  # a second line end is not what anyone types
        b"Hino-2025!\nOld-Password-1\n",  # two passwords: today the second was dropped silently
        b"Hino\t2025!\n",
        b"Hino\x002025!",
    ],
)
def test_a_password_file_with_more_than_one_line_or_a_control_character_is_refused(
    tmp_path: Path, content: bytes
) -> None:
    secret = tmp_path / "password.txt"
    secret.write_bytes(content)
    with pytest.raises(BadOption) as err:
        read_password(env={}, password_file=secret, prompt=None)
    message = str(err.value)
    assert "文字目に" in message and "1 行で" in message
    assert "Hino" not in message and "\n" not in message  # never echoes the password


def test_the_environment_loses_one_final_line_break_and_refuses_control_characters() -> None:
    assert read_password(env={PASSWORD_ENV: "Hino-2025!\n"}, password_file=None, prompt=None) == (
        "Hino-2025!"
    )
    with pytest.raises(
        BadOption, match=f"環境変数 {PASSWORD_ENV}の 5 文字目に制御文字（U\\+001B）"
    ):
        read_password(env={PASSWORD_ENV: "Hino\x1b2025!"}, password_file=None, prompt=None)
    with pytest.raises(BadOption, match="5 文字目に制御文字（U\\+200B）"):
        read_password(env={}, password_file=None, prompt=lambda: "Hino\u200b2025!")


def test_the_account_rule_applies_after_nfkc() -> None:
    # Full-width letters are the same name to a person, and to the rule.
    problems = password_problems("ＴＡＮＡＫＡ-2025x", "tanaka")
    assert len(problems) == 1 and "「tan」" in problems[0] and "③" in problems[0]
    assert account_run("Hino-2025!", "ｈｉｎｏ") == "hin"
    assert account_run("Hino-2025!", "tanaka") is None
