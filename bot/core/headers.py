"""Security headers on every backend response, error pages included.

Pages set their own Content-Security-Policy (console, chat page, API docs); every response without one
that is an error (4xx/5xx: JSON or Starlette's plain 404/405) gets a policy that allows nothing, so an
error page can never run or frame anything. `setdefault`: what a route set itself wins.
"""

from __future__ import annotations

from typing import TypeVar

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class SecurityHeaders:
    """Plain ASGI middleware (Starlette's BaseHTTPMiddleware runs each request through a task group and
    memory streams: about a tenth of a ticket create's CPU, bench/README.md)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in (ERROR_PAGE if message["status"] >= 400 else BASELINE).items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)
