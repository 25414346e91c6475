"""`python3 -m bot triage-export [--out PATH] [--database-url URL]`: the dispatchers' labelled examples as JSONL.

Default output: the triage's staff examples file (<HAIYUAN_VAR_DIR>/triage/staff_examples.jsonl), which
the next training of the triage reads; `--out -` prints them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.core.database import Database
from bot.core.settings import get_settings
from bot.tickets import examples, migrate
from bot.triage.corpus import staff_examples_path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m bot triage-export", description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="output file, - for standard output (default: the triage's staff examples file)")
    parser.add_argument("--database-url", help="tickets database (default: DATABASE_URL or var/tickets.db)")
    args = parser.parse_args(argv)
    settings = get_settings()
    url = args.database_url or settings.database_url
    db = Database(url)
    try:
        migrate.upgrade(url, engine=db.engine)
        with db.session() as session:
            if args.out == "-":
                sys.stdout.write(examples.to_jsonl(session))
                return 0
            path = Path(args.out) if args.out else staff_examples_path(settings.var_dir)
            count = examples.export_examples(session, path)
    finally:
        db.dispose()
    print(f"[海原政务小助手] 已导出 {count} 条派单标注样例：{path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
