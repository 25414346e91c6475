"""Tickets get their type and department from the learned triage, through the real backend process; the
dispatcher sees the top three of an unsure ticket, and the choice becomes a labelled training example."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys

import requests

from bot.core.settings import ROOT
from bot.tickets.departments import infer_department
from bot.tickets.rules import read_rules
from bot.triage import UNASSIGNED, triage

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
RULES = read_rules(ROOT / "knowledge" / "ticket_rules.yml")
WAGES = (
    "尊敬的领导您好，感谢您百忙之中看我的信。我是海城镇X村村民，去年在县城某工地干了八个月，"
    "包工头至今拖欠我们十几个人的工钱三万多元，多次讨要都推说没钱，恳请领导帮我们要回血汗钱。"
)
UNSURE = "我想反映个情况，这事拖了好久了，希望有人管一管"


def create(api, **fields) -> dict:
    body = {"summary": fields["description"][:60], "phone": "13812345678", "consent": True, **fields}
    response = api.post("/api/tickets", json=body, headers={"Idempotency-Key": secrets.token_hex(8)})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_ticket_without_type_or_department_is_triaged(api):
    ticket = create(api, description=WAGES)
    assert ticket["category"] == "投诉"  # the first-keyword rule read 感谢 as 表扬
    assert ticket["department"] == "海原县人力资源和社会保障局"
    assert ticket["department_inferred"] is True
    candidates = ticket["department_candidates"]
    assert len(candidates) == 3 and candidates[0]["department"] == ticket["department"]
    assert abs(ticket["department_score"] - candidates[0]["score"]) < 1e-3 and ticket["department_score"] > 0
    assert "智能分流" in ticket["events"][0]["note"]


def test_todays_create_request_keeps_its_type_and_department(api):
    ticket = create(api, category="建议", department="海原县交通运输局", description=WAGES)
    assert (ticket["category"], ticket["department"]) == ("建议", "海原县交通运输局")
    assert ticket["department_inferred"] is False and ticket["department_candidates"] == []
    assert ticket["department_score"] is None


def test_open311_requests_are_routed_the_same_way(api, backend):
    text = "小区物业收了物业费不干活，楼道灯坏了半年没人修，电梯也经常停"
    form = {"api_key": backend.token, "service_code": "complaint", "description": text, "address_string": "海城镇"}
    created = api.post("/open311/v2/requests.json", token=False, data=form)
    assert created.status_code == 201, created.text
    number = created.json()[0]["service_request_id"]
    ticket = api.get(f"/api/tickets/{number}").json()
    expected = triage(f"{text} 海城镇")
    assert ticket["department"] == expected.department == "海原县住房和城乡建设局"
    assert [c["department"] for c in ticket["department_candidates"]] == [n for n, _ in expected.departments]


class Staff:
    def __init__(self, url: str, username: str, password: str):
        self.url, self.session = url, requests.Session()
        page = self.session.get(f"{url}/console/login", timeout=15)
        data = {"username": username, "password": password, "csrf_token": CSRF.search(page.text).group(1)}
        response = self.session.post(f"{url}/console/login", data=data, timeout=15)
        assert response.url.endswith("/console/"), response.text[-300:]
        self.csrf = CSRF.search(response.text).group(1)


def dispatcher(backend) -> Staff:
    username, password = f"paidan{secrets.token_hex(3)}", "Haiyuan-console-2026!"
    env = {**backend._env()}
    command = [sys.executable, "-m", "bot.console.create_admin", "--username", username, "--password-stdin"]
    result = subprocess.run(command, input=password + "\n", capture_output=True, text=True, cwd=ROOT, env=env)
    assert result.returncode == 0, result.stderr
    return Staff(backend.url, username, password)


def test_unsure_ticket_goes_to_the_dispatcher_whose_top_three_choice_becomes_an_example(api, backend):
    assert triage(UNSURE).department == UNASSIGNED and not infer_department(UNSURE, RULES).matched
    ticket = create(api, category="投诉", description=UNSURE)
    assert ticket["department"] == "待分派" and ticket["department_inferred"] is True
    top = [c["department"] for c in ticket["department_candidates"]]
    assert len(top) == 3

    staff = dispatcher(backend)
    number = ticket["number"]
    page = staff.session.get(f"{backend.url}/console/tickets/{number}", timeout=15).text
    form = page[page.index('id="triage-form"') :]
    form = form[: form.index("</form>")]
    assert all(f'value="{name}"' in form for name in top)

    chosen = top[1]
    data = {"department": chosen, "note": "按智能分流建议派单", "csrf_token": staff.csrf}
    response = staff.session.post(
        f"{backend.url}/console/tickets/{number}/assign", data=data, timeout=30, allow_redirects=False
    )
    assert response.status_code == 303, response.text[-500:]
    assert api.get(f"/api/tickets/{number}").json()["department"] == chosen

    exported = backend.var_dir / "triage" / "staff_examples.jsonl"
    rows = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    mine = [r for r in rows if UNSURE in r["text"]]
    assert len(mine) == 1 and mine[0]["department"] == chosen and mine[0]["type"] == "投诉"
    assert [name for name, _ in mine[0]["suggested"]] == top

    download = staff.session.get(f"{backend.url}/console/tickets/triage-examples.jsonl", timeout=15)
    assert download.status_code == 200 and "attachment" in download.headers["content-disposition"]
    assert any(json.loads(line)["department"] == chosen for line in download.text.splitlines())
