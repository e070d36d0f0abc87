"""What the server may be told, from the environment (and ``serve``'s options)."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from hino_forms.errors import BadOption
from hino_forms.output.uno import Address
from hino_forms.workbook.limits import Limits

PASSWORD_ENV = "HINO_FORMS_WEB_PASSWORD"  # an access password for a shared intranet machine
EXPIRY_ENV = "HINO_FORMS_WEB_EXPIRY"  # seconds an upload or a result is kept
UNOSERVERS_ENV = "HINO_FORMS_UNOSERVERS"  # other machines' unoservers: host:port,host:port
LOCAL_ENV = "HINO_FORMS_UNOSERVER_LOCAL"  # how many unoservers to run here (0: the soffice pool)

MB = 1024 * 1024
# A shared server reads for many clerks at once: the reader's limits, tighter. The reader's own
# environment variables (HINO_FORMS_MAX_ROWS …, named in its messages) raise them here too.
WEB_LIMITS = Limits(max_rows=20_000, max_cells=2_000_000, max_uncompressed_bytes=200 * MB)


@dataclass(frozen=True, kw_only=True)
class Settings:
    """Limits, lifetimes and the converter of one server."""

    expiry: float = 3600.0  # seconds; then uploads and results are deleted
    max_upload_bytes: int = 20 * MB
    limits: Limits = WEB_LIMITS  # what an uploaded workbook may hold (workbook/limits.py)
    max_jobs: int = 4  # generate jobs waiting or running at once; more are refused politely
    workers: int = 2  # jobs that run at the same time
    password: str | None = None
    unoservers: tuple[Address, ...] = ()
    local_unoservers: int = 2
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))  # new at each start

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Settings from HINO_FORMS_WEB_* and HINO_FORMS_UNOSERVER*; ``overrides`` win."""
        env = os.environ if env is None else env
        values: dict[str, object] = {"limits": Limits.from_env(env, WEB_LIMITS)}
        if env.get(PASSWORD_ENV):
            values["password"] = env[PASSWORD_ENV]
        if env.get(EXPIRY_ENV):
            values["expiry"] = _number(env[EXPIRY_ENV], EXPIRY_ENV)
        if env.get(LOCAL_ENV):
            values["local_unoservers"] = int(_number(env[LOCAL_ENV], LOCAL_ENV))
        if env.get(UNOSERVERS_ENV):
            try:
                values["unoservers"] = tuple(
                    Address.parse(a) for a in env[UNOSERVERS_ENV].split(",") if a.strip()
                )
            except ValueError as err:
                raise BadOption(f"環境変数 {UNOSERVERS_ENV}: {err}") from None
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def megabytes(n: int) -> str:
    """20971520 → "20 MB"."""
    return f"{n / MB:.0f} MB"


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadOption(f"環境変数 {name} には数を指定してください（いまは「{text}」）") from None
    if value < 0:
        raise BadOption(f"環境変数 {name} には 0 以上の数を指定してください")
    return value
