"""「查看完整号码」: the one way staff see a citizen's full phone number, to call back.

Only roles holding `phone.reveal` (the ones who serve citizens: 派单员, 部门工作人员, 管理员; not 数据分析员),
each view audited (who, when, which ticket or 人工接待 conversation) in the console's 操作记录, at most
CONSOLE_PHONE_REVEALS_PER_HOUR views per staff member. Everywhere else the number stays masked.
"""

from __future__ import annotations

from bot.console.crud import audit
from bot.console.permissions import allowed
from bot.console.services.auth import CurrentUser
from bot.core.database import Database
from bot.core.security import RateLimiter

PERMISSION = "phone.reveal"


class RevealRefused(Exception):
    """Not allowed, or too many views this hour; the message is shown to staff."""


class PhoneReveals:
    def __init__(self, db: Database, per_hour: int):
        self.db = db
        self.limiter = RateLimiter(per_hour, 3600)

    def reveal(self, actor: str, role: str | None, target: str, phone: str | None, via: str) -> str:
        """The full number, after the audit entry is written (`actor`: a staff user name or `api:<who>`)."""
        if not phone:
            raise RevealRefused("没有可查看的号码。")
        if not self.limiter.hit(actor):
            raise RevealRefused("查看完整号码过于频繁，请一小时后再试；如确有需要请联系系统管理员。")
        with self.db.session(write=True) as session:
            audit.record(session, actor, role, "phone.reveal", target, note=via)
        return phone

    def for_staff(self, user: CurrentUser, target: str, phone: str | None, via: str) -> str:
        if not allowed(user.role, PERMISSION):
            raise RevealRefused("您的角色不能查看完整号码。")
        return self.reveal(user.username, user.role, target, phone, via)
