"""知识库: every service and bundle with its verification state; a form per service (and bundle)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from bot.console.crud import audit
from bot.console.routes.deps import ConsoleRoute, action, console, not_found, page, render, see_other
from bot.console.services.auth import CurrentUser
from bot.console.services.knowledge_editor import (
    CATEGORY_CHOICES,
    FLAG_LABELS,
    MATERIAL_FORM_CHOICES,
    SOURCE_KIND_CHOICES,
    TRISTATE,
    StaleEdit,
    bundle_form_values,
    service_form_values,
)
from bot.knowledge.schema import FLAGS

router = APIRouter(route_class=ConsoleRoute)
KINDS = {"service": "办事事项", "bundle": "一件事一次办"}


def _target(rel: str) -> str:
    return f"knowledge:{rel}"


@router.get("/knowledge", summary="知识库")
def overview(request: Request, done: str = "", user: CurrentUser = Depends(page("knowledge"))):
    app = console(request)
    data = app.editor.overview()
    rows = data["services"] + data["bundles"]
    with app.db.session() as session:
        edits = audit.last_for_targets(session, [_target(r["rel"]) for r in rows])
    for row in rows:
        row["last_edit"] = edits.get(_target(row["rel"]))
    stale = app.trainer.stale_generated()
    flash = {"saved": "已保存。对话助手几秒内就会按新内容回答，无需重新训练。"}.get(done, "")
    return render(
        request,
        "knowledge.html",
        {
            "title": "知识库",
            "user": user,
            "services": data["services"],
            "bundles": data["bundles"],
            "stale": stale,
            "flash": flash,
        },
    )


def _form_page(
    request: Request,
    user: CurrentUser,
    kind: str,
    item_id: str,
    values: dict,
    version: str,
    issues=(),
    status: int = 200,
    flash: str = "",
    changes=None,
):
    app = console(request)
    county = app.editor.county()
    departments = county.get("departments") or {}
    halls = county.get("halls") or {}
    rel = app.editor.rel(kind, item_id)
    with app.db.session() as session:
        last = audit.last_for_targets(session, [_target(rel)]).get(_target(rel))
    return render(
        request,
        f"knowledge_{kind}.html",
        {
            "title": f"编辑：{values.get('name') or item_id}",
            "user": user,
            "kind": kind,
            "kind_label": KINDS[kind],
            "item_id": item_id,
            "v": values,
            "version": version,
            "issues": list(issues),
            "rel": rel,
            "last": last,
            "departments": {k: (d.get("name") if isinstance(d, dict) else d) for k, d in departments.items()},
            "halls": {k: (h.get("name") if isinstance(h, dict) else k) for k, h in halls.items()},
            "categories": CATEGORY_CHOICES,
            "material_forms": MATERIAL_FORM_CHOICES,
            "tristate": TRISTATE,
            "source_kinds": SOURCE_KIND_CHOICES,
            "flags": [(f, FLAG_LABELS[f]) for f in FLAGS],
            "flash": flash,
            "changes": changes or {},
            "stale": app.trainer.stale_generated(),
        },
        status=status,
    )


def _values(kind: str, data: dict) -> dict:
    return service_form_values(data) if kind == "service" else bundle_form_values(data)


@router.get("/knowledge/{kind}/{item_id}", summary="编辑事项或一件事")
def edit(request: Request, kind: str, item_id: str, done: str = "", user: CurrentUser = Depends(page("knowledge"))):
    if kind not in KINDS:
        raise not_found("知识条目")
    try:
        data, version = console(request).editor.load(kind, item_id)
    except FileNotFoundError:
        raise not_found("知识条目") from None
    flash = ""
    if done == "saved":
        flash = "已保存。对话助手几秒内就会按新内容回答。"
    elif done == "unchanged":
        flash = "内容没有变化，未保存。"
    return _form_page(request, user, kind, item_id, _values(kind, data), version, flash=flash)


@router.post("/knowledge/{kind}/{item_id}", summary="保存事项或一件事")
async def save(request: Request, kind: str, item_id: str, user: CurrentUser = Depends(action("knowledge"))):
    if kind not in KINDS:
        raise not_found("知识条目")
    app = console(request)
    form = {key: value for key, value in (await request.form()).items() if isinstance(value, str)}
    try:
        result = app.editor.save(kind, item_id, form, form.get("version", ""))
    except FileNotFoundError:
        raise not_found("知识条目") from None
    except StaleEdit:
        data, version = app.editor.load(kind, item_id)
        return _form_page(
            request,
            user,
            kind,
            item_id,
            _values(kind, data),
            version,
            status=409,
            issues=["这个文件在您编辑期间被别人改过了。下面是最新内容，请重新修改后保存。"],
        )
    if result.issues:
        _data, version = app.editor.load(kind, item_id)
        return _form_page(
            request,
            user,
            kind,
            item_id,
            _values(kind, result.data),
            version,
            status=400,
            issues=[str(i) for i in result.issues],
            changes=result.changes,
        )
    if not result.saved:
        return see_other(f"/console/knowledge/{kind}/{item_id}?done=unchanged")
    rel = app.editor.rel(kind, item_id)
    with app.db.session(write=True) as session:
        audit.record(
            session,
            user.username,
            user.role,
            "knowledge.save",
            _target(rel),
            before={path: old for path, (old, _new) in result.changes.items()},
            after={path: new for path, (_old, new) in result.changes.items()},
        )
    return see_other(f"/console/knowledge/{kind}/{item_id}?done=saved")
