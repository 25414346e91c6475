"""Editing knowledge/ from forms: services (every field) and bundles (their descriptive fields).

The form's values are applied to the file's ruamel.yaml round-trip tree *in place* (only changed values
are touched), so comments, key order, quoting and flow/block style survive and the diff shows just the
edit. Before writing, the whole base is validated with the knowledge check itself
(`bot.knowledge.schema.validate_base`) with this file replaced: the edit is refused if this file has any
problem or if it causes a new problem elsewhere (e.g. an alias already used by another service).
The write is atomic (temp file + rename); the action server notices the new mtime and reloads.
"""

from __future__ import annotations

import copy
import hashlib
import io
import threading
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.console.services.yaml_files import round_trip_yaml, write_atomic
from bot.knowledge.facts import SOURCE_KINDS, is_verified, reconcile
from bot.knowledge.loader import BUNDLES_DIR, SERVICES_DIR, read_raw
from bot.knowledge.schema import CATEGORIES, FLAGS, MATERIAL_FORMS, Issue, pending_paths, validate_base
from bot.knowledge.text import PENDING

FLAG_LABELS = {
    "full_online": "全程网办",
    "commitment": "告知承诺",
    "rongque": "容缺受理",
    "cross_province": "跨省通办",
    "in_region": "区内通办",
    "agency": "帮代办",
    "home_service": "上门服务",
}
TRISTATE = (("true", "是"), ("false", "否"), (PENDING, PENDING))
EXTRA_ROWS = 2
_lock = threading.Lock()


class StaleEdit(Exception):
    """The file changed on disk since the form was opened."""


@dataclass
class EditResult:
    saved: bool
    issues: list[Issue] = field(default_factory=list)
    changes: dict[str, list] = field(default_factory=dict)
    data: dict | None = None  # the values as submitted (to re-show the form after an error)


def plain(value: Any) -> Any:
    """ruamel containers → dict/list (scalars keep their Python type)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def version_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def flatten(value: Any, path: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            out.update(flatten(item, f"{path}.{key}" if path else str(key)))
        return out or {path: {}}
    if isinstance(value, list):
        out = {}
        for i, item in enumerate(value):
            out.update(flatten(item, f"{path}[{i}]"))
        return out or {path: []}
    return {path: value}


def diff(before: Any, after: Any) -> dict[str, list]:
    a, b = flatten(before), flatten(after)
    return {path: [a.get(path), b.get(path)] for path in sorted(set(a) | set(b)) if a.get(path) != b.get(path)}


def sync_tree(node: Any, target: Any) -> Any:
    """Make ruamel `node` equal to plain `target`, changing as little as possible; returns the node to keep."""
    if isinstance(node, MutableMapping) and isinstance(target, dict):
        for key in [k for k in node if k not in target]:
            del node[key]
        for key, value in target.items():
            if key in node:
                kept = sync_tree(node[key], value)
                if kept is not node[key]:
                    node[key] = kept
            else:
                node[key] = value
        return node
    if isinstance(node, list) and isinstance(target, list):
        for i, value in enumerate(target[: len(node)]):
            kept = sync_tree(node[i], value)
            if kept is not node[i]:
                node[i] = kept
        if len(target) > len(node):
            node.extend(target[len(node) :])
        while len(node) > len(target):
            node.pop()
        return node
    if type(node) is type(target) and node == target:
        return node
    if isinstance(node, str) and isinstance(target, str) and str(node) == target:
        return node  # keep the quoting style of an unchanged string
    return target


# ---------------------------------------------------------------- form ↔ data


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _tristate(value: str) -> Any:
    return {"true": True, "false": False}.get(value, PENDING if value == PENDING else None)


def _count(value: str) -> Any:
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isdigit() else value


def _set(data: dict, key: str, value: Any, keep_empty: bool = False) -> None:
    """Assign, or drop an optional key when the field was left empty."""
    if value in (None, "", []) and not keep_empty:
        data.pop(key, None)
    else:
        data[key] = value


def _rows(form: Mapping[str, str], prefix: str, columns: tuple) -> list[dict]:
    indexes = sorted({int(k.split("-")[1]) for k in form if k.startswith(prefix + "-") and k.split("-")[1].isdigit()})
    return [{c: (form.get(f"{prefix}-{i}-{c}") or "").strip() for c in columns} for i in indexes]


def service_from_form(original: dict, form: Mapping[str, str]) -> dict:
    data = copy.deepcopy(original)
    text = lambda name: (form.get(name) or "").strip()  # noqa: E731
    data["name"] = text("name")
    _set(data, "short_name", text("short_name"))
    data["aliases"] = _lines(form.get("aliases", ""))
    _set(data, "keywords", _lines(form.get("keywords", "")))
    data["department"] = text("department")
    data["category"] = text("category")
    data["summary"] = text("summary")
    eligibility = dict(data.get("eligibility") or {})
    eligibility["who"] = text("eligibility.who")
    _set(eligibility, "conditions", _lines(form.get("eligibility.conditions", "")))
    data["eligibility"] = eligibility

    old_materials = data.get("materials") or []
    materials = []
    for i, row in enumerate(_rows(form, "materials", ("name", "form", "count", "note", "rongque"))):
        if not row["name"]:
            continue
        base = dict(old_materials[i]) if i < len(old_materials) and isinstance(old_materials[i], dict) else {}
        base["name"], base["form"] = row["name"], row["form"]
        _set(base, "count", _count(row["count"]))
        _set(base, "note", row["note"])
        _set(base, "rongque", _tristate(row["rongque"]))
        materials.append(base)
    data["materials"] = materials
    data["steps"] = _lines(form.get("steps", ""))
    data["time_limit"] = {
        **dict(data.get("time_limit") or {}),
        "legal": text("time_limit.legal"),
        "promised": text("time_limit.promised"),
    }
    data["fee"] = text("fee")
    place = dict(data.get("place") or {})
    place["hall"] = text("place.hall")
    _set(place, "window", text("place.window"))
    data["place"] = place
    online = dict(data.get("online") or {})
    online["available"] = _tristate(text("online.available"))
    _set(online, "channels", _lines(form.get("online.channels", "")))
    _set(online, "entry", text("online.entry"))
    data["online"] = online
    data["flags"] = {**dict(data.get("flags") or {}), **{f: _tristate(text(f"flags.{f}")) for f in FLAGS}}
    phone = text("phone")
    _set(data, "phone", original.get("phone") if phone and str(original.get("phone")) == phone else phone)
    _set(data, "related", _lines(form.get("related", "")))
    _common_tail(data, form)
    return data


def bundle_from_form(original: dict, form: Mapping[str, str]) -> dict:
    data = copy.deepcopy(original)
    text = lambda name: (form.get(name) or "").strip()  # noqa: E731
    data["name"] = text("name")
    data["aliases"] = _lines(form.get("aliases", ""))
    data["summary"] = text("summary")
    _set(data, "opening", text("opening"))
    data["time_limit"] = text("time_limit")
    _common_tail(data, form)
    return data


SOURCE_COLUMNS = ("id", "title", "url", "doc", "kind")


def _common_tail(data: dict, form: Mapping[str, str]) -> None:
    old = {s.get("id"): s for s in data.get("sources") or [] if isinstance(s, dict)}
    sources = []
    for r in _rows(form, "sources", SOURCE_COLUMNS):
        if not (r["title"] or r["url"] or r["doc"]):
            continue
        source = dict(old.get(r["id"]) or {})  # keeps checked_on and anything else the form does not show
        source.update({"id": r["id"], "title": r["title"]})
        for key in ("url", "doc"):
            _set(source, key, r[key])
        source["kind"] = r["kind"]
        sources.append(source)
    data["sources"] = sources
    _set(data, "verification_note", (form.get("verification_note") or "").strip())


def service_form_values(data: dict) -> dict:
    """Values for the service form's fields (lists as one item per line)."""
    lines = lambda items: "\n".join(str(i) for i in items or [])  # noqa: E731
    state = lambda v: "true" if v is True else "false" if v is False else ("" if v is None else str(v))  # noqa: E731
    eligibility, online = data.get("eligibility") or {}, data.get("online") or {}
    values = {
        "name": data.get("name", ""),
        "short_name": data.get("short_name", ""),
        "aliases": lines(data.get("aliases")),
        "keywords": lines(data.get("keywords")),
        "department": data.get("department", ""),
        "category": data.get("category", ""),
        "summary": data.get("summary", ""),
        "eligibility.who": eligibility.get("who", ""),
        "eligibility.conditions": lines(eligibility.get("conditions")),
        "steps": lines(data.get("steps")),
        "time_limit.legal": (data.get("time_limit") or {}).get("legal", ""),
        "time_limit.promised": (data.get("time_limit") or {}).get("promised", ""),
        "fee": data.get("fee", ""),
        "place.hall": (data.get("place") or {}).get("hall", ""),
        "place.window": (data.get("place") or {}).get("window", ""),
        "online.available": state(online.get("available")),
        "online.channels": lines(online.get("channels")),
        "online.entry": online.get("entry", ""),
        "phone": "" if data.get("phone") is None else str(data["phone"]),
        "related": lines(data.get("related")),
        "materials": [
            {
                "name": m.get("name", ""),
                "form": m.get("form", ""),
                "count": "" if m.get("count") is None else str(m["count"]),
                "note": m.get("note", ""),
                "rongque": state(m.get("rongque")),
            }
            for m in data.get("materials") or []
            if isinstance(m, dict)
        ]
        + [{"name": "", "form": "", "count": "", "note": "", "rongque": ""}] * EXTRA_ROWS,
    }
    values.update({f"flags.{f}": state((data.get("flags") or {}).get(f)) for f in FLAGS})
    values.update(_tail_values(data))
    return values


def bundle_form_values(data: dict) -> dict:
    values = {
        "name": data.get("name", ""),
        "aliases": "\n".join(data.get("aliases") or []),
        "summary": data.get("summary", ""),
        "opening": data.get("opening", ""),
        "time_limit": data.get("time_limit", ""),
    }
    values.update(_tail_values(data))
    return values


def _tail_values(data: dict) -> dict:
    return {
        "sources": [
            {c: str(s.get(c) or "") for c in SOURCE_COLUMNS} for s in data.get("sources") or [] if isinstance(s, dict)
        ]
        + [{c: "" for c in SOURCE_COLUMNS}] * EXTRA_ROWS,
        "verified": "true" if data.get("verified") is True else "false",
        "verification_note": data.get("verification_note", ""),
    }


# ---------------------------------------------------------------- the base


def finish_facts(kind: str, before: dict, after: dict) -> None:
    """A changed fact loses its source until confirmed again (the 核实 page); `verified` follows the facts."""
    reconcile(kind, before, after)
    if not after.get("facts") and "facts" not in before:
        after.pop("facts", None)
    after["verified"] = is_verified(kind, after)


class KnowledgeEditor:
    def __init__(self, root: Path):
        self.root = root

    def path(self, kind: str, item_id: str) -> Path:
        folder = SERVICES_DIR if kind == "service" else BUNDLES_DIR
        if not item_id.replace("_", "").isalnum() or not item_id.isascii():
            raise FileNotFoundError(item_id)
        path = self.root / folder / f"{item_id}.yml"
        if not path.is_file():
            raise FileNotFoundError(item_id)
        return path

    def rel(self, kind: str, item_id: str) -> str:
        return f"{SERVICES_DIR if kind == 'service' else BUNDLES_DIR}/{item_id}.yml"

    def load(self, kind: str, item_id: str) -> tuple[dict, str]:
        """(plain data, version) of one file."""
        text = self.path(kind, item_id).read_text(encoding="utf-8")
        return plain(round_trip_yaml().load(text)) or {}, version_of(text)

    def overview(self) -> dict:
        """Every service and bundle with its verification state and check problems."""
        raw = read_raw(self.root)
        issues = validate_base(raw.county, raw.services, raw.bundles) + raw.issues
        problems: dict[str, list[Issue]] = {}
        for issue in issues:
            problems.setdefault(issue.file, []).append(issue)
        county = raw.county if isinstance(raw.county, dict) else {}

        def row(kind: str, rel: str, data: Any) -> dict:
            data = data if isinstance(data, dict) else {}
            department = (county.get("departments") or {}).get(data.get("department"))
            return {
                "kind": kind,
                "id": rel.rsplit("/", 1)[-1][:-4],
                "rel": rel,
                "name": data.get("name") or rel,
                "category": data.get("category", ""),
                "verified": data.get("verified") is True,
                "sources": len(data.get("sources") or []),
                "pending": pending_paths(data),
                "note": data.get("verification_note", ""),
                "problems": problems.get(rel, []),
                "department": department.get("name") if isinstance(department, dict) else department,
            }

        return {
            "services": [row("service", rel, data) for rel, data in sorted(raw.services.items())],
            "bundles": [row("bundle", rel, data) for rel, data in sorted(raw.bundles.items())],
            "county": county,
        }

    def county(self) -> dict:
        raw = read_raw(self.root)
        return raw.county if isinstance(raw.county, dict) else {}

    def save(self, kind: str, item_id: str, form: Mapping[str, str], version: str) -> EditResult:
        build = service_from_form if kind == "service" else bundle_from_form
        rel = self.rel(kind, item_id)
        with _lock:
            path = self.path(kind, item_id)
            text = path.read_text(encoding="utf-8")
            if version_of(text) != version:
                raise StaleEdit()
            y = round_trip_yaml()
            tree = y.load(text)
            before = plain(tree)
            after = build(before, form)
            finish_facts(kind, before, after)
            changes = diff(before, after)
            if not changes:
                return EditResult(saved=False, data=after)
            issues = self._new_issues(rel, before, after)
            if issues:
                return EditResult(saved=False, issues=issues, changes=changes, data=after)
            sync_tree(tree, after)
            buffer = io.StringIO()
            y.dump(tree, buffer)
            written = buffer.getvalue()
            if plain(round_trip_yaml().load(written)) != after:
                raise RuntimeError("YAML round-trip mismatch")  # never write something we did not mean
            write_atomic(path, written)
        return EditResult(saved=True, changes=changes, data=after)

    def _new_issues(self, rel: str, before: dict, after: dict) -> list[Issue]:
        raw = read_raw(self.root)
        services, bundles = dict(raw.services), dict(raw.bundles)
        target = services if rel.startswith(SERVICES_DIR + "/") else bundles
        target[rel] = before
        old = set(validate_base(raw.county, services, bundles))
        target[rel] = after
        new = validate_base(raw.county, services, bundles)
        return [issue for issue in new if issue.file == rel or issue not in old]


MATERIAL_FORM_CHOICES = MATERIAL_FORMS
SOURCE_KIND_CHOICES = (("law", "法律法规原文"), ("gov", "政府网站或文件"), ("lead", "转载/线索（不算官方）"))
assert tuple(k for k, _ in SOURCE_KIND_CHOICES) == SOURCE_KINDS
CATEGORY_CHOICES = CATEGORIES
