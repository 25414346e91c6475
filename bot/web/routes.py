"""The citizens' web chat page: `/` and `/chat`, its assets under `/static/…`, its config at `/chat-config.js`.

All public (no API token): the page talks to the Rasa server directly (socket.io, REST as a fallback);
the backend only serves files and tells the page where Rasa is (RASA_PUBLIC_URL).
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
_WILDCARD_HOSTS = {"0.0.0.0", "::", "[::]"}

router = APIRouter(include_in_schema=False)
_static = StaticFiles(directory=STATIC_DIR)


def rasa_public_url(request: Request) -> str:
    """RASA_PUBLIC_URL; a wildcard bind address (0.0.0.0) is replaced by the host the browser used."""
    url = request.app.state.settings.rasa_public_url.rstrip("/")
    parts = urlsplit(url)
    if parts.hostname in _WILDCARD_HOSTS and request.url.hostname:
        port = f":{parts.port}" if parts.port else ""
        url = f"{parts.scheme}://{request.url.hostname}{port}{parts.path}"
    return url


def _security_headers(rasa_url: str) -> dict[str, str]:
    """Only our own files run; the page may connect to itself and to Rasa (HTTP and WebSocket)."""
    parts = urlsplit(rasa_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    ws_origin = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"
    policy = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self' {origin} {ws_origin}; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    )
    return {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


@router.get("/")
@router.get("/chat")
def chat_page(request: Request) -> FileResponse:
    return FileResponse(
        STATIC_DIR / "index.html",
        media_type="text/html; charset=utf-8",
        headers=_security_headers(rasa_public_url(request)),
    )


@router.get("/chat-config.js")
def chat_config(request: Request) -> Response:
    config = {"rasaUrl": rasa_public_url(request), "socketPath": "/socket.io", "channel": "web"}
    body = f"window.HAIYUAN_CHAT_CONFIG = {json.dumps(config, ensure_ascii=False)};\n"
    return Response(
        body,
        media_type="application/javascript; charset=utf-8",
        headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/static/{path:path}")
async def static_file(path: str, request: Request) -> Response:
    """Files under bot/web/static/ (Starlette's StaticFiles: no path escapes, ETag, 304, 404)."""
    response = await _static.get_response(path, request.scope)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Cache-Control", "no-cache")
    return response
