"""Uniform error bodies with Chinese messages: {"detail": "...", "errors": [...]}.

422 validation errors name the field in Chinese and say what is wrong, without echoing the input
(it may contain personal data). Unexpected errors become a plain 500 without internals.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bot.core.headers import add_security_headers

log = logging.getLogger(__name__)

_TYPE_MESSAGES = {
    "value_error.missing": "此项必填",
    "type_error.none.not_allowed": "不能为空",
    "type_error.str": "应为文本",
    "type_error.integer": "应为整数",
    "type_error.bool": "应为 true 或 false",
    "type_error.dict": "应为 JSON 对象",
    "type_error.list": "应为列表",
    "value_error.jsondecode": "请求体不是有效的 JSON",
    "value_error.extra": "不支持此字段",
    "value_error.date": "日期格式应为 YYYY-MM-DD",
    "value_error.number.not_ge": "数值太小",
    "value_error.number.not_le": "数值太大",
}


def _message(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "type_error.enum":
        return "取值无效，可选：" + "、".join(str(getattr(v, "value", v)) for v in ctx.get("enum_values", []))
    if kind == "value_error.any_str.max_length":
        return f"不能超过 {ctx.get('limit_value')} 个字"
    if kind == "value_error.any_str.min_length":
        return "不能为空" if ctx.get("limit_value") == 1 else f"至少 {ctx.get('limit_value')} 个字"
    if kind in _TYPE_MESSAGES:
        return _TYPE_MESSAGES[kind]
    if kind.startswith("value_error") and error.get("msg"):
        return str(error["msg"])  # our own validators raise Chinese messages
    return "格式不正确"


def install_error_handlers(app: FastAPI, field_labels: dict[str, str]) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for error in exc.errors():
            loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "header", "path")]
            field = ".".join(loc)
            label = field_labels.get(loc[-1], field) if loc else "请求"
            errors.append({"field": field, "message": f"{label}：{_message(error)}"})
        detail = "；".join(e["message"] for e in errors) or "请求格式不正确"
        return JSONResponse(status_code=422, content={"detail": detail, "errors": errors})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("未处理的错误: %s %s", request.method, request.url.path)
        # Outside the middleware stack (Starlette's ServerErrorMiddleware): the headers are added here.
        return add_security_headers(JSONResponse(status_code=500, content={"detail": "服务器内部错误，请稍后再试"}))
