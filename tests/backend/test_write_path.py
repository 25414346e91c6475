"""The ticket create is one short write transaction (issue 19): SQL statements counted per create."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from bot.tickets import numbering
from bot.tickets.service import NewTicket


def new(**overrides) -> NewTicket:
    values = dict(
        category="投诉",
        summary="路灯坏了",
        description="小区门口的路灯坏了三天",
        phone="13812345678",
        consent=True,
        channel="网页对话",
        department="海原县住房和城乡建设局",
    )
    values.update(overrides)
    return NewTicket(**values)


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    """The SQL sent to the database meanwhile (first word of each), BEGIN/COMMIT included."""
    seen: list[str] = []

    def on_execute(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen.append(" ".join(statement.split()[:2]).upper())

    def on_commit(_conn) -> None:
        seen.append("COMMIT")

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)


def test_create_is_one_transaction_of_five_statements(service):
    service.create(new(), "warm-up")  # first use: table metadata, compiled-statement cache
    with statements(service.db.engine) as seen:
        ticket, created = service.create(new(), "k1")
    assert created
    # BEGIN IMMEDIATE · key lookup under the write lock · sequence upsert RETURNING · ticket · event
    assert seen == [
        "BEGIN IMMEDIATE",
        "SELECT TICKETS.ID,",
        "INSERT INTO",
        "INSERT INTO",
        "INSERT INTO",
        "COMMIT",
    ], seen
    assert ticket.number.endswith("0002") and [e.kind for e in ticket.events] == ["受理"]


def test_retry_writes_nothing_and_returns_the_first_ticket(service):
    first, _ = service.create(new(), "same-key")
    with statements(service.db.engine) as seen:
        again, created = service.create(new(summary="别的内容"), "same-key")
    assert not created and again.number == first.number and again.summary == "路灯坏了"
    assert not [s for s in seen if s.startswith(("INSERT", "UPDATE"))], seen
    assert [e.kind for e in again.events] == ["受理"]


def test_numbers_without_returning_fallback(service, monkeypatch):
    """SQLite before 3.35 has no RETURNING: the upsert is read back, with the same numbers."""
    monkeypatch.setattr(numbering, "_has_returning", lambda _dialect: False)
    with service.db.session(write=True) as session:
        numbers = [numbering.next_number(session, date(2026, 11, 25)) for _ in range(3)]
    assert numbers == ["HY202611250001", "HY202611250002", "HY202611250003"]
