"""FastAPI dependencies for the API token: `Authorization: Bearer <token>` (or `api_key=` where allowed)."""

from __future__ import annotations

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyQuery, HTTPAuthorizationCredentials, HTTPBearer

from bot.core.security import token_matches

bearer_scheme = HTTPBearer(auto_error=False, description="API 令牌（BACKEND_API_TOKEN 或 var/secrets/api_token）")
api_key_scheme = APIKeyQuery(name="api_key", auto_error=False, description="与 API 令牌相同（Open311 约定）")

UNAUTHORIZED_DETAIL = "缺少或无效的访问令牌"


def is_authorized(request: Request, *candidates: str | None) -> bool:
    expected = getattr(request.app.state, "api_token", "")
    return any(token_matches(candidate, expected) for candidate in candidates if candidate)


def require_token(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme)) -> None:
    if not is_authorized(request, credentials.credentials if credentials else None):
        raise HTTPException(status_code=401, detail=UNAUTHORIZED_DETAIL, headers={"WWW-Authenticate": "Bearer"})


def token_or_api_key(
    credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
    api_key: str | None = Depends(api_key_scheme),
) -> str | None:
    """The candidate token from the header or the api_key parameter (checked by the caller)."""
    return credentials.credentials if credentials else api_key


def require_token_or_api_key(request: Request, candidate: str | None = Depends(token_or_api_key)) -> None:
    if not is_authorized(request, candidate):
        raise HTTPException(status_code=401, detail=UNAUTHORIZED_DETAIL, headers={"WWW-Authenticate": "Bearer"})
