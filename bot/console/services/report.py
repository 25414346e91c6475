"""The monthly 办事堵点 report: one data structure, rendered as a printable page, CSV and Excel.

Sections: overview with the trend against the previous month; top blocking points (questions citizens
could not get answered, and where complaints concentrate); departments with most overdue tickets;
knowledge gaps found and fixed; satisfaction over the five grades. All texts are already masked.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from bot.console.services.analytics import Analytics, Period, previous_month
from bot.console.services.timefmt import china_time


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _days(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} 天"


def _change(current: float | None, previous: float | None, points: bool = False) -> str:
    if current is None or previous is None:
        return "—"
    delta = current - previous
    if abs(delta) < 1e-9:
        return "持平"
    arrow = "↑" if delta > 0 else "↓"
    return f"{arrow}{abs(delta) * 100:.1f} 个百分点" if points else f"{arrow}{abs(delta):.1f}".rstrip("0").rstrip(".")


def build(analytics: Analytics, period: Period) -> dict:
    prev = previous_month(period)
    now_c, prev_c = analytics.conversations(period), analytics.conversations(prev)
    now_t, prev_t = analytics.tickets_stats(period), analytics.tickets_stats(prev)
    knowledge = analytics.knowledge_work(period)

    def metric(label: str, key: str, data: tuple[dict, dict], kind: str = "count") -> dict:
        current, previous = data[0].get(key), data[1].get(key)
        shown = {"count": lambda v: "—" if v is None else str(v), "pct": percent, "days": _days}[kind]
        return {
            "label": label,
            "current": shown(current),
            "previous": shown(previous),
            "change": _change(current, previous, points=kind == "pct"),
            "raw": (current, previous),
        }

    trend = [
        metric("对话数", "conversations", (now_c, prev_c)),
        metric("市民消息数", "messages", (now_c, prev_c)),
        metric("未解决率（兜底）", "fallback_rate", (now_c, prev_c), "pct"),
        metric("自助解决率", "containment", (now_c, prev_c), "pct"),
        metric("受理工单", "tickets", (now_t, prev_t)),
        metric("投诉与举报", "complaints", (now_t, prev_t)),
        metric("超期率", "overdue_rate", (now_t, prev_t), "pct"),
        metric("平均办理时长", "avg_handling_days", (now_t, prev_t), "days"),
        metric("差评率", "bad_rate", (now_t, prev_t), "pct"),
    ]
    questions = [
        {"text": text, "count": count, "previous": prev_c["group_counts"].get(gid, 0), "group_id": gid}
        for gid, text, count in now_c["top_groups"]
    ]
    hotspots = sorted(
        (
            {"category": c, "department": d, "count": n, "previous": prev_t["hotspots"].get((c, d), 0)}
            for (c, d), n in now_t["hotspots"].items()
        ),
        key=lambda r: (-r["count"], r["department"]),
    )[:10]
    overdue = [row for row in now_t["departments"] if row["overdue"]][:10]
    return {
        "period": period,
        "previous": prev,
        "trend": trend,
        "questions": questions,
        "hotspots": hotspots,
        "overdue_departments": overdue,
        "knowledge": knowledge,
        "conversations": now_c,
        "tickets": now_t,
    }


def rows(report: dict) -> list[list[Any]]:
    """One flat table (部分, 项目, 本月, 上月, 变化/说明) for CSV and the Excel summary."""
    period = report["period"]
    out: list[list[Any]] = [
        ["部分", "项目", f"本月（{period.start:%Y-%m}）", f"上月（{report['previous'].start:%Y-%m}）", "变化 / 说明"]
    ]
    for m in report["trend"]:
        out.append(["概览与趋势", m["label"], m["current"], m["previous"], m["change"]])
    for q in report["questions"]:
        out.append(["堵点：问不到答案的问题", q["text"], q["count"], q["previous"], "同类问题条数"])
    for h in report["hotspots"]:
        out.append(["堵点：诉求集中", f"{h['category']} · {h['department']}", h["count"], h["previous"], "工单数"])
    for d in report["overdue_departments"]:
        out.append(
            [
                "超期最多的部门",
                d["department"],
                d["overdue"],
                "",
                f"受理 {d['tickets']} 件，超期率 {percent(d['rate'])}",
            ]
        )
    for g in report["knowledge"]["gaps_found"]:
        out.append(["新发现的知识缺口", g["text"], china_time(g["at"]), "", g["note"]])
    for g in report["knowledge"]["gaps_fixed"]:
        out.append(["已补上的知识缺口", g["text"], china_time(g["at"]), "", g["note"]])
    out.append(
        [
            "知识库维护",
            "修改次数",
            report["knowledge"]["edits"],
            "",
            f"涉及 {report['knowledge']['files_edited']} 个文件",
        ]
    )
    for grade, count in report["tickets"]["grades"]:
        out.append(["满意度（好差评）", grade, count, "", ""])
    return out


def to_csv(report: dict) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows(report))
    return buffer.getvalue().encode("utf-8-sig")  # the BOM lets Excel open Chinese text correctly


def to_xlsx(report: dict) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "月度报告"
    period = report["period"]
    sheet.append([f"海原政务小助手 办事堵点月度报告 {period.start:%Y年%m月}"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    header_fill = PatternFill("solid", fgColor="DDE7F0")
    table = rows(report)
    for index, row in enumerate(table):
        sheet.append(row)
        if index == 0:
            for cell in sheet[sheet.max_row]:
                cell.font, cell.fill = Font(bold=True), header_fill
    for column, width in zip("ABCDE", (22, 48, 16, 16, 36)):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    detail = book.create_sheet("超期部门")
    detail.append(["承办部门", "受理工单", "超期工单", "超期率"])
    for d in report["tickets"]["departments"]:
        detail.append([d["department"], d["tickets"], d["overdue"], percent(d["rate"])])
    grades = book.create_sheet("满意度")
    grades.append(["评价等级", "件数"])
    for grade, count in report["tickets"]["grades"]:
        grades.append([grade, count])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
