"""The session (a signed cookie holding a random id), CSRF tokens, security headers, request limits
and the optional access password."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from hino_forms.web.settings import Settings, megabytes

SESSION_COOKIE = "hino_forms_session"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
OPEN_PATHS = ("/login", "/static/")  # reachable before the access password


class CsrfFailed(Exception):
    """A form came without this session's token (another site, or a page from before a restart)."""


def owner(request: Request) -> str:
    """This browser session's random id (made on first use; the cookie is signed)."""
    sid = request.session.get("sid")
    if not isinstance(sid, str):
        sid = request.session["sid"] = secrets.token_urlsafe(24)
    return sid


def csrf_token(request: Request) -> str:
    """The token every form of this session carries."""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = request.session["csrf"] = secrets.token_urlsafe(24)
    return token


def check_csrf(request: Request, sent: object) -> None:
    """Raise CsrfFailed unless ``sent`` is this session's token."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not isinstance(sent, str):
        raise CsrfFailed
    if not hmac.compare_digest(token, sent):
        raise CsrfFailed


def password_ok(settings: Settings, given: str) -> bool:
    """The access password, compared in constant time."""
    return settings.password is not None and hmac.compare_digest(
        settings.password.encode(), given.encode()
    )


Next = Callable[[Request], Awaitable[Response]]


def guard(
    settings: Settings, refuse: Callable[[Request, int, str], Response]
) -> Callable[[Request, Next], Awaitable[Response]]:
    """One middleware: the access password, the request-size limit and the security headers."""

    async def middleware(request: Request, call_next: Next) -> Response:
        response = await _checked(request, call_next)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")  # pages hold personal data
        return response

    async def _checked(request: Request, call_next: Next) -> Response:
        if request.method == "POST":
            length = request.headers.get("content-length")
            if length is None or not length.isdigit():
                return refuse(
                    request, 411, "送信の大きさが分かりません。ページを開き直してください。"
                )
            if int(length) > settings.max_upload_bytes + 64 * 1024:
                return refuse(
                    request,
                    413,
                    f"ファイルが大きすぎます（上限 {megabytes(settings.max_upload_bytes)}）。"
                    "契約ごとなどに分けたブックにしてください。",
                )
        path = request.url.path
        if settings.password and not path.startswith(OPEN_PATHS):
            if request.session.get("authed") is not True:
                return RedirectResponse("/login", status_code=303)
        return await call_next(request)

    return middleware
