"""和暦 parsing and formatting, and fiscal years (April 1 – March 31).

Era data (names, first days) comes from ``japanera``; its own strptime does
not read 元年 written with Arabic-digit months or the ``R7.4.1`` short
form, so the text forms of SPEC §3 are matched here and the era is looked up
in japanera.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

from japanera import ERA_DATA_GENERAL, EraDate

BLANK_WAREKI = "令和　年　月　日"

# Eras a workbook may plausibly use, keyed by kanji and by initial.
_ERAS = {e.kanji: e for e in ERA_DATA_GENERAL if e.kanji in ("令和", "平成", "昭和")}
_ERAS.update({e.english_head: e for e in _ERAS.values()})

_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_WAREKI = re.compile(
    r"^(令和|平成|昭和|[RHS])\s*(元|\d{1,2})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$",
    re.IGNORECASE,
)
_FISCAL = re.compile(r"^(?:(令和|平成|[RH])\s*(元|\d{1,2})|(\d{4}))\s*年?度?$", re.IGNORECASE)


class DateFormatError(ValueError):
    """A text that is not one of the accepted date forms, or a day that does not exist."""


def normalize(text: str) -> str:
    """Full-width digits and separators → half-width; trims spaces (NFKC)."""
    return unicodedata.normalize("NFKC", text).strip()


def parse_date(value: object) -> date:
    """An Excel cell value (date, datetime or text in a form of SPEC §3) → ``date``.

    Raises DateFormatError with a Japanese reason when the value is not a date.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise DateFormatError(f"「{value}」は日付として読めません")
    text = normalize(value)
    if m := _ISO.match(text):
        return _make(int(m[1]), int(m[2]), int(m[3]), value)
    if m := _WAREKI.match(text):
        era_key = m[1].upper() if len(m[1]) == 1 else m[1]
        era = _ERAS[era_key]
        rel = 1 if m[2] == "元" else int(m[2])
        if rel < 1:
            raise DateFormatError(f"「{value}」の年が正しくありません")
        day = _make(era.relative_year_to_absolute_year(rel), int(m[3]), int(m[4]), value)
        if day < era.since or (era.until is not None and day >= era.until):
            raise DateFormatError(
                f"「{value}」は{era.kanji}の期間外の日付です（{era.kanji}は{format_wareki(era.since)}から）"
            )
        return day
    raise DateFormatError(
        f"「{value}」は日付として読めません（例: 2025/4/1、令和7年4月1日、R7.4.1）"
    )


def _make(year: int, month: int, day: int, original: object) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DateFormatError(f"「{original}」は存在しない日付です") from None


def format_wareki(value: date | None) -> str:
    """``date(2025, 4, 1)`` → 令和7年4月1日; 2019 in 令和 → 令和元年…; None → 令和　年　月　日."""
    if value is None:
        return BLANK_WAREKI
    era = EraDate.from_date(value).era
    rel = era.absolute_year_to_relative_year(value.year)
    year = "元" if rel == 1 else str(rel)
    return f"{era.kanji}{year}年{value.month}月{value.day}日"


def format_wareki_year(fiscal_year: int) -> str:
    """2026 → 令和8年度; 2019 → 令和元年度."""
    # 令和 began on 2019-05-01, a month into the fiscal year that the city (like the
    # state) names 令和元年度, not 平成31年度. No other era began in April, so the era
    # in force on May 1 names every fiscal year (1988 stays 昭和63年度).
    text = format_wareki(date(fiscal_year, 5, 1))
    return text.split("年")[0] + "年度"


def parse_fiscal_year(value: object) -> int:
    """``2026``, ``"2026"``, ``"令和8年度"``, ``"R8"`` → 2026 (the year its April 1 falls in)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = normalize(str(value))
    m = _FISCAL.match(text)
    if not m:
        raise DateFormatError(f"「{value}」は年度として読めません（例: 2026、令和8年度）")
    if m[3]:
        return int(m[3])
    era = _ERAS[m[1].upper() if len(m[1]) == 1 else m[1]]
    rel = 1 if m[2] == "元" else int(m[2])
    return int(era.relative_year_to_absolute_year(rel))


def fiscal_year_of(day: date) -> int:
    """The fiscal year a day belongs to, named by the year of its April 1."""
    return day.year if day.month >= 4 else day.year - 1


def april_firsts(start: date, end: date) -> list[date]:
    """Every April 1 *d* with start < d ≤ end (the ② timings of SPEC §4)."""
    first = fiscal_year_of(start) + 1
    return [date(y, 4, 1) for y in range(first, end.year + 1) if start < date(y, 4, 1) <= end]


def fiscal_year_span(fiscal_year: int) -> tuple[date, date]:
    """2025 → (2025-04-01, 2026-03-31)."""
    return date(fiscal_year, 4, 1), date(fiscal_year + 1, 4, 1) - timedelta(days=1)


def format_period(start: date | None, end: date | None) -> str:
    """令和7年4月1日から令和8年3月31日まで."""
    return f"{format_wareki(start)}から{format_wareki(end)}まで"
