"""What every console page needs: the console services, the logged-in user, role checks, CSRF, rendering.

`ConsoleRoute` turns the console's own exceptions into HTML (a login redirect, a Chinese 403/404 page,
a polite page for malformed input) and adds the security headers to every console response; the rest
of the backend keeps its JSON error handlers.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Depends, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from bot.common.privacy import mask_name, mask_phone, mask_text
from bot.console.permissions import ROLE_LABELS, allowed, nav_for
from bot.console.services.auth import CurrentUser
from bot.console.services.inbox import STATUS_LABELS as INBOX_STATUS_LABELS
from bot.console.services.intent_labels import intent_label
from bot.console.services.report import percent
from bot.console.services.timefmt import china_time
from bot.console.services.tracker import REASONS

SESSION_COOKIE = "hy_console"
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
TEMPLATES.env.filters.update(
    china_time=china_time,
    mask=lambda t: mask_text(t) if t else "",
    mask_phone=mask_phone,
    mask_name=mask_name,
    pct=percent,
    role_label=lambda r: ROLE_LABELS.get(r, r),
    reason=lambda r: REASONS.get(r, r or ""),
    inbox_status=lambda s: INBOX_STATUS_LABELS.get(s, s or ""),
    intent=intent_label,
)
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class LoginRequired(Exception):
    pass


class PageError(Exception):
    def __init__(self, status: int, title: str, message: str):
        super().__init__(message)
        self.status, self.title, self.message = status, title, message


def forbidden() -> PageError:
    return PageError(403, "没有权限", "您的角色不能查看或操作这个页面。如需开通，请联系系统管理员。")


def not_found(what: str = "页面") -> PageError:
    return PageError(404, "没有找到", f"没有找到这个{what}，它可能已被删除或链接有误。")


def render(
    request: Request, template: str, context: dict[str, Any], status: int = 200, user: CurrentUser | None = None
) -> HTMLResponse:
    user = user or context.get("user")
    base = {
        "request": request,
        "user": user,
        "nav": nav_for(user.role) if user else [],
        "csrf": user.csrf_token if user else "",
        "can": (lambda p: allowed(user.role, p)) if user else (lambda p: False),
        "badges": nav_badges(request, user),
    }
    return TEMPLATES.TemplateResponse(request, template, {**base, **context}, status_code=status)


def nav_badges(request: Request, user: CurrentUser | None) -> dict[str, int]:
    """Counts shown beside menu entries: unseen deadline warnings (时限预警)."""
    board = getattr(getattr(request.app.state, "console", None), "deadlines", None)
    if user is None or board is None:
        return {}
    return {"/console/warnings": board.unseen(user)}


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def safe_next(target: str | None) -> str:
    """Only local console paths (no //host, no scheme) may follow a login."""
    if target and target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return "/console/"


class ConsoleRoute(APIRoute):
    def get_route_handler(self) -> Callable:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                response = await original(request)
            except LoginRequired:
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = see_other(f"/console/login?next={quote(target)}")
            except PageError as error:
                response = render(
                    request,
                    "error.html",
                    {
                        "title": error.title,
                        "message": error.message,
                        "user": getattr(request.state, "console_user", None),
                    },
                    status=error.status,
                )
            except RequestValidationError:
                response = render(
                    request,
                    "error.html",
                    {
                        "title": "输入有误",
                        "message": "提交的内容格式不正确，请返回检查后重试。",
                        "user": getattr(request.state, "console_user", None),
                    },
                    status=422,
                )
            for name, value in SECURITY_HEADERS.items():
                response.headers.setdefault(name, value)
            response.headers.setdefault("Cache-Control", "no-store")
            return response

        return handler


def console(request: Request):
    return request.app.state.console


def current_user(request: Request) -> CurrentUser:
    user = console(request).accounts.session_user(request.cookies.get(SESSION_COOKIE))
    if user is None:
        raise LoginRequired()
    request.state.console_user = user
    return user


def check_csrf(user: CurrentUser, token: str | None) -> None:
    if not token or not secrets.compare_digest(token.encode("utf-8"), user.csrf_token.encode("utf-8")):
        raise PageError(403, "表单已失效", "安全校验（CSRF）未通过：请刷新页面后重新提交。")


def page(permission: str | None = None):
    """Dependency for GET pages: logged in, and holding `permission` (403 otherwise)."""

    def dependency(user: CurrentUser = Depends(current_user)) -> CurrentUser:
        if permission and not allowed(user.role, permission):
            raise forbidden()
        return user

    return dependency


def action(permission: str | None = None):
    """Dependency for form posts: as `page`, plus the session's CSRF token in the form."""

    def dependency(user: CurrentUser = Depends(current_user), csrf_token: str = Form("")) -> CurrentUser:
        check_csrf(user, csrf_token)
        if permission and not allowed(user.role, permission):
            raise forbidden()
        return user

    return dependency
