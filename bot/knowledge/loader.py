"""Load the knowledge base from YAML and keep it fresh while a server runs.

    kb = KnowledgeBase()          # root: $KNOWLEDGE_DIR or the repo's knowledge/
    kb.reload_if_changed()        # looks at the files at most every KNOWLEDGE_CHECK_SECONDS
    kb.services["id_card"]        # parsed YAML of services/id_card.yml

A file with errors never replaces its last good version. Without one (first load, new file) it is
served as it is if it is at least a mapping with the right id and a name, else left out until fixed.
The problems of the latest load are in `kb.errors`; `python -m bot.knowledge.check` prints them.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.knowledge.schema import Issue, item_labels, validate_base
from bot.knowledge.text import normalize

SERVICE = "service"
BUNDLE = "bundle"
COUNTY_FILE = "county.yml"
SERVICES_DIR = "services"
BUNDLES_DIR = "bundles"

# (folder, file name or None for a missing folder, mtime_ns, size)
_FileStamp = tuple[str, str | None, int, int]


def default_root() -> Path:
    """$KNOWLEDGE_DIR, else knowledge/ next to the bot/ package."""
    env = os.environ.get("KNOWLEDGE_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "knowledge"


@dataclass
class RawBase:
    """Parsed files before any checks; keys are paths relative to the root (posix)."""

    county: Any = None
    services: dict[str, Any] = field(default_factory=dict)
    bundles: dict[str, Any] = field(default_factory=dict)
    issues: list[Issue] = field(default_factory=list)  # files that could not be read or parsed


def read_raw(root: Path) -> RawBase:
    raw = RawBase()
    county_path = root / COUNTY_FILE
    if county_path.exists():
        county = _parse(county_path, COUNTY_FILE, raw.issues)
        raw.county = None if county is _BROKEN else county
    else:
        raw.issues.append(Issue(COUNTY_FILE, "", "文件不存在"))
    for folder, target in ((SERVICES_DIR, raw.services), (BUNDLES_DIR, raw.bundles)):
        for path in sorted((root / folder).glob("*.yml")):
            rel = f"{folder}/{path.name}"
            data = _parse(path, rel, raw.issues)
            if data is not _BROKEN:
                target[rel] = data
    return raw


_BROKEN = object()


def _parse(path: Path, rel: str, issues: list[Issue]) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(Issue(rel, "", f"无法读取：{exc}"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        issues.append(Issue(rel, "", f"YAML 格式错误{where}：{getattr(exc, 'problem', None) or exc}"))
    return _BROKEN


def check_base(root: Path | str | None = None) -> tuple[RawBase, list[Issue]]:
    """Read and validate everything under `root`: (parsed files, all issues)."""
    raw = read_raw(Path(root) if root else default_root())
    unreadable = {issue.file for issue in raw.issues}
    unreadable_services = [_stem(f) for f in unreadable if f.startswith(SERVICES_DIR + "/")]
    checked = validate_base(raw.county, raw.services, raw.bundles, other_service_ids=unreadable_services)
    return raw, raw.issues + [issue for issue in checked if issue.file not in unreadable]


def _stem(rel: str) -> str:
    return rel.rsplit("/", 1)[-1][:-4]


def _usable(rel: str, data: Any) -> bool:
    """Good enough to serve with errors: a mapping, and for items the right id and a name."""
    if not isinstance(data, dict):
        return False
    return rel == COUNTY_FILE or (data.get("id") == _stem(rel) and isinstance(data.get("name"), str))


DEFAULT_CHECK_SECONDS = 2.0


class KnowledgeBase:
    """County facts, services and bundles by id, and a name index; reloads itself on change."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root else default_root()
        self.county: dict[str, Any] = {}
        self.services: dict[str, dict[str, Any]] = {}
        self.bundles: dict[str, dict[str, Any]] = {}
        self.name_index: dict[str, tuple[str, str]] = {}  # normalize(label) → (kind, id)
        self.errors: list[Issue] = []
        self.version = 0  # bumped whenever the served content changes
        self._good: dict[str, Any] = {}  # rel path → last version of that file that passed all checks
        self._signature: tuple[_FileStamp, ...] | None = None
        self._derived: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.check_seconds = float(os.environ.get("KNOWLEDGE_CHECK_SECONDS") or DEFAULT_CHECK_SECONDS)
        self._checked_at = time.monotonic()
        self.reload()

    # ------------------------------------------------------------ loading
    def signature(self) -> tuple[_FileStamp, ...]:
        """(name, mtime, size) of every knowledge file: a few stat calls."""
        entries: list[_FileStamp] = []
        for folder in ("", SERVICES_DIR, BUNDLES_DIR):
            try:
                with os.scandir(self.root / folder) as it:
                    for entry in it:
                        if entry.name.endswith(".yml") and (folder or entry.name == COUNTY_FILE):
                            st = entry.stat()
                            entries.append((folder, entry.name, st.st_mtime_ns, st.st_size))
            except FileNotFoundError:
                entries.append((folder, None, 0, 0))
        return tuple(sorted(entries, key=str))

    def reload_if_changed(self) -> bool:
        """Reload when any file was added, removed or modified; True if something was reloaded.

        The files are looked at no more often than every `check_seconds` (KNOWLEDGE_CHECK_SECONDS, default
        2): a staff edit is served within that time, and a busy action server does not stat ~70 files on
        every call (that was a quarter of its CPU)."""
        now = time.monotonic()
        if now - self._checked_at < self.check_seconds:
            return False
        self._checked_at = now
        if self.signature() == self._signature:
            return False
        self.reload()
        return True

    def reload(self) -> list[Issue]:
        with self._lock:
            self._signature = self.signature()
            raw, issues = check_base(self.root)
            broken = {issue.file for issue in issues}
            county_raw = raw.county if isinstance(raw.county, dict) else None
            parsed = {COUNTY_FILE: county_raw, **raw.services, **raw.bundles}
            on_disk = set(parsed) | {rel for rel in broken if (self.root / rel).exists()}
            chosen: dict[str, Any] = {}
            for rel in sorted(on_disk):
                if rel not in broken and parsed.get(rel) is not None:
                    chosen[rel] = self._good[rel] = parsed[rel]
                elif rel in self._good:
                    chosen[rel] = self._good[rel]  # keep serving the last good version
                elif _usable(rel, parsed.get(rel)):
                    chosen[rel] = parsed[rel]  # no good version yet: serve it as it is rather than hide it
            self._good = {rel: data for rel, data in self._good.items() if rel in on_disk}
            self._install(chosen)
            self.errors = issues
            return issues

    def _install(self, chosen: dict[str, Any]) -> None:
        services = {_stem(r): d for r, d in sorted(chosen.items()) if r.startswith(SERVICES_DIR + "/")}
        bundles = {_stem(r): d for r, d in sorted(chosen.items()) if r.startswith(BUNDLES_DIR + "/")}
        county = chosen.get(COUNTY_FILE) or {}
        if (county, services, bundles) == (self.county, self.services, self.bundles):
            return
        index: dict[str, tuple[str, str]] = {}
        for kind, items in ((SERVICE, services), (BUNDLE, bundles)):
            for item_id, data in items.items():
                for _, label in item_labels(data):
                    index.setdefault(normalize(label), (kind, item_id))  # first wins on a clash
        self.county, self.services, self.bundles, self.name_index = county, services, bundles, index
        self._derived = {}
        self.version += 1

    # ------------------------------------------------------------ access
    @property
    def ok(self) -> bool:
        return not self.errors

    def item(self, kind: str, item_id: str) -> dict[str, Any] | None:
        return (self.services if kind == SERVICE else self.bundles).get(item_id)

    def lookup(self, value: str) -> tuple[str, str] | None:
        """(kind, id) for an id, name, short name or alias; None if unknown."""
        if value in self.services:
            return SERVICE, value
        if value in self.bundles:
            return BUNDLE, value
        return self.name_index.get(normalize(value.strip()))

    def department(self, key: Any) -> dict[str, Any]:
        """County department as a dict (the short form `key: 名称` becomes {name: 名称}); {} if unknown."""
        dept = self._county_entry("departments", key)
        return {"name": dept} if isinstance(dept, str) else dict(dept) if isinstance(dept, dict) else {}

    def hall(self, key: Any) -> dict[str, Any]:
        """County hall (name, address, hours, phone) as a dict; {} if unknown."""
        hall = self._county_entry("halls", key)
        return dict(hall) if isinstance(hall, dict) else {}

    def _county_entry(self, section: str, key: Any) -> Any:
        entries = self.county.get(section)
        return entries.get(key) if isinstance(entries, dict) and isinstance(key, str) else None

    def derived(self, key: str, build: Callable[[KnowledgeBase], Any]) -> Any:
        """Value computed from the current content (e.g. a search index), rebuilt after a reload."""
        version = self.version
        if key not in self._derived:
            value = build(self)
            if version == self.version:
                self._derived[key] = value
            return value
        return self._derived[key]


_shared: dict[Path, KnowledgeBase] = {}


def get_knowledge_base(root: Path | str | None = None) -> KnowledgeBase:
    """The process-wide KnowledgeBase for `root`, refreshed if its files changed."""
    path = Path(root) if root else default_root()
    kb = _shared.get(path)
    if kb is None:
        kb = _shared[path] = KnowledgeBase(path)
    else:
        kb.reload_if_changed()
    return kb
