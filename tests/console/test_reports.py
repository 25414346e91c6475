"""Dashboard and monthly 堵点 report on seeded data: charts (SVG), trend against last month, CSV and Excel."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta

from openpyxl import load_workbook
from sqlalchemy import create_engine
from sqlalchemy import text as sql

from bot.tickets.due_dates import china_today
from tests.conftest import Chat
from tests.console.conftest import DEPARTMENT, OTHER_DEPARTMENT, ConsoleServer, Staff

FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _close_and_rate(server: ConsoleServer, number: str, department: str, grade: str) -> None:
    for to, extra in (
        ("已转办", {"department": department}),
        ("办理中", {}),
        ("已反馈", {"reply": "已处理。"}),
        ("已办结", {}),
    ):
        assert (
            server.api(
                "POST", f"/api/tickets/{number}/transition", json={"to": to, "actor": "测试", **extra}
            ).status_code
            == 200
        )
    assert server.api("POST", f"/api/tickets/{number}/rating", json={"grade": grade}).status_code == 200


def _seed(server: ConsoleServer, assistant) -> str:
    """Tickets over categories, departments and grades, one overdue, one from last month; some chat."""
    for category, department, grade in (
        ("投诉", DEPARTMENT, "非常满意"),
        ("求助", OTHER_DEPARTMENT, "不满意"),
        ("建议", DEPARTMENT, "基本满意"),
    ):
        number = server.new_ticket(category=category, department=department, summary=f"{category}报告测试")["number"]
        _close_and_rate(server, number, department, grade)
    late = server.new_ticket(category="举报", department=OTHER_DEPARTMENT, summary="报告测试超期")["number"]
    old = server.new_ticket(category="投诉", department=DEPARTMENT, summary="上月的投诉 13812345678")["number"]
    first_of_month = china_today().replace(day=1)
    last_month = datetime.combine(first_of_month - timedelta(days=12), datetime.min.time()) + timedelta(hours=4)
    engine = create_engine(server.database_url)
    with engine.begin() as connection:
        connection.execute(
            sql("UPDATE tickets SET due_date = :d WHERE number = :n"),
            {"d": china_today() - timedelta(days=20), "n": late},
        )
        connection.execute(sql("UPDATE tickets SET created_at = :t WHERE number = :n"), {"t": last_month, "n": old})
    engine.dispose()
    chat = Chat(assistant.settings.rasa_url)
    chat.say("社保卡丢了要带啥")
    chat.say("呜哩哇啦报告测试嘛")
    return f"{first_of_month:%Y-%m}"


def test_dashboard_and_monthly_report_render_charts(
    assistant, console_server: ConsoleServer, staff, open_console
) -> None:
    month = _seed(console_server, assistant)
    analyst: Staff = staff["analyst"]

    dashboard = analyst.get("/console/dashboard").text
    assert dashboard.count('<svg class="chart') >= 7
    assert re.search(r"<title>非常满意：[1-9]\d*</title>", dashboard) and re.search(r"<title>不满意：[1-9]", dashboard)
    assert re.search(r"<title>投诉：[1-9]", dashboard) and re.search(rf"<title>{OTHER_DEPARTMENT}：[1-9]", dashboard)
    assert re.search(r'<span class="num">[1-9]\d*</span>对话', dashboard)
    assert "polyline" in dashboard and "社保卡" in dashboard  # the service asked about

    report = analyst.get(f"/console/reports/monthly?month={month}").text
    assert report.count('<svg class="chart') >= 5 and '<rect class="bar"' in report
    trend = re.search(r'<table id="trend">.*?</table>', report, re.S).group(0)
    accepted = re.search(r"<td>受理工单</td><td class=\"num\">(\d+)</td><td class=\"num\">(\d+)</td>", trend)
    assert accepted and int(accepted.group(1)) >= 4 and int(accepted.group(2)) >= 1
    overdue = re.search(r'<table id="overdue-departments">.*?</table>', report, re.S).group(0)
    assert OTHER_DEPARTMENT in overdue
    assert not FULL_PHONE.search(report)

    exported = analyst.get(f"/console/reports/monthly.csv?month={month}")
    assert exported.status_code == 200 and exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "部分" and any(r[1] == "受理工单" for r in rows)
    assert any(r[0] == "超期最多的部门" and r[1] == OTHER_DEPARTMENT for r in rows)
    assert not FULL_PHONE.search(exported.content.decode("utf-8-sig"))

    workbook = load_workbook(io.BytesIO(analyst.get(f"/console/reports/monthly.xlsx?month={month}").content))
    assert workbook.sheetnames == ["月度报告", "超期部门", "满意度"]
    grades = {row[0]: row[1] for row in workbook["满意度"].iter_rows(min_row=2, values_only=True)}
    assert list(grades) == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"] and grades["非常满意"] >= 1

    page = open_console("analyst")
    page.goto("/console/dashboard")
    assert page.page.locator("svg.chart").count() >= 7
    page.shot("dashboard")
    page.goto(f"/console/reports/monthly?month={month}")
    page.shot("report")
    page.page.emulate_media(media="print")
    assert page.page.locator("header.top").is_hidden()  # the printable page hides the menu
    page.shot("report-print")


def test_a_bad_month_falls_back_to_this_month(staff) -> None:
    page = staff["analyst"].get("/console/reports/monthly?month=2026-13").text
    assert f"{china_today():%Y年%m月}" in page
