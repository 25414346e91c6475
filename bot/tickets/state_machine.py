"""Ticket status flow: 已受理 → 已转办 → 办理中 → 已反馈 → 已办结, and 退回 to the dispatcher."""

from __future__ import annotations

from bot.tickets.choices import Status

FORWARD = {
    Status.ACCEPTED: Status.DISPATCHED,
    Status.DISPATCHED: Status.IN_PROGRESS,
    Status.IN_PROGRESS: Status.ANSWERED,
    Status.ANSWERED: Status.CLOSED,
}
# A department may send a ticket back to the dispatcher (退回), who re-assigns it.
RETURNABLE = frozenset({Status.DISPATCHED, Status.IN_PROGRESS})
RETURN_TARGET = Status.ACCEPTED


class TransitionError(Exception):
    """Refused change; the message is shown to staff (HTTP 409)."""


def check_forward(current: str, target: str) -> None:
    current_status, target_status = Status(current), Status(target)
    if FORWARD.get(current_status) != target_status:
        allowed = FORWARD.get(current_status)
        hint = f"，当前只能变更为「{allowed.value}」" if allowed else "，工单已办结"
        raise TransitionError(f"不能从「{current}」变更为「{target}」{hint}。")


def check_return(current: str) -> None:
    if Status(current) not in RETURNABLE:
        raise TransitionError(f"「{current}」状态的工单不能退回，只有已转办或办理中的工单可以退回。")
