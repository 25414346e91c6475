"""What a notice says: short, plain, one fact. Never more personal data than the ticket number and status.

SMS and WeChat send templates approved by the provider; `params` are their variables and `text` is the same
message as the citizen reads it (the web chat shows `text`, the console lists it).
"""

from __future__ import annotations

from datetime import date

STATUS_TEXTS = {
    "已转办": "已转给承办部门办理",
    "已反馈": "有答复了",
    "已办结": "已办结",
}
NOTIFY_STATUSES = frozenset(STATUS_TEXTS)
ASK_HINT = "说“查询工单”可以看详情。"


def status_text(number: str, status: str) -> tuple[str, dict[str, str]]:
    text = f"您的工单 {number} {STATUS_TEXTS[status]}。{ASK_HINT}"
    return text, {"number": number, "status": status}


def due_soon_text(number: str, due: date) -> tuple[str, dict[str, str]]:
    text = f"提醒：工单 {number} 将于 {due.month}月{due.day}日 到期，请尽快办理并反馈。"
    return text, {"number": number, "due": due.isoformat(), "kind": "明天到期"}


def overdue_text(number: str, due: date) -> tuple[str, dict[str, str]]:
    text = f"督办：工单 {number} 已超过办理时限（{due.month}月{due.day}日），请尽快办理并反馈。"
    return text, {"number": number, "due": due.isoformat(), "kind": "超期督办"}


def digest_text(day: date, due_soon: int, overdue: int, failed: int) -> tuple[str, dict[str, str]]:
    text = (
        f"{day.month}月{day.day}日工单提醒：即将到期 {due_soon} 件，超期督办 {overdue} 件，"
        f"通知发送失败 {failed} 条。详见工作人员控制台。"
    )
    return text, {"due_soon": str(due_soon), "overdue": str(overdue), "failed": str(failed)}
