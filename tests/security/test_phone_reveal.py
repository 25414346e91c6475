"""「查看完整号码」 (issue 17, defect 1) on the real backend: the roles that call citizens back see the
full number on the ticket page after one click, audited (who, when, which ticket) and rate-limited; the
API has a scope of its own; everywhere else the number stays masked."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import SCREENSHOTS
from tests.console.conftest import PASSWORD, Staff, create_admin
from tests.security.conftest import start_backend
from tests.support.backend_process import Api, BackendProcess

PHONE = "13911112222"
MASKED = "139****2222"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    backend = start_backend(tmp_path_factory.mktemp("reveal"), CONSOLE_PHONE_REVEALS_PER_HOUR="3")
    assert create_admin(backend.var_dir, backend.database_url, "admin-r", PASSWORD).returncode == 0
    admin = Staff(backend, "admin-r")
    for name, role, department in [("dept-r", "department", "海原县住房和城乡建设局"), ("analyst-r", "analyst", "")]:
        form = {"username": name, "display_name": name, "role": role, "department": department, "password": PASSWORD}
        assert admin.post("/console/users", form).status_code == 303
    yield backend
    backend.stop()


def new_ticket(server: BackendProcess, department: str = "海原县住房和城乡建设局") -> str:
    return Api(server).new_ticket(phone=PHONE, department=department)["number"]


def reveal(member: Staff, number: str) -> requests.Response:
    return member.post(f"/console/tickets/{number}/phone")


def test_the_ticket_page_reveals_the_number_once_asked_and_audits_it(server: BackendProcess) -> None:
    number = new_ticket(server)
    member = Staff(server, "dept-r")
    page = member.get(f"/console/tickets/{number}").text
    assert MASKED in page and PHONE not in page and "查看完整号码" in page  # before the fix: no way at all
    shown = reveal(member, number)
    assert shown.status_code == 200 and PHONE in shown.text
    assert shown.headers["Cache-Control"] == "no-store"
    assert PHONE not in member.get(f"/console/tickets/{number}").text  # masked again on the next view
    audit = Staff(server, "admin-r").get("/console/audit").text
    assert "phone.reveal" in audit and f"ticket:{number}" in audit and "dept-r" in audit


def test_roles_that_do_not_call_back_cannot_reveal(server: BackendProcess) -> None:
    number = new_ticket(server)
    analyst = Staff(server, "analyst-r")
    assert reveal(analyst, number).status_code == 403
    other_department = new_ticket(server, department="海原县教育体育局")
    response = reveal(Staff(server, "dept-r"), other_department)  # not their department's ticket
    assert response.status_code == 403 and PHONE not in response.text
    forged = Staff(server, "admin-r").post(f"/console/tickets/{number}/phone", csrf="forged")
    assert forged.status_code == 403 and PHONE not in forged.text


def test_reveals_are_rate_limited_per_staff_member(server: BackendProcess) -> None:
    admin = Staff(server, "admin-r")
    numbers = [new_ticket(server) for _ in range(4)]
    codes = [reveal(admin, n).status_code for n in numbers]
    assert codes == [200, 200, 200, 429]  # CONSOLE_PHONE_REVEALS_PER_HOUR=3 in this backend
    assert "过于频繁" in reveal(admin, numbers[0]).text


def test_the_api_needs_the_contact_scope(server: BackendProcess) -> None:
    number = new_ticket(server)
    api = Api(server)
    assert api.get(f"/api/tickets/{number}").json()["phone"] == MASKED
    url = f"{server.url}/api/tickets/{number}/contact"
    plain = requests.get(url, headers={**server.headers(), "X-Actor": "callback-desk"}, timeout=10)
    assert plain.status_code == 403 and PHONE not in plain.text
    contact_token = (server.var_dir / "secrets" / "contact_token").read_text().strip()
    scoped = {"Authorization": f"Bearer {contact_token}", "X-Actor": "callback-desk"}
    answer = requests.get(url, headers=scoped, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"number": number, "phone": PHONE}
    assert requests.get(url, headers={"Authorization": scoped["Authorization"]}, timeout=10).status_code == 422
    assert "api:callback-desk" in Staff(server, "admin-r").get("/console/audit").text
    # The contact token is no API token: it opens nothing else.
    assert requests.get(f"{server.url}/api/tickets", headers=scoped, timeout=10).status_code == 401


def test_the_reveal_button_on_phone_and_desktop(browser, server: BackendProcess) -> None:
    number = new_ticket(server)
    for name, viewport in [("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})]:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        page = context.new_page()
        page.goto(f"{server.url}/console/login")
        page.fill("input[name=username]", "dept-r")
        page.fill("input[name=password]", PASSWORD)
        page.click("form button[type=submit]")
        page.goto(f"{server.url}/console/tickets/{number}")
        assert page.inner_text("#masked-phone") == MASKED
        page.click("form.reveal-phone button")
        assert page.inner_text("#full-phone") == PHONE
        page.screenshot(path=str(SCREENSHOTS / f"console-ticket-phone-revealed-{name}.png"), full_page=False)
        context.close()
