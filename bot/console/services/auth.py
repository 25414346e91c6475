"""Staff accounts and logins: argon2 password hashes, server-side sessions that expire, rate-limited logins.

A session is a random cookie token; the database keeps only its SHA-256, the user, a CSRF token, and
two clocks: an absolute lifetime (CONSOLE_SESSION_HOURS) and an idle timeout (CONSOLE_IDLE_MINUTES).
Failed logins back off (bot/core/backoff.py) per account from one client address, per client address,
and, with a larger allowance and a short longest wait, per account from anywhere: a guesser is slowed
down more and more, while nobody can lock the real owner (the administrator too) out from elsewhere.
While a key must wait, even the right password is refused, so waiting is no oracle.
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.console.config import ConsoleSettings
from bot.console.crud import audit
from bot.console.crud import users as crud
from bot.console.models import Session, User
from bot.console.permissions import ROLE_LABELS, Role
from bot.core.backoff import Backoff
from bot.core.database import Database
from bot.tickets.models import utcnow

USERNAME = re.compile(r"^[A-Za-z0-9_.-]{3,50}$")
MIN_PASSWORD = 10
TOUCH_EVERY = timedelta(seconds=60)


class LoginRefused(Exception):
    """`reason`: invalid | rate_limited (then `retry_after` seconds)"""

    def __init__(self, reason: str, retry_after: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class AccountError(ValueError):
    """A user form that cannot be saved; the message is shown to staff."""


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    department: str | None
    csrf_token: str
    token_hash: str

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def actor(self) -> str:
        """How this user appears in ticket histories: 显示名（用户名）."""
        return f"{self.display_name}（{self.username}）"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def password_problem(password: str, username: str = "") -> str | None:
    if len(password) < MIN_PASSWORD:
        return f"密码至少需要 {MIN_PASSWORD} 位"
    if username and password.lower() == username.lower():
        return "密码不能与用户名相同"
    if len(set(password)) < 4:
        return "密码太简单，请混用字母、数字和符号"
    return None


class Accounts:
    def __init__(self, db: Database, settings: ConsoleSettings):
        self.db = db
        self.settings = settings
        self.hasher = PasswordHasher()
        first, longest = settings.login_backoff
        self.failures_per_user = Backoff(settings.login_failures_per_user[0], first, longest)  # account + address
        self.failures_per_client = Backoff(settings.login_failures_per_ip[0], first, longest)
        self.failures_per_account = Backoff(settings.login_failures_per_account, 1, min(longest, 60))
        self._dummy_hash = self.hasher.hash(secrets.token_hex(16))

    # ------------------------------------------------------------ login / sessions
    def login(self, username: str, password: str, client: str) -> tuple[str, CurrentUser]:
        """(cookie token, user) or LoginRefused. Unknown users cost the same hash check as known ones."""
        name_key = username.strip().lower()
        keys = [
            (self.failures_per_user, f"{client}|{name_key}"),
            (self.failures_per_client, client),
            (self.failures_per_account, name_key),
        ]
        wait = max(backoff.wait(key) for backoff, key in keys)
        if wait > 0:
            raise LoginRefused("rate_limited", retry_after=max(1, math.ceil(wait)))
        with self.db.session() as session:
            user = crud.get_by_username(session, username.strip())
        stored = user.password_hash if user and user.active else self._dummy_hash
        try:
            self.hasher.verify(stored, password)
            ok = user is not None and user.active
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok:
            for backoff, key in keys:
                backoff.failed(key)
            raise LoginRefused("invalid")
        assert user is not None  # ok above implies a user
        self.failures_per_user.clear(f"{client}|{name_key}")
        token = secrets.token_urlsafe(32)
        now = utcnow()
        with self.db.session(write=True) as session:
            crud.delete_expired_sessions(session, now)
            row = Session(
                token_hash=token_hash(token),
                user_id=user.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=self.settings.session_hours),
                client=client[:64],
            )
            session.add(row)
            fresh = session.get(User, user.id)
            fresh.last_login_at = now
            if self.hasher.check_needs_rehash(fresh.password_hash):
                fresh.password_hash = self.hasher.hash(password)
            audit.record(session, user.username, user.role, "login", f"user:{user.username}", note=f"来自 {client}")
            session.flush()
            current = self._current(row, fresh)
        return token, current

    def session_user(self, token: str | None) -> CurrentUser | None:
        """The logged-in user for a cookie token, or None (unknown, expired, idle too long, disabled)."""
        if not token:
            return None
        hashed = token_hash(token)
        now = utcnow()
        with self.db.session() as session:
            row = crud.get_session(session, hashed)
            if row is None:
                return None
            idle_limit = timedelta(minutes=self.settings.idle_minutes)
            expired = row.expires_at <= now or now - row.last_seen_at > idle_limit or not row.user.active
            needs_touch = not expired and now - row.last_seen_at > TOUCH_EVERY
            current = None if expired else self._current(row, row.user)
        if expired:
            with self.db.session(write=True) as session:
                crud.delete_session(session, hashed)
            return None
        if needs_touch:
            with self.db.session(write=True) as session:
                row = crud.get_session(session, hashed)
                if row is not None:
                    row.last_seen_at = now
        return current

    def logout(self, user: CurrentUser) -> None:
        with self.db.session(write=True) as session:
            crud.delete_session(session, user.token_hash)
            audit.record(session, user.username, user.role, "logout", f"user:{user.username}")

    @staticmethod
    def _current(row: Session, user: User) -> CurrentUser:
        return CurrentUser(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            role=user.role,
            department=user.department,
            csrf_token=row.csrf_token,
            token_hash=row.token_hash,
        )

    # ------------------------------------------------------------ accounts
    def _check_fields(self, role: str, department: str | None, display_name: str) -> None:
        if role not in {r.value for r in Role}:
            raise AccountError("请选择有效的角色")
        if role == Role.DEPARTMENT.value and not (department or "").strip():
            raise AccountError("部门工作人员必须指定所属部门")
        if not display_name.strip() or len(display_name.strip()) > 50:
            raise AccountError("请填写姓名（50 字以内）")

    def create_user(
        self,
        actor: CurrentUser | None,
        username: str,
        display_name: str,
        role: str,
        password: str,
        department: str | None = None,
        actor_name: str = "",
    ) -> User:
        username = username.strip()
        if not USERNAME.match(username):
            raise AccountError("用户名应为 3–50 位字母、数字、点、下划线或连字符")
        self._check_fields(role, department, display_name)
        problem = password_problem(password, username)
        if problem:
            raise AccountError(problem)
        department = department.strip() if role == Role.DEPARTMENT.value and department else None
        with self.db.session(write=True) as session:
            if crud.get_by_username(session, username):
                raise AccountError(f"用户名 {username} 已存在")
            user = User(
                username=username,
                display_name=display_name.strip(),
                role=role,
                department=department,
                password_hash=self.hasher.hash(password),
                active=True,
            )
            session.add(user)
            session.flush()
            audit.record(
                session,
                actor.username if actor else actor_name,
                actor.role if actor else None,
                "user.create",
                f"user:{username}",
                after={"display_name": user.display_name, "role": role, "department": department},
            )
        return user

    def update_user(
        self, actor: CurrentUser, user_id: int, display_name: str, role: str, department: str | None, active: bool
    ) -> None:
        self._check_fields(role, department, display_name)
        department = department.strip() if role == Role.DEPARTMENT.value and department else None
        with self.db.session(write=True) as session:
            user = crud.get_user(session, user_id)
            if user is None:
                raise AccountError("用户不存在")
            if user.id == actor.id and (role != user.role or not active):
                raise AccountError("不能修改自己的角色或停用自己的账号")
            before = {
                "display_name": user.display_name,
                "role": user.role,
                "department": user.department,
                "active": user.active,
            }
            user.display_name, user.role, user.department, user.active = display_name.strip(), role, department, active
            if user.role == Role.ADMIN.value or before["role"] == Role.ADMIN.value:
                session.flush()
                if crud.count_admins(session) == 0:
                    raise AccountError("至少要保留一个启用的系统管理员")
            after = {"display_name": user.display_name, "role": role, "department": department, "active": active}
            if not active or role != before["role"] or department != before["department"]:
                crud.delete_sessions_of(session, user.id)  # new rights take effect at the next login
            audit.record(
                session, actor.username, actor.role, "user.update", f"user:{user.username}", before=before, after=after
            )

    def set_password(
        self, actor: CurrentUser, user_id: int, password: str, current_password: str | None = None
    ) -> None:
        with self.db.session(write=True) as session:
            user = crud.get_user(session, user_id)
            if user is None:
                raise AccountError("用户不存在")
            if current_password is not None:
                try:
                    self.hasher.verify(user.password_hash, current_password)
                except (VerifyMismatchError, VerificationError, InvalidHashError):
                    raise AccountError("当前密码不正确") from None
            problem = password_problem(password, user.username)
            if problem:
                raise AccountError(problem)
            user.password_hash = self.hasher.hash(password)
            crud.delete_sessions_of(session, user.id)
            audit.record(
                session,
                actor.username,
                actor.role,
                "user.password",
                f"user:{user.username}",
                note="本人修改密码" if actor.id == user.id else "管理员重置密码",
            )
