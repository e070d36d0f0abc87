"""Render speed: the prepared-template path against a plain DocxTemplate render per document.

    .venv/bin/python bench/render.py [N]

Renders every ready submission of data/sample.xlsx N times (default 5) three ways
and prints CPU milliseconds per document:
- prepared, sandboxed: what the product does (PreparedTemplate, SandboxedEnvironment);
- prepared, plain Environment: the same path with an unsandboxed Jinja environment,
  so the sandbox's cost is the difference (promised: ≤ 10 %);
- plain DocxTemplate (sandboxed): load, render and save per document, as docxtpl
  does it (promised: ≥ 8× slower than the prepared path).
The three run interleaved, round by round, and are timed in CPU time of this
process, so that load from other processes on the machine falls on all of them
alike; compare the ratios, not the milliseconds.
"""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

from docxtpl import DocxTemplate
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hino_forms.forms.prepared import PreparedTemplate  # noqa: E402
from hino_forms.forms.render import FILTERS, Renderer, make_environment, template_name  # noqa: E402
from hino_forms.planning.rules import plan  # noqa: E402
from hino_forms.workbook.reader import read_workbook  # noqa: E402


def main(rounds: int = 5) -> None:
    records = read_workbook(ROOT / "data" / "sample.xlsx")
    ready = [s for s in plan(records) if s.status.value == "ready"]
    renderer = Renderer()
    t0 = time.perf_counter()
    for s in ready:  # first use prepares each template
        renderer.render_bytes(s, records)
    prepare = time.perf_counter() - t0
    jobs = [(template_name(s.form), renderer.context(s, records)) for s in ready]
    sources = {name: renderer.template_path(name) for name, _ in jobs}

    unsandboxed = Environment(autoescape=True)  # the environment before issue 13
    unsandboxed.filters.update(FILTERS)
    plain_prepared = {
        n: PreparedTemplate(p.read_bytes(), unsandboxed, n) for n, p in sources.items()
    }
    env = make_environment()

    def prepared() -> None:
        for name, ctx in jobs:
            renderer.prepared(name).render(ctx)

    def prepared_unsandboxed() -> None:
        for name, ctx in jobs:
            plain_prepared[name].render(ctx)

    def docxtpl() -> None:
        for name, ctx in jobs:
            tpl = DocxTemplate(str(sources[name]))
            tpl.render(ctx, env, autoescape=True)
            tpl.save(io.BytesIO())

    ways: dict[str, Callable[[], None]] = {
        "prepared, sandboxed": prepared,
        "prepared, plain Environment": prepared_unsandboxed,
        "plain DocxTemplate": docxtpl,
    }
    spent = dict.fromkeys(ways, 0.0)
    for _ in range(rounds):
        for label, run in ways.items():
            t0 = time.process_time()
            run()
            spent[label] += time.process_time() - t0
    per_doc = {label: total / (rounds * len(jobs)) for label, total in spent.items()}
    fast = per_doc["prepared, sandboxed"]
    print(f"documents: {len(jobs)} × {rounds}")
    print(f"first pass (prepares {len(sources)} templates): {prepare * 1000:.0f} ms")
    print(f"prepared template, sandboxed:   {fast * 1000:.2f} ms/document")
    base = per_doc["prepared, plain Environment"]
    print(
        f"prepared template, plain Environment: {base * 1000:.2f} ms/document "
        f"(the sandbox costs {100 * (fast / base - 1):+.1f} %)"
    )
    plain = per_doc["plain DocxTemplate"]
    print(f"plain DocxTemplate: {plain * 1000:.2f} ms/document ({plain / fast:.1f}× slower)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
