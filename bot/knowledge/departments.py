"""Which county department a citizen means ("派出所", "人社局吧", "县医保"), from the department lists of
knowledge/ticket_rules.yml (names, `aliases`, `keywords`) and knowledge/county.yml (names).

    resolve_department("应该是人社局吧", read_departments(root)) → "海原县人力资源和社会保障局"
    resolve_department("两个月前开始", …)                         → None (no department: 待分派 / inferred)

Pure functions over the YAML; no import of anything else of ours.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

RULES_FILE = "ticket_rules.yml"
COUNTY_FILE = "county.yml"
_PENDING_NOTE = re.compile(r"（[^）]*待核实[^）]*）")
_REGION = re.compile(r"^(国家税务总局|国网|中卫市住房公积金管理中心|中卫市生态环境局)?(中卫市|海原县|海原)")
_FILLER = re.compile(
    r"[\s，。！？、,.!?；;：:“”\"'（）()]|应该是|应该|可能是|可能|好像是|好像|大概是|大概|就是|我觉得|吧|啊|呀|呢|的|那个|县里|县上"
)
_SUFFIX = re.compile(r"(局|大队|公司|联合会|中心|管理部|分局)$")


@dataclass(frozen=True)
class Department:
    name: str
    aliases: tuple[str, ...]  # names citizens use: given in ticket_rules.yml, plus the short forms of the name
    keywords: tuple[str, ...]  # what the department handles (a weaker hint than a name)


def _short_forms(name: str) -> list[str]:
    """海原县人力资源和社会保障局 → 人力资源和社会保障局, 人力资源和社会保障."""
    forms = []
    short = _REGION.sub("", name)
    if short and short != name:
        forms.append(short)
    bare = _SUFFIX.sub("", short)
    if len(bare) >= 2 and bare != short:
        forms.append(bare)
    return forms


def parse_departments(rules: dict[str, Any] | None, county: dict[str, Any] | None) -> list[Department]:
    found: dict[str, Department] = {}
    entries = (rules or {}).get("departments") if isinstance(rules, dict) else None
    for name, entry in (entries or {}).items() if isinstance(entries, dict) else ():
        entry = entry if isinstance(entry, dict) else {}
        aliases = [str(a).strip() for a in entry.get("aliases") or [] if str(a).strip()]
        keywords = [str(k).strip() for k in entry.get("keywords") or [] if str(k).strip()]
        name = str(name).strip()
        found[name] = Department(name, tuple(dict.fromkeys(aliases + _short_forms(name))), tuple(keywords))
    county_entries = (county or {}).get("departments") if isinstance(county, dict) else None
    for entry in (county_entries or {}).values() if isinstance(county_entries, dict) else ():
        raw = entry.get("name") if isinstance(entry, dict) else entry
        name = _PENDING_NOTE.sub("", str(raw or "")).strip()
        if name and "待核实" not in name and name not in found:
            found[name] = Department(name, tuple(_short_forms(name)), ())
    return list(found.values())


def resolve_department(text: str, departments: list[Department]) -> str | None:
    """The department a short answer names (longest name or alias), else the one whose keywords it uses
    most clearly; None when it names none (or the keywords tie)."""
    cleaned = _FILLER.sub("", text or "")
    if not cleaned:
        return None
    best, best_length = None, 0
    for department in departments:
        for label in (department.name, *department.aliases):
            if label in cleaned and len(label) > best_length:
                best, best_length = department.name, len(label)
    if best:
        return best
    scores = sorted(((sum(len(k) for k in d.keywords if k in cleaned), d.name) for d in departments), reverse=True)
    if scores and scores[0][0] > 0 and (len(scores) == 1 or scores[1][0] < scores[0][0]):
        return scores[0][1]
    return None


class DepartmentList:
    """The departments of a knowledge folder, re-read when either file changes (a broken edit keeps the last)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[int, int] | None, ...] | None = None
        self._departments: list[Department] = []

    def _files_stamp(self) -> tuple[tuple[int, int] | None, ...]:
        stamp: list[tuple[int, int] | None] = []
        for name in (RULES_FILE, COUNTY_FILE):
            try:
                st = (self.root / name).stat()
                stamp.append((st.st_mtime_ns, st.st_size))
            except OSError:
                stamp.append(None)
        return tuple(stamp)

    def get(self) -> list[Department]:
        stamp = self._files_stamp()
        with self._lock:
            if stamp != self._stamp:
                try:
                    rules, county = (
                        yaml.safe_load((self.root / name).read_text(encoding="utf-8"))
                        for name in (RULES_FILE, COUNTY_FILE)
                    )
                    self._departments = parse_departments(rules, county)
                except (OSError, yaml.YAMLError):
                    pass  # keep what was read last
                self._stamp = stamp
            return self._departments


_lists: dict[Path, DepartmentList] = {}


def read_departments(root: Path | str) -> list[Department]:
    path = Path(root)
    if path not in _lists:
        _lists[path] = DepartmentList(path)
    return _lists[path].get()
