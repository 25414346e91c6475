"""Security headers on every backend response, error pages included.

Pages set their own Content-Security-Policy (console, chat page, API docs); every response without one
that is an error (4xx/5xx: JSON or Starlette's plain 404/405) gets a policy that allows nothing, so an
error page can never run or frame anything. `setdefault`: what a route set itself wins.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from fastapi import FastAPI, Request
from starlette.responses import Response

BASELINE = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}
ERROR_PAGE = {
    **BASELINE,
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "Cache-Control": "no-store",
}


AnyResponse = TypeVar("AnyResponse", bound=Response)


def add_security_headers(response: AnyResponse) -> AnyResponse:
    for name, value in (ERROR_PAGE if response.status_code >= 400 else BASELINE).items():
        response.headers.setdefault(name, value)
    return response


def install_security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        return add_security_headers(await call_next(request))
