"""The API description page `/docs` (Swagger UI, served from here: works offline, no CDN).

The page itself is public and carries no secret. Whoever reads it types the API token into a password
field; the page's script fetches `/openapi.json` with `Authorization: Bearer …` and sends the same
header with every "Try it out" request. The token never travels in a URL, a page or a log line.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Swagger UI sets style attributes, hence 'unsafe-inline' for styles only; scripts are our files alone.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)
_static = StaticFiles(directory=STATIC_DIR)


@router.get("/docs")
def docs_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "docs.html", media_type="text/html; charset=utf-8", headers=HEADERS)


@router.get("/docs/static/{path:path}")
async def docs_asset(path: str, request: Request) -> Response:
    response = await _static.get_response(path, request.scope)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
