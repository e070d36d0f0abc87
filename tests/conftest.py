"""Shared fixtures: paths, and a skip with a reason where LibreOffice is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample.xlsx"


def soffice_available() -> bool:
    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if soffice_available():
        return
    skip = pytest.mark.skip(reason="LibreOffice (soffice) がないため PDF のテストを省略")
    for item in items:
        if "soffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE
