"""Files the package ships: form templates, checklists and LibreOffice's fontconfig.

Found through ``importlib.resources`` so that an installed wheel renders exactly
as a checkout does; nothing here reaches outside the package.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

_ROOT = files(__name__)


def _path(*parts: str) -> Path:
    # The package is installed as plain files (setuptools, not a zip), so the
    # traversable is a real path that LibreOffice and python-docx can open.
    return Path(str(_ROOT.joinpath(*parts)))


TEMPLATES_DIR = _path("templates")
CHECKLISTS_DIR = _path("checklists")
FONTCONFIG_FILE = _path("fonts.conf")
