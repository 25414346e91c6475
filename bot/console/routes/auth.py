"""Login, logout, changing one's own password.

The login form has no session yet, so its CSRF token is a double-submit pair: a random value in a
short-lived SameSite=Strict cookie and the same value in the form.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request

from bot.console.routes.deps import (
    SESSION_COOKIE,
    ConsoleRoute,
    action,
    console,
    page,
    render,
    safe_next,
    see_other,
)
from bot.console.services.auth import AccountError, CurrentUser, LoginRefused

router = APIRouter(route_class=ConsoleRoute)
LOGIN_CSRF_COOKIE = "hy_console_login"


def _login_page(
    request: Request, next_url: str, error: str = "", status: int = 200, username: str = "", flash: str = ""
):
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"title": "登录", "login_csrf": token, "next": next_url, "error": error, "flash": flash, "username": username},
        status=status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        max_age=1800,
        httponly=True,
        samesite="strict",
        secure=console(request).settings.secure_cookies,
        path="/console",
    )
    return response


@router.get("/login", summary="登录页")
def login_form(request: Request, next: str | None = None, changed: str | None = None):
    return _login_page(request, safe_next(next), flash="密码已修改，请用新密码登录。" if changed else "")


@router.post("/login", summary="登录")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form("/console/"),
):
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    target = safe_next(next)
    if not cookie or not csrf_token or not secrets.compare_digest(cookie, csrf_token):
        return _login_page(
            request, target, "页面已过期（安全校验未通过），请重新输入后登录。", status=403, username=username
        )
    client = request.client.host if request.client else "-"
    try:
        token, _user = console(request).accounts.login(username, password, client)
    except LoginRefused as refused:
        if refused.reason == "rate_limited":
            wait = f"{refused.retry_after} 秒" if refused.retry_after < 120 else f"{refused.retry_after // 60} 分钟"
            response = _login_page(
                request, target, f"登录失败次数过多，请 {wait}后再试。", status=429, username=username
            )
            response.headers["Retry-After"] = str(refused.retry_after)
            return response
        return _login_page(request, target, "用户名或密码不正确。", status=401, username=username)
    settings = console(request).settings
    response = see_other(target)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/console",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/console")
    return response


@router.post("/logout", summary="退出登录")
def logout(request: Request, user: CurrentUser = Depends(action())):
    console(request).accounts.logout(user)
    if console(request).reception:  # 人工接待: no new citizens for someone who left
        console(request).reception.leave(user)
    response = see_other("/console/login")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/password", summary="修改密码")
def password_form(request: Request, user: CurrentUser = Depends(page())):
    return render(request, "password.html", {"title": "修改密码", "user": user})


@router.post("/password", summary="修改密码")
def change_password(
    request: Request,
    current: str = Form(""),
    new: str = Form(""),
    repeat: str = Form(""),
    user: CurrentUser = Depends(action()),
):
    if new != repeat:
        return render(
            request,
            "password.html",
            {"title": "修改密码", "user": user, "error": "两次输入的新密码不一致。"},
            status=400,
        )
    try:
        console(request).accounts.set_password(user, user.id, new, current_password=current)
    except AccountError as error:
        return render(request, "password.html", {"title": "修改密码", "user": user, "error": str(error)}, status=400)
    response = see_other("/console/login?changed=1")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response
