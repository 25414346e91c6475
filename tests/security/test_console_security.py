"""The console and the backend's pages (issue 14, defect 10; issue 17, item 8: /docs offline):
login backoff per address and account, X-Forwarded-For only from configured proxies, Secure cookies
outside loopback, security headers on error pages, and an API docs page that never carries the token."""

from __future__ import annotations

import re
import time

import pytest
import requests

from bot.console.config import ConsoleSettings
from tests.conftest import SCREENSHOTS
from tests.console.conftest import CSRF, PASSWORD, create_admin
from tests.support.backend_process import BackendProcess

ADMIN = "admin-sec"


def _admin(backend: BackendProcess) -> None:
    result = create_admin(backend.var_dir, backend.database_url, ADMIN, PASSWORD)
    assert result.returncode == 0, result.stderr


def login(backend: BackendProcess, username: str, password: str, address: str | None = None) -> requests.Response:
    session = requests.Session()
    headers = {"X-Forwarded-For": address} if address else {}
    page = session.get(f"{backend.url}/console/login", headers=headers, timeout=15).text
    return session.post(
        f"{backend.url}/console/login",
        headers=headers,
        timeout=30,
        allow_redirects=False,
        data={"username": username, "password": password, "csrf_token": CSRF.search(page).group(1)},
    )


def test_a_guesser_elsewhere_does_not_lock_the_administrator_out(behind_proxy: BackendProcess) -> None:
    _admin(behind_proxy)
    attacker, admin_desk = "198.51.100.1", "198.51.100.2"
    codes = [login(behind_proxy, ADMIN, f"wrong-{i}", attacker).status_code for i in range(3)]
    assert codes == [401, 401, 401]
    blocked = login(behind_proxy, ADMIN, "wrong-again", attacker)
    assert blocked.status_code == 429 and "秒后再试" in blocked.text and blocked.headers["Retry-After"] == "1"
    # Before the fix: five failures locked the account for everyone for five minutes.
    assert login(behind_proxy, ADMIN, PASSWORD, admin_desk).status_code == 303
    # The guesser waits longer and longer, never locked out for good.
    time.sleep(1.1)
    assert login(behind_proxy, ADMIN, "wrong-4", attacker).status_code == 401
    assert login(behind_proxy, ADMIN, "wrong-5", attacker).headers.get("Retry-After") == "2"


def test_forwarded_for_is_not_believed_from_an_unconfigured_proxy(no_proxy: BackendProcess) -> None:
    # Six failures from "six addresses" (X-Forwarded-For) are six failures from this one client.
    codes = [login(no_proxy, f"nobody{i}", "wrong-password", f"203.0.113.{i}").status_code for i in range(7)]
    assert codes[:6] == [401] * 6 and codes[6] == 429, codes


def test_session_cookies_are_secure_outside_loopback(monkeypatch) -> None:
    monkeypatch.delenv("CONSOLE_SECURE_COOKIES", raising=False)
    monkeypatch.setenv("BACKEND_HOST", "0.0.0.0")
    assert ConsoleSettings.from_env().secure_cookies is True
    monkeypatch.setenv("BACKEND_HOST", "10.1.2.3")
    assert ConsoleSettings.from_env().secure_cookies is True
    monkeypatch.setenv("BACKEND_HOST", "127.0.0.1")  # plain http on this machine keeps working
    assert ConsoleSettings.from_env().secure_cookies is False
    monkeypatch.setenv("BACKEND_HOST", "0.0.0.0")
    monkeypatch.setenv("CONSOLE_SECURE_COOKIES", "0")  # explicit choice wins (e.g. a lab network)
    assert ConsoleSettings.from_env().secure_cookies is False


@pytest.mark.parametrize(
    "method, path",
    [("GET", "/console/no-such-page"), ("GET", "/api/no-such-thing"), ("DELETE", "/healthz"), ("GET", "/static/x.js")],
)
def test_error_pages_carry_security_headers(no_proxy: BackendProcess, method: str, path: str) -> None:
    response = requests.request(method, no_proxy.url + path, timeout=10)
    assert response.status_code in (404, 405), response.status_code
    assert "default-src 'none'" in response.headers.get("Content-Security-Policy", "")
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"


def test_docs_page_never_carries_the_token(no_proxy: BackendProcess) -> None:
    token = no_proxy.token
    page = requests.get(f"{no_proxy.url}/docs", params={"api_key": token}, timeout=10)
    assert page.status_code == 200 and token not in page.text
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(a.startswith("/docs/static/") for a in assets), assets  # nothing from a CDN
    for asset in assets:
        assert requests.get(no_proxy.url + asset, timeout=10).status_code == 200, asset
    spec = f"{no_proxy.url}/openapi.json"
    assert requests.get(spec, params={"api_key": token}, timeout=10).status_code == 401  # not in URLs
    assert requests.get(spec, headers={"Authorization": f"Bearer {token}"}, timeout=10).status_code == 200


def test_docs_work_offline_in_a_browser(browser, no_proxy: BackendProcess) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    outside: list[str] = []
    context.route(
        re.compile(r"^(?!http://127\.0\.0\.1).*"), lambda route: (outside.append(route.request.url), route.abort())
    )
    page = context.new_page()
    page.goto(f"{no_proxy.url}/docs")
    page.fill("#token", no_proxy.token)
    page.click("#token-form button")
    page.wait_for_selector(".opblock-summary-path", timeout=30000)  # Swagger UI rendered the operations
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/tickets/status-query" in paths and len(paths) >= 12
    assert "token" not in page.url and no_proxy.token not in page.url
    page.screenshot(path=str(SCREENSHOTS / "api-docs-desktop.png"))
    context.close()
    assert outside == []
