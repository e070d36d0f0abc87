"""Benchmark: what the size check (workbook/limits.check_xlsx) adds to reading a workbook.

    .venv/bin/python bench/limits.py [CONTRACTS]

The check streams every sheet's XML once before python-calamine reads it
(issue 13 item 6). Figures are CPU seconds (min of 3, so the shared machine's
load counts less), for the synthetic workbook as openpyxl writes it (inline
strings, the larger XML) and, when LibreOffice is there, as re-saved with
shared strings the way Excel writes. Printed, never asserted.
"""

from __future__ import annotations

import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from synth import read_bench_workbooks  # noqa: E402

from hino_forms.workbook.limits import Limits, check_xlsx  # noqa: E402
from hino_forms.workbook.reader import read_workbook  # noqa: E402


def cpu(run: Callable[[], object]) -> float:
    """The least CPU time of three runs."""
    best = float("inf")
    for _ in range(3):
        t = time.process_time()
        run()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    files = read_bench_workbooks(HERE / "out", n)
    for label, path in files:
        with zipfile.ZipFile(path) as z:
            unzipped = sum(m.file_size for m in z.infolist())
        scans = check_xlsx(path, Limits())
        rows = sum(s.rows for s in scans.values())
        scan = cpu(lambda p=path: check_xlsx(p, Limits()))  # type: ignore[misc]
        read = cpu(lambda p=path: read_workbook(p))  # type: ignore[misc]
        print(
            f"{label:15} {rows:>9,} rows, {unzipped / 2**20:7.1f} MB unzipped: "
            f"check_xlsx {scan:5.2f} s within read_workbook {read:5.2f} s "
            f"(+{scan / (read - scan):.0%} over reading without it; "
            f"{scan / unzipped * 2**30:.1f} s per GB unzipped)"
        )


if __name__ == "__main__":
    main()
