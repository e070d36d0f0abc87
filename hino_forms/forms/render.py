"""docxtpl: Submission + records → a filled Word form (resources/templates/form1.docx … form7.docx).

``Renderer`` prepares each template once (forms.prepared.PreparedTemplate) and renders
every document from it; the contexts come from hino_forms.forms.contexts. The Jinja
environment escapes every value (autoescape), so workbook text is printed
literally and never breaks the document XML; and it is sandboxed, because a
city's template is data, not code: an expression that reaches into Python
(``cycler.__init__.__globals__``…) is refused, never evaluated.
"""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from hino_forms import resources
from hino_forms.dates import format_period, format_wareki, format_wareki_year
from hino_forms.forms import contexts
from hino_forms.forms.contexts import Settings
from hino_forms.forms.cover import Cover, CoverEntry
from hino_forms.forms.prepared import PreparedTemplate
from hino_forms.models import Records, Submission

__all__ = [
    "Cover",
    "CoverEntry",
    "Renderer",
    "Settings",
    "form_filename",
    "make_environment",
    "template_name",
]


def wareki(value: object) -> str:
    """Jinja filter: a date → 令和7年4月1日; None/"" → 令和　年　月　日; text passes through."""
    if value is None or value == "":
        return format_wareki(None)
    if isinstance(value, date):
        return format_wareki(value)
    return str(value)


def tickbox(value: object) -> str:
    """Jinja filter: truthy → ☑, else ☐."""
    return "☑" if value else "☐"


def yesno(value: object) -> str:
    """Jinja filter: truthy → 有, else 無."""
    return "有" if value else "無"


def wareki_year(value: object) -> str:
    """Jinja filter: a fiscal year (2026) → 令和8年度; None → ""."""
    return format_wareki_year(int(value)) if value else ""  # type: ignore[call-overload]


def period(value: tuple[date | None, date | None]) -> str:
    """Jinja filter: (start, end) → 令和7年4月1日から令和8年3月31日まで."""
    return format_period(value[0], value[1])


FILTERS = {
    "wareki": wareki,
    "tickbox": tickbox,
    "yesno": yesno,
    "wareki_year": wareki_year,
    "period": period,
}
# Old names still accepted, so a city's customised templates (--templates) keep rendering.
FILTER_ALIASES = {"check": "tickbox"}
FILTERS.update({old: FILTERS[new] for old, new in FILTER_ALIASES.items()})


def make_environment(**options: Any) -> SandboxedEnvironment:
    """The Jinja environment of every template: sandboxed, autoescape on, the project's filters."""
    env = SandboxedEnvironment(autoescape=True, **options)
    env.filters.update(FILTERS)
    return env


def template_name(form: int) -> str:
    """form1.docx … form7.docx."""
    return f"form{form}.docx"


def form_filename(submission: Submission) -> str:
    """様式第4号-②_重要情報の保護に関する報告書 (+ _再委託先名 when it names one); not yet made safe."""
    stem = f"{submission.label}_{submission.title}"
    if submission.subcontractor:
        stem += f"_{submission.subcontractor}"
    return stem


class Renderer:
    """Renders forms and cover sheets; each template is prepared once, on first use."""

    def __init__(self, templates_dir: Path | None = None, settings: Settings | None = None) -> None:
        self.templates_dir = Path(templates_dir) if templates_dir is not None else None
        # A missing template or checklist stops the run here, before anything is written.
        resources.require_all(self.templates_dir)
        self.settings = settings or Settings()
        self.env = make_environment()
        self._prepared: dict[str, PreparedTemplate] = {}
        self._lock = threading.Lock()

    def template_path(self, name: str) -> Path:
        """The city's template of that name if ``templates_dir`` has it, else the shipped one."""
        return resources.template(name, self.templates_dir)

    def prepared(self, name: str) -> PreparedTemplate:
        """The prepared template ``name`` (form3.docx, cover.docx …)."""
        with self._lock:
            if name not in self._prepared:
                source = self.template_path(name).read_bytes()
                self._prepared[name] = PreparedTemplate(source, self.env, name)
            return self._prepared[name]

    def context(self, submission: Submission, records: Records) -> dict[str, Any]:
        """The template variables of one submission (see hino_forms.forms.contexts)."""
        env = contexts.FormEnv(self.settings, checklist_dir=self.templates_dir)
        return contexts.BUILDERS[submission.form](submission, records, env)

    def render_bytes(self, submission: Submission, records: Records) -> bytes:
        """The filled form as .docx bytes."""
        ctx = self.context(submission, records)
        return self.prepared(template_name(submission.form)).render(ctx)

    def render(self, submission: Submission, records: Records, out_path: Path) -> None:
        """Write the filled form to ``out_path`` (.docx)."""
        Path(out_path).write_bytes(self.render_bytes(submission, records))

    def render_cover(self, cover: Cover, out_path: Path) -> None:
        """Write the 送付書 of a bundle to ``out_path`` (.docx)."""
        ctx = contexts.cover(cover, self.settings)
        Path(out_path).write_bytes(self.prepared("cover.docx").render(ctx))
