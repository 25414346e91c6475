"""Roles and what each may see or do. The routes ask `allowed(role, permission)`; the nav shows the same.

admin       users, audit log, everything below
dispatcher  all tickets, the inbox and retraining, knowledge and notices, dashboards and reports
department  the tickets of their own department only (handle, reply, return)
(admin, dispatcher and department staff also chat with citizens on 人工接待, the live handoff)
analyst     read-only: dashboards and reports
"""

from __future__ import annotations

from enum import Enum


class Role(str, Enum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    DEPARTMENT = "department"
    ANALYST = "analyst"


ROLE_LABELS = {
    Role.ADMIN.value: "系统管理员",
    Role.DISPATCHER.value: "派单员",
    Role.DEPARTMENT.value: "部门工作人员",
    Role.ANALYST.value: "数据分析员",
}

# permission → roles holding it
_ROLES: dict[str, frozenset[Role]] = {
    "users": frozenset({Role.ADMIN}),
    "audit": frozenset({Role.ADMIN}),
    "inbox": frozenset({Role.ADMIN, Role.DISPATCHER}),
    "training": frozenset({Role.ADMIN, Role.DISPATCHER}),
    "knowledge": frozenset({Role.ADMIN, Role.DISPATCHER}),
    "knowledge.verify": frozenset({Role.ADMIN, Role.DISPATCHER}),  # confirm or correct a fact (核实)
    "notices": frozenset({Role.ADMIN, Role.DISPATCHER}),
    "tickets": frozenset({Role.ADMIN, Role.DISPATCHER, Role.DEPARTMENT}),
    "handoff": frozenset({Role.ADMIN, Role.DISPATCHER, Role.DEPARTMENT}),  # 人工接待: the roles that serve citizens
    "tickets.all": frozenset({Role.ADMIN, Role.DISPATCHER}),  # otherwise own department only
    "tickets.dispatch": frozenset({Role.ADMIN, Role.DISPATCHER}),  # assign, close, 督办, 回访
    "warnings": frozenset({Role.ADMIN, Role.DISPATCHER, Role.DEPARTMENT}),  # 时限预警 (own department or all)
    "notify.retry": frozenset({Role.ADMIN, Role.DISPATCHER}),  # send a failed notice again, audited
    "phone.reveal": frozenset({Role.ADMIN, Role.DISPATCHER, Role.DEPARTMENT}),  # 查看完整号码 (to call back), audited
    "dashboard": frozenset({Role.ADMIN, Role.DISPATCHER, Role.ANALYST}),
    "reports": frozenset({Role.ADMIN, Role.DISPATCHER, Role.ANALYST}),
}
PERMISSIONS: dict[str, frozenset[str]] = {name: frozenset(r.value for r in roles) for name, roles in _ROLES.items()}

# Status moves a department may make itself; the rest (转办, 办结) belong to the dispatcher.
DEPARTMENT_TARGETS = frozenset({"办理中", "已反馈"})

# Navigation: (permission, path, label), in menu order.
NAV = (
    ("handoff", "/console/handoff", "人工接待"),
    ("inbox", "/console/inbox", "未解决问题"),
    ("tickets", "/console/tickets", "工单"),
    ("warnings", "/console/warnings", "时限预警"),
    ("tickets.dispatch", "/console/followups", "差评回访"),
    ("knowledge", "/console/knowledge", "知识库"),
    ("knowledge.verify", "/console/facts", "待核实"),
    ("notices", "/console/notices", "公告"),
    ("training", "/console/training", "模型训练"),
    ("dashboard", "/console/dashboard", "数据看板"),
    ("reports", "/console/reports/monthly", "月度报告"),
    ("users", "/console/users", "用户"),
    ("audit", "/console/audit", "操作记录"),
)


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS.get(permission, frozenset())


def nav_for(role: str) -> list[tuple[str, str]]:
    return [(path, label) for permission, path, label in NAV if allowed(role, permission)]
