"""Benchmark: read_workbook (python-calamine + every SPEC §3 check) against openpyxl's read-only floor.

    .venv/bin/python bench/read_workbook.py [CONTRACTS]

openpyxl (normal and write-only mode alike) writes every text cell as an
inline string, which openpyxl reads back several times slower than the
shared strings Excel writes. So the synthetic workbook is converted once by
LibreOffice (which writes shared strings, as Excel does) when soffice is
available. Figures are printed, never asserted: "openpyxl only" is what merely
reading the cells cost with openpyxl, the reader's engine before python-calamine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from openpyxl import load_workbook  # noqa: E402
from synth import read_bench_workbooks  # noqa: E402

from hino_forms.workbook.reader import read_workbook  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    files = read_bench_workbooks(HERE / "out", n)
    for label, path in files:
        t = time.perf_counter()
        book = load_workbook(path, read_only=True, data_only=True)
        cells = sum(len(r) for ws in book.worksheets for r in ws.iter_rows(values_only=True))
        book.close()
        floor = time.perf_counter() - t
        t = time.perf_counter()
        records = read_workbook(path)
        total = time.perf_counter() - t
        print(
            f"{label}: {n} contracts, {len(records.staff)} staff, {cells} cells, "
            f"{len(records.problems)} problems"
        )
        print(
            f"  openpyxl only {floor:.2f} s | read_workbook {total:.2f} s "
            f"| reader's own cost {total - floor:.2f} s"
        )


if __name__ == "__main__":
    main()
