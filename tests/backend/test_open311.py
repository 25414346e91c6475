"""Open311 GeoReport v2 endpoints over the same tickets."""

from __future__ import annotations

import uuid


def params(backend, **extra):
    return {"api_key": backend.token, **extra}


def test_services_are_the_categories(api, backend):
    services = api.get("/open311/v2/services.json", token=False, params=params(backend)).json()
    assert {s["service_name"] for s in services} == {"投诉", "举报", "求助", "建议", "咨询", "表扬"}
    assert all(s["metadata"] is False and s["type"] == "realtime" for s in services)


def test_create_form_encoded_then_read(api, backend):
    form = {
        "api_key": backend.token,
        "service_code": "complaint",
        "description": "路灯不亮 <b>好几天</b> 😀",
        "address_string": "海原县海城镇",
        "lat": "36.56",
        "long": "105.64",
        "first_name": "建国",
        "last_name": "马",
        "phone": "13812345678",
    }
    created = api.post("/open311/v2/requests.json", token=False, data=form)
    assert created.status_code == 201, created.text
    [receipt] = created.json()
    number = receipt["service_request_id"]
    assert number.startswith("HY") and "办理时限" in receipt["service_notice"]

    [request] = api.get(f"/open311/v2/requests/{number}.json", token=False, params=params(backend)).json()
    assert request["status"] == "open"
    assert request["service_code"] == "complaint" and request["service_name"] == "投诉"
    assert request["description"] == "路灯不亮 <b>好几天</b> 😀"
    assert request["address"] == "海原县海城镇" and request["lat"] == 36.56
    assert request["agency_responsible"] == "海原县综合执法局"
    assert request["requested_datetime"].endswith("+08:00") and request["expected_datetime"].endswith("+08:00")
    assert "13812345678" not in str(request)

    ticket = api.get(f"/api/tickets/{number}").json()
    assert ticket["channel"] == "Open311" and ticket["consent"] is False and ticket["citizen_name"] == "马 建国"


def test_create_with_json_and_idempotency_key(api, backend):
    key = uuid.uuid4().hex
    body = {"service_code": "help", "description": "老人独居需要帮助", "address_string": "关桥乡"}
    first = api.post(
        "/open311/v2/requests.json", json=body, params=params(backend), token=False, headers={"Idempotency-Key": key}
    )
    second = api.post(
        "/open311/v2/requests.json", json=body, params=params(backend), token=False, headers={"Idempotency-Key": key}
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == second.json()[0]["service_request_id"]


def test_create_errors_use_open311_shape(api, backend):
    cases = [
        ({"service_code": "nope", "description": "x", "address_string": "a"}, "service_code"),
        ({"service_code": "help", "description": " ", "address_string": "a"}, "description"),
        ({"service_code": "help", "description": "x"}, "address_string"),
        ({"service_code": "help", "description": "x", "lat": "abc", "long": "1"}, "lat"),
        ({"service_code": "help", "description": "x", "address_string": "a", "phone": "12"}, "手机号"),
    ]
    for form, word in cases:
        response = api.post("/open311/v2/requests.json", token=False, data={**form, "api_key": backend.token})
        assert response.status_code == 400, form
        [error] = response.json()
        assert error["code"] == 400 and word in error["description"]


def test_list_filters(api, backend):
    number = api.new_ticket(category="建议", summary="建议多设公交站")["number"]
    closed = api.new_ticket(category="建议")["number"]
    api.close(closed)
    by_id = api.get(
        "/open311/v2/requests.json",
        token=False,
        params=params(backend, service_request_id=f"{number},{closed},HY209901019999"),
    ).json()
    assert [r["service_request_id"] for r in by_id] == [number, closed]
    open_suggestions = api.get(
        "/open311/v2/requests.json", token=False, params=params(backend, service_code="suggestion", status="open")
    ).json()
    ids = {r["service_request_id"] for r in open_suggestions}
    assert number in ids and closed not in ids
    assert all(r["status"] == "open" and r["service_code"] == "suggestion" for r in open_suggestions)
    closed_ones = api.get("/open311/v2/requests.json", token=False, params=params(backend, status="closed")).json()
    closed_request = next(r for r in closed_ones if r["service_request_id"] == closed)
    assert closed_request["status"] == "closed" and "已恢复供暖" in closed_request["status_notes"]
    future = api.get(
        "/open311/v2/requests.json", token=False, params=params(backend, start_date="2099-01-01T00:00:00Z")
    ).json()
    assert future == []
    bad = api.get("/open311/v2/requests.json", token=False, params=params(backend, start_date="yesterday"))
    assert bad.status_code == 400


def test_unknown_request_is_404(api, backend):
    response = api.get("/open311/v2/requests/HY209901019999.json", token=False, params=params(backend))
    assert response.status_code == 404 and response.json()[0]["code"] == 404
