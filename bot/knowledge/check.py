"""Validate the whole knowledge base.

    python -m bot.knowledge.check [--root DIR] [--today YYYY-MM-DD]

Prints one line per problem (`file: field: problem`) and a summary; exit code 1 if anything is wrong.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from bot.knowledge.calendar import calendar_warnings, check_calendar
from bot.knowledge.facts import sourced_share
from bot.knowledge.loader import check_base, default_root
from bot.knowledge.notices import check_notices
from bot.knowledge.rule_flags import rule_flags
from bot.knowledge.safety import check_safety


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.knowledge.check", description="校验知识库 knowledge/")
    parser.add_argument("--root", type=Path, help="知识库目录（默认：$KNOWLEDGE_DIR 或仓库的 knowledge/）")
    parser.add_argument("--today", type=date.fromisoformat, help="按这一天检查日历是否够用（默认：今天，北京时间）")
    args = parser.parse_args(argv)
    root = args.root or default_root()

    raw, issues = check_base(root)
    for issue in issues:
        print(issue)
    flags, flag_problems = rule_flags(root)
    others = check_notices(root) + check_safety(root) + check_calendar(root, args.today) + flag_problems
    for line in others:
        print(line)
    for warning in calendar_warnings(root):  # unconfirmed dates: shown, but not errors
        print(warning)
    for path, missing in flags.items():  # unconfirmed ticket rules: shown, but not errors
        print(f"ticket_rules.yml: 提醒：{path} 待核实：{missing}")
    items = [d for d in list(raw.services.values()) + list(raw.bundles.values()) if isinstance(d, dict)]
    unverified = sum(1 for d in items if d.get("verified") is not True)
    files = len({issue.file for issue in issues} | {line.split(":", 1)[0] for line in others})
    errors = len(issues) + len(others)
    national = sourced_share(raw.services)
    print(
        f"国家规定类事实（收费、法定时限、办理条件、亲友代办）有官方来源的：{national.official} / {national.facts}"
        f"（{national.percent}%；内容已确定的 {national.settled} 条）"
    )
    print(
        f"{root}: {len(raw.services)} 个事项, {len(raw.bundles)} 个一件事, {unverified} 个未核实; "
        + (f"{errors} 个错误（涉及 {files} 个文件）" if errors else "没有错误")
    )
    return 1 if issues or others else 0


if __name__ == "__main__":
    sys.exit(main())
