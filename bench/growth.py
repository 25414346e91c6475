"""`python3 -m bench --growth`: how the console pages and the status query grow with the ticket count.

For each size (1,000 and 100,000 tickets) a fresh, migrated SQLite file in a temp dir is filled by bulk
insert: a county at DAILY tickets a day, the newest today, so 1,000 tickets are ~2 months of history and
100,000 are ~18 years. Every period the console looks at (the last 30 days, a month and the one before)
therefore holds about the same tickets at both sizes, and the growth factor shows what the table size
costs. Each ticket has its 受理 event; the closed ones a status event and most of those a rating.

Measured in process (the same service and query code the console routes call, no HTTP, no rendering),
p95 over REPEAT calls, with the CPU time (time.process_time) of the calls beside the wall clock: on
the shared machine the wall clock mostly measures the wait for a core. Then bench/tracker_growth.py:
a tracker-store turn at the 5th and at the 100th message, and bench/search_growth.py: knowledge-base search
at 50 and 500 services.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert

from bot.common.paths import ROOT
from bot.console import migrate as console_migrate
from bot.console.crud import tickets as console_queries
from bot.console.services import report
from bot.console.services.analytics import Analytics, Period, month_period, previous_month
from bot.core.database import Database
from bot.tickets import migrate as tickets_migrate
from bot.tickets.choices import EventKind, Grade, Status
from bot.tickets.due_dates import china_today
from bot.tickets.models import Ticket, TicketEvent
from bot.tickets.numbering import format_number
from bot.tickets.rules import RulesFile
from bot.tickets.service import TicketService

SIZES = (1_000, 100_000)
DAILY = 15
REPEAT = 30
BATCH = 5_000
# Issue 19: at 100,000 tickets within 1.5× of the time at 1,000, and under 300 ms p95.
MAX_GROWTH = 1.5
MAX_P95_MS = 300.0
DEPARTMENTS = ("海原县住房和城乡建设局", "海原县水务局", "海原县交通运输局", "海原县市场监督管理局", "海原县公安局")
CATEGORIES = ("投诉", "求助", "咨询", "建议")


def fill(db: Database, count: int, seed: int = 19) -> list[str]:
    """Bulk-insert `count` tickets (and their events); returns the numbers of a sample of them."""
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(tzinfo=None)
    per_day: dict[str, int] = {}
    tickets, events = [], []
    with db.engine.begin() as connection:
        for n in range(count):
            created = now - timedelta(days=n / DAILY, minutes=rng.randint(0, 59))
            day = created.date()
            per_day[f"{day:%Y%m%d}"] = sequence = per_day.get(f"{day:%Y%m%d}", 0) + 1
            closed = rng.random() < 0.7
            rated = closed and rng.random() < 0.6
            tickets.append(
                {
                    "id": n + 1,
                    "number": format_number(day, sequence),
                    "idempotency_key": f"growth-{n}",
                    "category": rng.choice(CATEGORIES),
                    "summary": "小区路灯不亮",
                    "description": f"第{n}号：小区门口的路灯坏了好几天，晚上出行不便。",
                    "department": rng.choice(DEPARTMENTS),
                    "department_inferred": False,
                    "phone": f"138{n:08d}"[-11:],
                    "channel": "网页对话",
                    "consent": True,
                    "status": Status.CLOSED.value if closed else rng.choice([s.value for s in Status][:4]),
                    "urgency": "普通",
                    "supervised": False,
                    "created_at": created,
                    "updated_at": created,
                    "due_date": day + timedelta(days=15),
                    "rating": rng.choice([g.value for g in Grade]) if rated else None,
                    "rated_at": created + timedelta(days=3) if rated else None,
                }
            )
            # Every row with the same keys: an executemany takes its columns from the first row, and the
            # status events' to_status was dropped that way (bench runs before 2026-12-03 had no closed events).
            events.append(
                {
                    "ticket_id": n + 1,
                    "kind": EventKind.CREATED.value,
                    "actor": "网页对话",
                    "from_status": None,
                    "to_status": None,
                    "created_at": created,
                }
            )
            if closed:
                events.append(
                    {
                        "ticket_id": n + 1,
                        "kind": EventKind.STATUS_CHANGED.value,
                        "actor": "派单员",
                        "from_status": Status.ANSWERED.value,
                        "to_status": Status.CLOSED.value,
                        "created_at": created + timedelta(days=2),
                    }
                )
            if len(tickets) >= BATCH or n == count - 1:
                connection.execute(insert(Ticket), tickets)
                connection.execute(insert(TicketEvent), events)
                tickets, events = [], []
    rng_sample = random.Random(seed + 1)
    return [format_number(*_day_and_sequence(rng_sample.randrange(count), per_day)) for _ in range(REPEAT)]


def _day_and_sequence(n: int, per_day: dict[str, int]) -> tuple:
    """Any existing (day, sequence): the n-th day that has tickets, its first one."""
    key = sorted(per_day)[n % len(per_day)]
    return datetime.strptime(key, "%Y%m%d").date(), 1


def timed(call: Callable[[int], object]) -> dict:
    walls, cpus = [], []
    call(0)  # warm-up: compiled-statement cache, first page of the file
    for i in range(REPEAT):
        wall, cpu = time.perf_counter(), time.process_time()
        call(i)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    p95 = statistics.quantiles(walls, n=20)[-1]
    cpu95 = statistics.quantiles(cpus, n=20)[-1]
    return {"p95_ms": round(p95 * 1000, 2), "cpu_p95_ms": round(cpu95 * 1000, 2)}


def measure_size(count: int, work: Path) -> dict:
    db = Database(f"sqlite:///{work / f'tickets-{count}.db'}")
    try:
        tickets_migrate.upgrade(db.url, engine=db.engine)
        console_migrate.upgrade(db.url, engine=db.engine)
        started = time.monotonic()
        numbers = fill(db, count)
        fill_seconds = round(time.monotonic() - started, 1)
        service = TicketService(db, RulesFile(ROOT / "knowledge" / "ticket_rules.yml"))
        analytics = Analytics(db, service, {})
        today = china_today()
        last_30_days = Period(today - timedelta(days=29), today)
        month = previous_month(month_period(today.year, today.month))
        overdue = console_queries.Overdue(today, tuple(sorted(service.rules.supervision_statuses)))

        def ticket_list(_i: int) -> object:
            with db.session() as session:
                return console_queries.page(session, offset=0, limit=50, status=Status.ACCEPTED.value)

        def dashboard(_i: int) -> object:
            with db.session() as session:
                console_queries.open_and_overdue_counts(session, overdue)
            return analytics.conversations(last_30_days), analytics.tickets_stats(last_30_days)

        cases = {
            "控制台工单列表": ticket_list,
            "工单详情页": lambda i: service.get(numbers[i % len(numbers)]),
            "数据看板（近 30 天）": dashboard,
            "月度报告": lambda _i: report.build(analytics, month),
            "办件查询（单号 + 手机后四位）": lambda i: service.status_query(numbers[i % len(numbers)], "0000"),
        }
        return {"tickets": count, "fill_seconds": fill_seconds, "cases": {k: timed(f) for k, f in cases.items()}}
    finally:
        db.dispose()


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as work:
        sizes = [measure_size(count, Path(work)) for count in SIZES]
    small, large = sizes[0]["cases"], sizes[-1]["cases"]
    rows = []
    for name in small:
        growth = large[name]["p95_ms"] / max(small[name]["p95_ms"], 1e-6)
        cpu_growth = large[name]["cpu_p95_ms"] / max(small[name]["cpu_p95_ms"], 1e-6)
        ok = growth <= MAX_GROWTH and large[name]["p95_ms"] < MAX_P95_MS
        rows.append(
            {
                "case": name,
                "small": small[name],
                "large": large[name],
                "growth": round(growth, 2),
                "cpu_growth": round(cpu_growth, 2),
                "ok": ok,
            }
        )
    return {"sizes": sizes, "rows": rows}


def markdown(result: dict) -> str:
    small, large = result["sizes"][0]["tickets"], result["sizes"][-1]["tickets"]
    lines = [
        f"## 数据增长：{small:,} → {large:,} 张工单（每天 {DAILY} 张，SQLite，进程内，p95 / {REPEAT} 次）",
        "",
        f"目标：{large:,} 张时 ≤ {MAX_GROWTH}× {small:,} 张时的 p95，且 < {MAX_P95_MS:.0f} ms。",
        "",
        f"| 操作 | {small:,} 张 p95 ms | {large:,} 张 p95 ms | 增长倍数 | CPU p95 ms（{small:,} → {large:,}） | CPU 倍数 | 达成 |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['case']} | {row['small']['p95_ms']} | {row['large']['p95_ms']} | {row['growth']}× | "
            f"{row['small']['cpu_p95_ms']} → {row['large']['cpu_p95_ms']} | {row['cpu_growth']}× | "
            f"{'✅' if row['ok'] else '❌'} |"
        )
    fills = "，".join(f"{s['tickets']:,} 张 {s['fill_seconds']} 秒" for s in result["sizes"])
    lines += ["", f"批量写入用时：{fills}。"]
    return "\n".join(lines)


def main(out: Path) -> int:
    import json

    from bench import search_growth, tracker_growth

    result = run()
    result["tracker"] = tracker_growth.run()
    result["search"] = search_growth.run()
    text = "\n\n".join(
        [markdown(result), tracker_growth.markdown(result["tracker"]), search_growth.markdown(result["search"])]
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "growth.md").write_text(text + "\n", encoding="utf-8")
    (out / "growth.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(text)
    print(f"[bench] 结果: {out / 'growth.md'}")
    return 0
