"""数据看板 and the monthly 堵点 report (printable page, CSV, Excel)."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from bot.console.routes.deps import ConsoleRoute, console, page, render
from bot.console.services import charts
from bot.console.services import report as reports
from bot.console.services.analytics import Period, month_period
from bot.console.services.auth import CurrentUser
from bot.console.services.intent_labels import intent_label
from bot.console.services.timefmt import parse_day
from bot.tickets.due_dates import china_today

router = APIRouter(route_class=ConsoleRoute)
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_DAYS = 366


def _period(date_from: str, date_to: str) -> tuple[Period, str]:
    today = china_today()
    end = parse_day(date_to) or today
    start = parse_day(date_from) or end - timedelta(days=29)
    note = ""
    if start > end:
        start, end, note = end, start, "开始日期晚于结束日期，已对调。"
    if (end - start).days >= MAX_DAYS:
        start, note = end - timedelta(days=MAX_DAYS - 1), f"时间范围最长 {MAX_DAYS} 天，已截取最近一段。"
    return Period(start, end), note


@router.get("/dashboard", summary="数据看板")
def dashboard(request: Request, date_from: str = "", date_to: str = "", user: CurrentUser = Depends(page("dashboard"))):
    app = console(request)
    app.inbox.sync()
    period, note = _period(date_from, date_to)
    analytics = app.analytics()
    conv, tick = analytics.conversations(period), analytics.tickets_stats(period)
    chart = {
        "daily": charts.line_chart(conv["daily"], ("对话数", "消息数"), "每日对话数与消息数"),
        "intents": charts.hbar_chart([(intent_label(i), n) for i, n in conv["top_intents"]], "最常见的意图"),
        "services": charts.hbar_chart(conv["top_services"], "问得最多的事项"),
        "groups": charts.hbar_chart([(text, n) for _gid, text, n in conv["top_groups"]], "未解决问题（按分组）"),
        "categories": charts.bar_chart(tick["by_category"], "工单类别"),
        "departments": charts.hbar_chart(tick["by_department"], "承办部门工单数"),
        "grades": charts.bar_chart(tick["grades"], "满意度（好差评五级）"),
    }
    return render(
        request,
        "dashboard.html",
        {
            "title": "数据看板",
            "user": user,
            "period": period,
            "conv": conv,
            "tick": tick,
            "chart": chart,
            "service_ratings": app.ratings.counts(*period.utc_range),
            "error": note,
        },
    )


def _month(month: str) -> Period:
    match = MONTH.match(month or "")
    if match and 1 <= int(match.group(2)) <= 12 and 2000 <= int(match.group(1)) <= 2100:
        return month_period(int(match.group(1)), int(match.group(2)))
    today = china_today()
    return month_period(today.year, today.month)


def _report(request: Request, month: str) -> dict:
    app = console(request)
    app.inbox.sync()
    return reports.build(app.analytics(), _month(month))


@router.get("/reports/monthly", summary="月度办事堵点报告")
def monthly(request: Request, month: str = "", user: CurrentUser = Depends(page("reports"))):
    data = _report(request, month)
    tick = data["tickets"]
    chart = {
        "questions": charts.hbar_chart([(q["text"], q["count"]) for q in data["questions"]], "问不到答案的问题"),
        "overdue": charts.hbar_chart(
            [(d["department"], d["overdue"]) for d in data["overdue_departments"]], "超期工单最多的部门"
        ),
        "categories": charts.bar_chart(tick["by_category"], "工单类别"),
        "grades": charts.bar_chart(tick["grades"], "满意度（好差评五级）"),
        "daily": charts.line_chart(data["conversations"]["daily"], ("对话数", "消息数"), "每日对话数与消息数"),
    }
    return render(
        request,
        "report.html",
        {
            "title": f"{data['period'].start:%Y年%m月} 办事堵点报告",
            "user": user,
            "r": data,
            "chart": chart,
            "month": f"{data['period'].start:%Y-%m}",
        },
    )


@router.get("/reports/monthly.csv", summary="月度报告（CSV）")
def monthly_csv(request: Request, month: str = "", user: CurrentUser = Depends(page("reports"))):
    data = _report(request, month)
    name = f"haiyuan-report-{data['period'].start:%Y-%m}.csv"
    return Response(
        reports.to_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/reports/monthly.xlsx", summary="月度报告（Excel）")
def monthly_xlsx(request: Request, month: str = "", user: CurrentUser = Depends(page("reports"))):
    data = _report(request, month)
    name = f"haiyuan-report-{data['period'].start:%Y-%m}.xlsx"
    return Response(
        reports.to_xlsx(data),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
