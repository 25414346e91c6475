"""Access to the console: roles see only their pages (403 elsewhere), CSRF, rate-limited login, expiry, audit."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.console.conftest import (
    ACCOUNTS,
    CSRF,
    DEPARTMENT,
    OTHER_DEPARTMENT,
    PASSWORD,
    ConsoleServer,
    Staff,
    create_admin,
)

PAGES = {
    "/console/inbox": {"admin", "dispatcher"},
    "/console/training": {"admin", "dispatcher"},
    "/console/knowledge": {"admin", "dispatcher"},
    "/console/knowledge/service/id_card": {"admin", "dispatcher"},
    "/console/notices": {"admin", "dispatcher"},
    "/console/tickets": {"admin", "dispatcher", "department"},
    "/console/followups": {"admin", "dispatcher"},
    "/console/warnings": {"admin", "dispatcher", "department"},
    "/console/dashboard": {"admin", "dispatcher", "analyst"},
    "/console/reports/monthly": {"admin", "dispatcher", "analyst"},
    "/console/reports/monthly.csv": {"admin", "dispatcher", "analyst"},
    "/console/users": {"admin"},
    "/console/audit": {"admin"},
}
NAV_LABELS = {
    "未解决问题": "/console/inbox",
    "工单": "/console/tickets",
    "知识库": "/console/knowledge",
    "公告": "/console/notices",
    "模型训练": "/console/training",
    "数据看板": "/console/dashboard",
    "月度报告": "/console/reports/monthly",
    "用户": "/console/users",
    "操作记录": "/console/audit",
}


def test_pages_need_a_login(console_server: ConsoleServer) -> None:
    for path in PAGES:
        response = requests.get(console_server.url + path, allow_redirects=False, timeout=15)
        assert response.status_code == 303 and "/console/login" in response.headers["location"], path


@pytest.mark.parametrize("role", list(ACCOUNTS))
def test_each_role_sees_only_its_pages(role: str, staff, open_console) -> None:
    member: Staff = staff[role]
    for path, roles in PAGES.items():
        response = member.get(path)
        expected = 200 if role in roles else 403
        assert response.status_code == expected, (role, path, response.status_code)
        if expected == 403:
            assert "没有权限" in response.text
    # The browser shows the same: only the menu entries of the role, and the 403 page in Chinese.
    page = open_console(role)
    shown = {label for label in NAV_LABELS if page.page.locator(f"header nav a:text-is('{label}')").count()}
    assert shown == {label for label, path in NAV_LABELS.items() if role in PAGES[path]}
    page.shot(f"home-{role}")
    forbidden = next((p for p, roles in PAGES.items() if role not in roles and not p.endswith(".csv")), None)
    if forbidden:
        response = page.goto(forbidden)
        assert response.status == 403 and page.page.locator("h1").inner_text() == "没有权限"
        page.shot(f"forbidden-{role}")


def test_department_staff_see_only_their_department(console_server: ConsoleServer, staff) -> None:
    own = console_server.new_ticket(summary="楼道暖气管漏水", department=DEPARTMENT)
    other = console_server.new_ticket(summary="乡道有坑", description="村口公路坑洼很多。", department=OTHER_DEPARTMENT)
    member: Staff = staff["department"]
    listing = member.get("/console/tickets").text
    assert own["number"] in listing and other["number"] not in listing
    assert member.get(f"/console/tickets/{own['number']}").status_code == 200
    assert member.get(f"/console/tickets/{other['number']}").status_code == 403
    refused = member.post(f"/console/tickets/{other['number']}/reply", {"text": "不是我们部门的"})
    assert refused.status_code == 403
    assert console_server.api("GET", f"/api/tickets/{other['number']}").json()["reply"] is None
    # Dispatching belongs to the dispatcher: the department cannot reassign or close.
    assert (
        member.post(
            f"/console/tickets/{own['number']}/assign", {"department": OTHER_DEPARTMENT, "note": "改派"}
        ).status_code
        == 403
    )


def test_analyst_is_read_only(staff, console_server: ConsoleServer) -> None:
    analyst: Staff = staff["analyst"]
    ticket = console_server.new_ticket()
    for path, data in (
        (f"/console/tickets/{ticket['number']}/reply", {"text": "x"}),
        ("/console/notices", {"title": "x", "text": "y", "start": "2026-01-01", "end": "2099-01-01"}),
        ("/console/inbox/decide", {"message_ids": "1", "status": "dismissed"}),
        ("/console/training/start", {}),
        ("/console/users", {"username": "evil", "display_name": "x", "role": "admin", "password": "long-enough-pass"}),
    ):
        assert analyst.post(path, data).status_code == 403, path


def test_forms_without_the_csrf_token_are_refused(staff, console_server: ConsoleServer) -> None:
    dispatcher: Staff = staff["dispatcher"]
    notice = {"title": "不该出现的公告", "text": "CSRF 测试", "start": "2026-01-01", "end": "2099-12-31"}
    for csrf in (None, "forged-token"):
        response = dispatcher.post("/console/notices", notice, csrf=csrf)
        assert response.status_code == 403 and "安全校验" in response.text
    # A cross-site page cannot use the session either: the cookie is SameSite=Strict and HttpOnly.
    set_cookie = dispatcher.login_response.history[0].headers["set-cookie"].lower()
    assert "hy_console=" in set_cookie and "httponly" in set_cookie and "samesite=strict" in set_cookie
    public = requests.get(f"{console_server.url}/api/notices/active", timeout=10).json()
    assert all(n["title"] != "不该出现的公告" for n in public["notices"])
    # The login form has its own token (double submit): a bare POST is refused.
    bare = requests.post(
        f"{console_server.url}/console/login", timeout=15, data={"username": ACCOUNTS["admin"][0], "password": PASSWORD}
    )
    assert bare.status_code == 403 and "hy_console=" not in bare.headers.get("set-cookie", "")


def test_login_is_rate_limited(console_server: ConsoleServer, staff) -> None:
    admin: Staff = staff["admin"]
    assert (
        admin.post(
            "/console/users", {"username": "xiaozhao", "display_name": "小赵", "role": "analyst", "password": PASSWORD}
        ).status_code
        == 303
    )
    session = requests.Session()

    def attempt(password: str) -> requests.Response:
        page = session.get(f"{console_server.url}/console/login", timeout=15).text
        token = CSRF.search(page).group(1)
        return session.post(
            f"{console_server.url}/console/login",
            timeout=30,
            allow_redirects=False,
            data={"username": "xiaozhao", "password": password, "csrf_token": token},
        )

    statuses = [attempt(f"wrong-password-{i}").status_code for i in range(5)]
    assert statuses == [401] * 5
    blocked = attempt("still-wrong")
    assert blocked.status_code == 429 and "次数过多" in blocked.text
    assert attempt(PASSWORD).status_code == 429  # even the right password waits for the window


def test_sessions_expire_when_idle(console_server: ConsoleServer) -> None:
    member = Staff(console_server, ACCOUNTS["analyst"][0])
    assert member.get("/console/dashboard").status_code == 200
    token_hash = hashlib.sha256(member.session.cookies["hy_console"].encode()).hexdigest()
    engine = create_engine(console_server.database_url)
    with engine.begin() as connection:  # as if this session's last request had been an hour ago
        connection.execute(
            text("UPDATE console_sessions SET last_seen_at = :t WHERE token_hash = :h"),
            {"t": datetime.utcnow() - timedelta(hours=1), "h": token_hash},
        )
    engine.dispose()
    response = member.get("/console/dashboard")
    assert response.status_code == 303 and "/console/login" in response.headers["location"]


def test_logout_ends_the_session(console_server: ConsoleServer) -> None:
    member = Staff(console_server, ACCOUNTS["dispatcher"][0])
    assert member.post("/console/logout").status_code == 303
    assert member.get("/console/tickets").status_code == 303


def test_first_admin_comes_from_the_command_only(console_server: ConsoleServer, tmp_path) -> None:
    weak = create_admin(tmp_path, console_server.database_url, "admin2", "short")
    assert weak.returncode == 1 and "至少需要" in weak.stderr
    taken = create_admin(tmp_path, console_server.database_url, ACCOUNTS["admin"][0], PASSWORD)
    assert taken.returncode == 1 and "已存在" in taken.stderr
    engine = create_engine(console_server.database_url)
    with engine.connect() as connection:
        hashes = [row[0] for row in connection.execute(text("SELECT password_hash FROM console_users"))]
    engine.dispose()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes) and PASSWORD not in "".join(hashes)


def test_user_changes_are_in_the_audit_log(staff, open_console) -> None:
    admin: Staff = staff["admin"]
    assert (
        admin.post(
            "/console/users",
            {
                "username": "laoyang",
                "display_name": "老杨",
                "role": "department",
                "department": DEPARTMENT,
                "password": PASSWORD,
            },
        ).status_code
        == 303
    )
    log = admin.get("/console/audit?action_name=user&target=user:laoyang").text
    assert "user.create" in log and "老杨" in log and ACCOUNTS["admin"][0] in log
    page = open_console("admin")
    page.goto("/console/users")
    page.shot("users")
    page.goto("/console/audit")
    page.shot("audit")
