"""The nearest-id hint of SPEC §3: folded equality first, then one edit away."""

from __future__ import annotations

import pytest

from hino_forms.workbook.ids import nearest

KNOWN = ["R7-001", "R7-002", "R7-010", "R7-100"]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Ｒ７－００１", ["R7-001"]),  # full width: equal after NFKC, the first step wins
        ("r7-002", ["R7-002"]),  # case folded
        ("R7-01", ["R7-001", "R7-010"]),  # one insert away from two: both named
        ("R7-0O1", ["R7-001"]),  # letter O for zero: one replacement
        ("R7-0001", ["R7-001"]),  # one character too many
        ("R8-123", []),  # nothing near
    ],
)
def test_nearest_names_what_the_user_probably_meant(typed: str, expected: list[str]) -> None:
    assert nearest(typed, KNOWN) == expected
