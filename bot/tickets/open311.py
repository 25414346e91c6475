"""Open311 GeoReport v2 (JSON only) over the same tickets: /open311/v2/...

`api_key` (query or form field, or the Bearer header) carries the API token. Errors use the
GeoReport shape: [{"code": 400, "description": "..."}].
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from bot.common.privacy import mask_text
from bot.core.auth import is_authorized, token_or_api_key
from bot.tickets.choices import SERVICE_CODES, Category, Status
from bot.tickets.due_dates import CHINA_TZ
from bot.tickets.models import Ticket
from bot.tickets.numbering import plausible_number
from bot.tickets.schemas import check_text, normalize_phone
from bot.tickets.service import NewTicket, TicketNotFound, TicketService, to_china_time

CATEGORY_BY_CODE = {code: category for category, code in SERVICE_CODES.items()}
DESCRIPTIONS = {
    Category.COMPLAINT: "对政府部门、公共服务或经营者的不满，要求处理",
    Category.REPORT: "反映违法违规行为线索",
    Category.HELP: "生活、生产中遇到困难，请求帮助",
    Category.SUGGESTION: "对政府工作和公共服务的意见建议",
    Category.CONSULTATION: "询问政策、办事流程等",
    Category.PRAISE: "对工作人员或部门的表扬",
}
MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def install_open311_errors(app: FastAPI) -> None:
    @app.exception_handler(Open311Error)
    async def _handle(_request: Request, exc: Open311Error) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.code == 401 else None
        return JSONResponse(
            status_code=exc.code, content=[{"code": exc.code, "description": exc.description}], headers=headers
        )


async def _form(request: Request) -> dict[str, str]:
    """POST fields from application/x-www-form-urlencoded (the GeoReport way) or JSON."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        text = raw.decode("utf-8")
        if "json" in request.headers.get("content-type", ""):
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError
            return {str(k): "" if v is None else str(v) for k, v in data.items()}
        return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
    except ValueError:  # also UnicodeDecodeError and JSONDecodeError
        raise Open311Error(400, "请求体格式不正确") from None


async def require_api_key(request: Request, candidate: str | None = Depends(token_or_api_key)) -> None:
    """GeoReport clients send api_key in the query, or as a field of the POST body."""
    if candidate is None and request.method == "POST":
        candidate = (await _form(request)).get("api_key")
    if not is_authorized(request, candidate):
        raise Open311Error(401, "api_key 无效或缺失")


router = APIRouter(prefix="/open311/v2", tags=["Open311 GeoReport v2"], dependencies=[Depends(require_api_key)])


def get_service(request: Request) -> TicketService:
    service: TicketService = request.app.state.tickets
    return service


def _expected(due: date) -> str:
    return datetime.combine(due, time(23, 59, 59), tzinfo=CHINA_TZ).isoformat()


def media_url(ticket: Ticket, base_url: str) -> str | None:
    """GeoReport v2 has one media_url: the citizen's first photo (bot/tickets/media.py), token-protected."""
    photos = ticket.media
    return f"{base_url.rstrip('/')}/open311/v2/media/{photos[0].token}.jpg" if photos else None


def service_request(ticket: Ticket, base_url: str = "") -> dict[str, Any]:
    closed = ticket.status == Status.CLOSED.value
    notes = ticket.status + (f"：{ticket.reply}" if ticket.reply else "")
    return {
        "service_request_id": ticket.number,
        "status": "closed" if closed else "open",
        "status_notes": mask_text(notes),
        "service_name": ticket.category,
        "service_code": SERVICE_CODES[Category(ticket.category)],
        "description": mask_text(ticket.description),
        "agency_responsible": ticket.department,
        "service_notice": f"办理时限：{ticket.due_date} 前（工作日计算）",
        "requested_datetime": to_china_time(ticket.created_at),
        "updated_datetime": to_china_time(ticket.updated_at),
        "expected_datetime": _expected(ticket.due_date),
        "address": mask_text(ticket.location),
        "address_id": None,
        "zipcode": None,
        "lat": ticket.latitude,
        "long": ticket.longitude,
        "media_url": media_url(ticket, base_url),
    }


@router.get("/services.json", summary="服务列表（诉求类别）")
def services() -> list[dict[str, Any]]:
    return [
        {
            "service_code": SERVICE_CODES[c],
            "service_name": c.value,
            "description": DESCRIPTIONS[c],
            "metadata": False,
            "type": "realtime",
            "keywords": c.value,
            "group": "12345 政务服务便民热线",
        }
        for c in Category
    ]


def _parse_datetime(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Open311Error(400, f"{name} 应为 ISO 8601 时间，例如 2026-11-25T08:00:00+08:00") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=CHINA_TZ)
    return parsed.astimezone(UTC).replace(tzinfo=None)


@router.get("/requests.json", summary="查询诉求（默认近 90 天，最多 1000 条）")
def list_requests(
    request: Request,
    service_request_id: str | None = None,
    service_code: str | None = None,
    start_date: str | None = None,
    end_date: str | None = None,
    status: str | None = None,
    service: TicketService = Depends(get_service),
) -> list[dict[str, Any]]:
    if service_request_id:
        found = []
        for number in [n.strip().upper() for n in service_request_id.split(",") if n.strip()][:MAX_RESULTS]:
            if not plausible_number(number):
                continue
            try:
                found.append(service.get(number))
            except TicketNotFound:
                continue
        return [service_request(t, str(request.base_url)) for t in found]

    codes = [c.strip() for c in (service_code or "").split(",") if c.strip()]
    unknown = [c for c in codes if c not in CATEGORY_BY_CODE]
    if unknown:
        raise Open311Error(400, f"未知的 service_code：{', '.join(unknown)}")
    statuses = [s.strip().lower() for s in (status or "").split(",") if s.strip()]
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status 只能是 open 或 closed")
    end = _parse_datetime(end_date, "end_date")
    start = _parse_datetime(start_date, "start_date")
    if start is None:
        start = (end or datetime.now(UTC).replace(tzinfo=None)) - DEFAULT_WINDOW
    tickets = service.search(
        categories=[CATEGORY_BY_CODE[c].value for c in codes] or None,
        closed=None if len(set(statuses)) != 1 else statuses[0] == "closed",
        created_from=start,
        created_until=end,
        limit=MAX_RESULTS,
    )
    return [service_request(t, str(request.base_url)) for t in tickets]


@router.get("/requests/{service_request_id}.json", summary="查询单个诉求")
def get_request(
    service_request_id: str, request: Request, service: TicketService = Depends(get_service)
) -> list[dict[str, Any]]:
    number = service_request_id.strip().upper()
    try:
        if not plausible_number(number):
            raise TicketNotFound(number)
        return [service_request(service.get(number), str(request.base_url))]
    except TicketNotFound:
        raise Open311Error(404, "未找到该诉求") from None


def _optional_float(fields: dict[str, str], name: str) -> float | None:
    value = fields.get(name, "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        raise Open311Error(400, f"{name} 应为数字") from None
    if number != number or abs(number) > (90 if name == "lat" else 180):
        raise Open311Error(400, f"{name} 超出范围")
    return number


_POST_FIELDS = {
    "type": "object",
    "required": ["service_code", "description"],
    "properties": {
        name: {"type": "string", "description": text}
        for name, text in [
            ("api_key", "API 令牌（也可放在查询参数或 Bearer 头）"),
            ("service_code", "见 services.json"),
            ("description", "诉求内容，原样保存"),
            ("address_string", "地点（与 lat/long 二选一）"),
            ("lat", "纬度"),
            ("long", "经度"),
            ("first_name", "名"),
            ("last_name", "姓"),
            ("phone", "手机号或固定电话"),
        ]
    },
}
_POST_BODY = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {"schema": _POST_FIELDS},
            "application/json": {"schema": _POST_FIELDS},
        }
    }
}


@router.post("/requests.json", summary="提交诉求（表单或 JSON）", status_code=201, openapi_extra=_POST_BODY)
async def create_request(
    request: Request,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
    service: TicketService = Depends(get_service),
) -> JSONResponse:
    fields = await _form(request)
    try:
        for value in fields.values():
            check_text(value)
    except ValueError as error:
        raise Open311Error(400, str(error)) from None
    code = fields.get("service_code", "").strip()
    if code not in CATEGORY_BY_CODE:
        raise Open311Error(400, "service_code 缺失或未知，请先查询 services.json")
    description = fields.get("description", "")
    if not description.strip():
        raise Open311Error(400, "description 不能为空")
    lat, lon = _optional_float(fields, "lat"), _optional_float(fields, "long")
    address = fields.get("address_string") or None
    if address is None and (lat is None or lon is None):
        raise Open311Error(400, "需要提供 address_string 或 lat/long")
    phone = fields.get("phone", "").strip() or None
    if phone:
        try:
            phone = normalize_phone(phone)
        except ValueError as error:
            raise Open311Error(400, str(error)) from None
    name = " ".join(filter(None, [fields.get("last_name", "").strip(), fields.get("first_name", "").strip()]))
    new = NewTicket(
        category=CATEGORY_BY_CODE[code].value,
        summary=" ".join(description.split())[:50],
        description=description,
        phone=phone,
        consent=False,
        channel="Open311",
        location=address,
        latitude=lat,
        longitude=lon,
        citizen_name=name[:100] or None,
    )
    ticket, created = await run_in_threadpool(service.create, new, idempotency_key)
    body = [
        {
            "service_request_id": ticket.number,
            "service_notice": f"已受理，办理时限：{ticket.due_date} 前",
            "account_id": None,
        }
    ]
    return JSONResponse(status_code=201 if created else 200, content=body)
