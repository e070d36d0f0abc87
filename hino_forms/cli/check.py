"""The `check` command(s)."""

from hino_forms.cli import app, templates_app  # noqa: F401
