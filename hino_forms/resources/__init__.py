"""Files the package ships: form templates, checklists and LibreOffice's fontconfig.

The one place a resource is looked up. Shipped files are found through
``importlib.resources`` so that an installed wheel renders exactly as a checkout
does; a city's ``--templates`` folder overrides a template or checklist of the
same name. A shipped file that is missing (a broken install) raises
``ResourceMissing``: one Japanese line and exit 2, never a traceback.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from importlib.resources import as_file, files
from pathlib import Path

from hino_forms.errors import ResourceMissing

TEMPLATE_NAMES = tuple(f"form{n}.docx" for n in range(1, 8)) + ("cover.docx",)
CHECKLIST_NAMES = ("form3_topics.json", "form4_items.json", "form5_items.json")

# as_file() hands out a real path for as long as the stack is open; for a package
# installed as plain files (the normal case) that is the file itself, from a zip a
# temporary copy removed at exit.
_files = ExitStack()
atexit.register(_files.close)
_found: dict[str, Path] = {}


def _shipped(*parts: str) -> Path:
    key = "/".join(parts)
    if key not in _found:
        resource = files(__name__).joinpath(*parts)
        if not resource.is_file():
            raise ResourceMissing(key, f"パッケージ {__name__}")
        _found[key] = _files.enter_context(as_file(resource))
    return _found[key]


def _override(override_dir: Path | None, name: str) -> Path | None:
    if override_dir is not None and (override_dir / name).is_file():
        return override_dir / name
    return None


def template(name: str, override_dir: Path | None = None) -> Path:
    """The template ``name`` (form3.docx, cover.docx …): the city's copy in ``override_dir`` if it has one."""
    return _override(override_dir, name) or _shipped("templates", name)


def checklist(name: str, override_dir: Path | None = None) -> Path:
    """The checklist file ``name`` (form4_items.json …): the city's copy in ``override_dir`` if it has one."""
    return _override(override_dir, name) or _shipped("checklists", name)


def fontconfig() -> Path:
    """The fontconfig file that maps the templates' ＭＳ 明朝 to IPAex明朝 for LibreOffice."""
    return _shipped("fonts.conf")


def require_all(override_dir: Path | None = None) -> None:
    """Raise ``ResourceMissing`` now, before anything is written, if any template or checklist is missing."""
    for name in TEMPLATE_NAMES:
        template(name, override_dir)
    for name in CHECKLIST_NAMES:
        checklist(name, override_dir)
