"""Benchmark the whole job on N fictional contracts, and the plain path on a slice for the ratio.

    python bench/run.py --contracts 1000 [--no-pdf] [--slice 12]

Prints, per stage (read+validate, plan, render, convert, bundle), the seconds and
forms per second, the peak memory of this process and of its LibreOffice
children, then the same for the plain path — docxtpl's DocxTemplate per
document and one soffice per file — on a small slice of the same forms.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docxtpl import DocxTemplate  # noqa: E402

from bench.synth import write_synthetic_workbook  # noqa: E402
from hino_forms.forms.render import Renderer, template_name  # noqa: E402
from hino_forms.models import Status  # noqa: E402
from hino_forms.output import pdf  # noqa: E402
from hino_forms.output.pipeline import Options, generate  # noqa: E402
from hino_forms.planning import rules  # noqa: E402
from hino_forms.workbook.reader import read_workbook  # noqa: E402


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=200)
    parser.add_argument("--no-pdf", action="store_true", help="Word only (no LibreOffice)")
    parser.add_argument("--slice", type=int, default=12, help="forms for the plain-path comparison")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--chunk", type=int, default=None, help="contracts per chunk")
    args = parser.parse_args()
    want_pdf = not args.no_pdf and pdf.find_soffice() is not None

    work = Path(tempfile.mkdtemp(prefix="hino-bench-"))
    try:
        book = write_synthetic_workbook(work / "bench.xlsx", args.contracts)
        t0 = time.perf_counter()
        summary = generate(
            Options(
                input_path=book,
                out=work / "out",
                pdf=want_pdf,
                jobs=args.jobs,
                force=True,
                **({"chunk_contracts": args.chunk} if args.chunk else {}),
            )
        )
        total = time.perf_counter() - t0
        forms = summary.forms
        print(
            f"契約 {args.contracts} 件 / 様式 {forms} 件 / PDF {summary.pdfs} 件 / 綴り {summary.bundles} 件"
        )
        print(f"{'stage':<14}{'seconds':>10}{'forms/s':>10}")
        for stage in ("read", "plan", "render", "convert", "bundle"):
            sec = summary.stage_seconds.get(stage)
            if sec is None:
                continue
            rate = forms / sec if sec else float("inf")
            label = "read+validate" if stage == "read" else stage
            print(f"{label:<14}{sec:>10.2f}{rate:>10.1f}")
        print(f"{'whole run':<14}{total:>10.2f}{forms / total:>10.1f}")
        print(
            f"peak memory: this process {_peak_mb(resource.RUSAGE_SELF):.0f} MB, "
            f"largest child (soffice) {_peak_mb(resource.RUSAGE_CHILDREN):.0f} MB"
        )
        print(f"failures: {len(summary.failures)}")

        _plain_path(book, work, args.slice, summary, want_pdf)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _plain_path(book: Path, work: Path, n: int, summary: object, want_pdf: bool) -> None:
    """docxtpl per document and one soffice per file, on ``n`` forms of the same plan."""
    records = read_workbook(book)
    subs = [s for s in rules.plan(records) if s.status is Status.READY][:n]
    renderer = Renderer()
    plain_dir = work / "plain"
    plain_dir.mkdir()
    t0 = time.perf_counter()
    files = []
    for i, sub in enumerate(subs):
        doc = DocxTemplate(str(renderer.template_path(template_name(sub.form))))
        doc.render(renderer.context(sub, records), renderer.env)
        path = plain_dir / f"{i:04d}.docx"
        doc.save(str(path))
        files.append(path)
    plain_render = time.perf_counter() - t0

    fast_dir = work / "fast"
    fast_dir.mkdir()
    t0 = time.perf_counter()
    fast_files = []
    for i, sub in enumerate(subs):
        path = fast_dir / f"{i:04d}.docx"
        renderer.render(sub, records, path)
        fast_files.append(path)
    fast_render = time.perf_counter() - t0
    print(f"\nplain path on {len(subs)} forms (same run):")
    print(
        f"  render: docxtpl per document {len(subs) / plain_render:.1f} forms/s, "
        f"prepared templates {len(subs) / fast_render:.1f} forms/s "
        f"(×{plain_render / fast_render:.1f})"
    )
    if want_pdf:
        t0 = time.perf_counter()
        for f in files:
            pdf.convert([f], jobs=1)
        one_each = time.perf_counter() - t0
        t0 = time.perf_counter()
        pdf.convert(fast_files)
        pooled = time.perf_counter() - t0
        print(
            f"  convert: one soffice per file {len(files) / one_each:.2f} forms/s, "
            f"worker pool {len(files) / pooled:.2f} forms/s (×{one_each / pooled:.1f}; "
            f"the pool's rate grows with the batch, see the convert stage above)"
        )


if __name__ == "__main__":
    main()
