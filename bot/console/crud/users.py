"""Queries on console users and their sessions (no policy here; see services/auth.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import joinedload

from bot.console.models import Session, User


def get_user(db: DbSession, user_id: int) -> User | None:
    return db.get(User, user_id)


def get_by_username(db: DbSession, username: str) -> User | None:
    return db.execute(select(User).where(User.username == username)).scalar_one_or_none()


def list_users(db: DbSession) -> list[User]:
    return list(db.execute(select(User).order_by(User.role, User.username)).scalars())


def count_admins(db: DbSession) -> int:
    return len(db.execute(select(User.id).where(User.role == "admin", User.active.is_(True))).all())


def get_session(db: DbSession, token_hash: str) -> Session | None:
    query = select(Session).where(Session.token_hash == token_hash).options(joinedload(Session.user))
    return db.execute(query).scalar_one_or_none()


def delete_session(db: DbSession, token_hash: str) -> None:
    db.execute(delete(Session).where(Session.token_hash == token_hash))


def delete_sessions_of(db: DbSession, user_id: int) -> None:
    db.execute(delete(Session).where(Session.user_id == user_id))


def delete_expired_sessions(db: DbSession, now: datetime) -> None:
    db.execute(delete(Session).where(Session.expires_at < now))
