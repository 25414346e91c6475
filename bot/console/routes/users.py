"""Users (admin only): create accounts, change role/department, disable, reset passwords; the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request

from bot.console.crud import audit as audit_crud
from bot.console.crud import users as crud
from bot.console.permissions import ROLE_LABELS
from bot.console.routes.deps import ConsoleRoute, action, console, not_found, page, render, see_other
from bot.console.services.auth import AccountError, CurrentUser

router = APIRouter(route_class=ConsoleRoute)
DONE = {"created": "账号已创建。", "updated": "账号已更新。", "password": "密码已重置，该用户需要重新登录。"}


def _users_page(
    request: Request, user: CurrentUser, error: str = "", form: dict | None = None, status: int = 200, done: str = ""
):
    app = console(request)
    with app.db.session() as session:
        users = crud.list_users(session)
    return render(
        request,
        "users.html",
        {
            "title": "用户管理",
            "user": user,
            "users": users,
            "roles": ROLE_LABELS,
            "error": error,
            "departments": app.workbench.departments(),
            "form": form or {},
            "flash": DONE.get(done, ""),
        },
        status=status,
    )


@router.get("/users", summary="用户管理")
def users(request: Request, done: str = "", user: CurrentUser = Depends(page("users"))):
    return _users_page(request, user, done=done)


@router.post("/users", summary="新建账号")
def create_user(
    request: Request,
    username: str = Form(""),
    display_name: str = Form(""),
    role: str = Form(""),
    department: str = Form(""),
    password: str = Form(""),
    user: CurrentUser = Depends(action("users")),
):
    try:
        console(request).accounts.create_user(user, username, display_name, role, password, department or None)
    except AccountError as error:
        form = {"username": username, "display_name": display_name, "role": role, "department": department}
        return _users_page(request, user, str(error), form, status=400)
    return see_other("/console/users?done=created")


@router.post("/users/{user_id}", summary="修改账号")
def update_user(
    request: Request,
    user_id: int,
    display_name: str = Form(""),
    role: str = Form(""),
    department: str = Form(""),
    active: str = Form(""),
    user: CurrentUser = Depends(action("users")),
):
    try:
        console(request).accounts.update_user(user, user_id, display_name, role, department or None, active == "1")
    except AccountError as error:
        return _users_page(request, user, str(error), status=400)
    return see_other("/console/users?done=updated")


@router.post("/users/{user_id}/password", summary="重置密码")
def reset_password(
    request: Request, user_id: int, password: str = Form(""), user: CurrentUser = Depends(action("users"))
):
    app = console(request)
    with app.db.session() as session:
        if crud.get_user(session, user_id) is None:
            raise not_found("用户")
    try:
        app.accounts.set_password(user, user_id, password)
    except AccountError as error:
        return _users_page(request, user, str(error), status=400)
    return see_other("/console/users?done=password")


@router.get("/audit", summary="操作记录")
def audit_log(
    request: Request,
    actor: str = "",
    action_name: str = "",
    target: str = "",
    user: CurrentUser = Depends(page("audit")),
):
    with console(request).db.session() as session:
        entries = audit_crud.entries(
            session,
            actor=actor.strip() or None,
            action=action_name.strip() or None,
            target_prefix=target.strip() or None,
        )
    return render(
        request,
        "audit.html",
        {
            "title": "操作记录",
            "user": user,
            "entries": entries,
            "filters": {"actor": actor, "action_name": action_name, "target": target},
        },
    )
