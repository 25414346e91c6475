"""`python -m deploy.migrate`: bring the ticket database and the outbox to the current schema.

Run once before the services start (haiyuan-migrate.service), so that several backend or action server
processes starting together never race to create the same tables. Waits up to a minute for the
database to accept connections (PostgreSQL may still be starting at boot).
"""

from __future__ import annotations

import os
import sys
import time

from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError


def wait_for_database(url: str, timeout: float = 60) -> None:
    engine = create_engine(url, future=True)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(2)
    finally:
        engine.dispose()


def main() -> int:
    from actions.outbox import Outbox
    from bot.core.settings import get_settings
    from bot.tickets import migrate

    tickets_url = get_settings().database_url
    outbox_url = os.environ.get("OUTBOX_DB_URL", "")
    for url in filter(None, [tickets_url, outbox_url]):
        wait_for_database(url)
    migrate.upgrade(tickets_url)
    print("[海原政务小助手] 工单数据库已迁移到最新版本", flush=True)
    if outbox_url:
        Outbox(outbox_url).close()  # creates the outbox table if it is missing
        print("[海原政务小助手] 暂存箱（outbox）表已就绪", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
