"""The 待核实 flags of knowledge/ticket_rules.yml: `unverified` maps a rule path (time_limits.投诉,
departments.<name>) to what is still missing. The knowledge check prints them and fails on a path that
names no rule; the console home lists them. Standard library and yaml only, like the rest of bot/knowledge/.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

RULES_FILE = "ticket_rules.yml"
SECTIONS = ("time_limits", "departments")


def read_flags(data: Any) -> tuple[dict[str, str], list[str]]:
    """(rule path → what is missing, problems as `file: field: problem` lines)."""
    if not isinstance(data, dict):
        return {}, []
    flags = data.get("unverified")
    if flags is None:
        return {}, []
    if not isinstance(flags, dict):
        return {}, [f"{RULES_FILE}: unverified: 应为键值表（规则路径: 还缺什么）"]
    found, problems = {}, []
    for path, note in flags.items():
        section, _, key = str(path).partition(".")
        rules = data.get(section) if section in SECTIONS else None
        if not isinstance(rules, dict) or key not in rules:
            problems.append(
                f"{RULES_FILE}: unverified.{path}: 不对应任何规则（可用：time_limits.类别、departments.部门名称）"
            )
        elif not isinstance(note, str) or not note.strip():
            problems.append(f"{RULES_FILE}: unverified.{path}: 写明还缺什么")
        else:
            found[str(path)] = note.strip()
    return found, problems


def rule_flags(kb_root: Path | str) -> tuple[dict[str, str], list[str]]:
    path = Path(kb_root) / RULES_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        return {}, [f"{RULES_FILE}: 无法读取（{error}）"]
    return read_flags(data)
