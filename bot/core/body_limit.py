"""Requests whose declared body exceeds the limit get 413 before the body is read (plain ASGI middleware)."""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = next((v for k, v in scope["headers"] if k == b"content-length"), b"")
            if length.isdigit() and int(length) > self.max_bytes:
                await JSONResponse(status_code=413, content={"detail": "请求内容过大"})(scope, receive, send)
                return
        await self.app(scope, receive, send)
