"""Date cells in every form SPEC §3 accepts, and the ones it rejects (dates.parse_date)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from hino_forms.dates import DateFormatError, parse_date, parse_fiscal_year

APRIL_1 = date(2025, 4, 1)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (datetime(2025, 4, 1, 0, 0), APRIL_1),  # a real Excel date (openpyxl gives datetime)
        (APRIL_1, APRIL_1),
        ("2025-04-01", APRIL_1),
        ("2025/4/1", APRIL_1),
        ("2025年4月1日", APRIL_1),
        ("令和7年4月1日", APRIL_1),
        ("R7.4.1", APRIL_1),
        ("r7.4.1", APRIL_1),
        ("R7/4/1", APRIL_1),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("２０２５／４／１", APRIL_1),  # full-width digits and separators
        ("令和７年４月１日", APRIL_1),
        ("Ｒ７．４．１", APRIL_1),
        ("　2025/4/1 ", APRIL_1),  # stray half- and full-width spaces
        ("2028/2/29", date(2028, 2, 29)),
    ],
)
def test_accepted_date_forms(cell: object, expected: date) -> None:
    assert parse_date(cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("令和元年4月30日", "期間外"),  # 令和 began on 2019-05-01
        ("R1.4.1", "期間外"),
        ("2025/2/30", "存在しない日付"),
        ("令和7年2月29日", "存在しない日付"),  # 2025 is not a leap year
        ("来年度", "読めません"),
        ("2025/13/1", "存在しない日付"),
        (3.5, "読めません"),
    ],
)
def test_rejected_dates_say_why(cell: object, reason: str) -> None:
    with pytest.raises(DateFormatError, match=reason):
        parse_date(cell)


@pytest.mark.parametrize(
    ("cell", "year"),
    [
        (2026, 2026),
        ("2026", 2026),
        ("令和8年度", 2026),
        ("R8", 2026),
        ("２０２６年度", 2026),
        (2026.0, 2026),
    ],
)
def test_fiscal_year_cells(cell: object, year: int) -> None:
    assert parse_fiscal_year(cell) == year
