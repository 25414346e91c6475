"""The fixed vocabularies of a ticket (values are the Chinese words stored and shown)."""

from __future__ import annotations

from enum import Enum


class Category(str, Enum):
    COMPLAINT = "投诉"
    REPORT = "举报"
    HELP = "求助"
    SUGGESTION = "建议"
    CONSULTATION = "咨询"
    PRAISE = "表扬"


class Status(str, Enum):
    ACCEPTED = "已受理"
    DISPATCHED = "已转办"
    IN_PROGRESS = "办理中"
    ANSWERED = "已反馈"
    CLOSED = "已办结"


class Urgency(str, Enum):
    NORMAL = "普通"
    URGENT = "紧急"


class Grade(str, Enum):
    """好差评 five grades; the last two are 差评."""

    VERY_SATISFIED = "非常满意"
    SATISFIED = "满意"
    BASICALLY_SATISFIED = "基本满意"
    DISSATISFIED = "不满意"
    VERY_DISSATISFIED = "非常不满意"

    @property
    def is_bad(self) -> bool:
        return self in (Grade.DISSATISFIED, Grade.VERY_DISSATISFIED)


class EventKind(str, Enum):
    CREATED = "受理"
    STATUS_CHANGED = "状态变更"
    RETURNED = "退回"
    DEPARTMENT_CHANGED = "改派部门"
    URGENCY_CHANGED = "调整紧急程度"
    REPLIED = "部门答复"
    RATED = "评价"
    BAD_RATING_FOLLOW_UP = "差评待回访"
    SUPERVISED = "督办"


# Open311 service codes (ASCII) for the categories.
SERVICE_CODES = {
    Category.COMPLAINT: "complaint",
    Category.REPORT: "report",
    Category.HELP: "help",
    Category.SUGGESTION: "suggestion",
    Category.CONSULTATION: "consultation",
    Category.PRAISE: "praise",
}
