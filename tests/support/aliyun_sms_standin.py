"""A local stand-in of Alibaba Cloud's SMS API (dysmsapi SendSms, RPC signature 1.0) on loopback, for tests.

It checks what the real service checks before sending: the common parameters, a known AccessKeyId, a
Timestamp within 15 minutes, a SignatureNonce never used before, and the Signature, recomputed here from the
documented rules (written out again, not imported from the client); a wrong one gets the documented
SignatureDoesNotMatch error. Accepted messages are recorded and listed by QuerySendDetails (by number and China
day, with their OutId). Fault injection: `fail_next(n)` makes the next n valid SendSms requests fail (HTTP 500 or
flow control); `hold_answers(seconds)` records a message and then keeps the caller waiting, so the caller can be
killed after the message went out and before it heard so.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

REQUIRED = (
    "AccessKeyId",
    "Action",
    "Format",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
    "Signature",
)
ACTION_REQUIRED = {
    "SendSms": ("PhoneNumbers", "SignName", "TemplateCode"),
    "QuerySendDetails": ("PhoneNumber", "SendDate", "PageSize", "CurrentPage"),
}
CHINA = timezone(timedelta(hours=8))
UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def _encode(text: str) -> str:
    return "".join(chr(b) if b in UNRESERVED else f"%{b:02X}" for b in text.encode("utf-8"))


def expected_signature(method: str, params: dict[str, str], secret: str) -> str:
    query = "&".join(f"{_encode(k)}={_encode(params[k])}" for k in sorted(params) if k != "Signature")
    to_sign = f"{method}&{_encode('/')}&{_encode(query)}"
    return base64.b64encode(hmac.new(f"{secret}&".encode(), to_sign.encode("utf-8"), hashlib.sha1).digest()).decode()


@dataclass
class SentSms:
    phone: str
    sign_name: str
    template: str
    params: dict
    out_id: str
    biz_id: str
    day: str = ""  # China date, yyyyMMdd


class AliyunSmsStandIn:
    def __init__(self, access_key_id: str = "LTAI-test-key", access_key_secret: str = "test-secret-Ωμ"):
        self.access_key_id, self.access_key_secret = access_key_id, access_key_secret
        self.sent: list[SentSms] = []
        self.rejected: list[str] = []  # error codes answered
        self._nonces: set[str] = set()
        self._failures: list[str] = []
        self.hold_seconds = 0.0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True  # a held answer must not keep stop() waiting
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def env(self) -> dict[str, str]:
        """The backend's settings for this stand-in."""
        return {
            "ALIYUN_SMS_ACCESS_KEY_ID": self.access_key_id,
            "ALIYUN_SMS_ACCESS_KEY_SECRET": self.access_key_secret,
            "ALIYUN_SMS_SIGN_NAME": "海原政务",
            "ALIYUN_SMS_TEMPLATE_STATUS": "SMS_STATUS_1",
            "ALIYUN_SMS_TEMPLATE_WARNING": "SMS_WARN_1",
            "ALIYUN_SMS_TEMPLATE_DIGEST": "SMS_DIGEST_1",
            "ALIYUN_SMS_ENDPOINT": self.url,
        }

    def start(self) -> AliyunSmsStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, count: int, how: str = "500") -> None:
        """The next `count` valid requests fail: "500" (server error) or "limit" (isv.BUSINESS_LIMIT_CONTROL)."""
        with self._lock:
            self._failures.extend([how] * count)

    def hold_answers(self, seconds: float) -> None:
        self.hold_seconds = seconds

    def sent_to(self, phone: str) -> list[SentSms]:
        with self._lock:
            return [sms for sms in self.sent if sms.phone == phone]

    def _answer(self, method: str, params: dict[str, str]) -> tuple[int, dict]:
        missing = [name for name in REQUIRED if not params.get(name)]
        if missing:
            return 400, {"Code": "MissingParameter", "Message": f"missing {missing[0]}"}
        if params["AccessKeyId"] != self.access_key_id:
            return 404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "Specified access key is not found."}
        if params["SignatureMethod"] != "HMAC-SHA1" or params["SignatureVersion"] != "1.0":
            return 400, {"Code": "InvalidParameter", "Message": "signature method"}
        if params["Action"] not in ACTION_REQUIRED or params["Version"] != "2017-05-25":
            return 400, {"Code": "InvalidAction.NotFound", "Message": "action"}
        absent = [name for name in ACTION_REQUIRED[params["Action"]] if not params.get(name)]
        if absent:
            return 400, {"Code": "MissingParameter", "Message": f"missing {absent[0]}"}
        try:
            stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return 400, {"Code": "InvalidTimeStamp.Format", "Message": "timestamp"}
        if abs(datetime.now(UTC) - stamp) > timedelta(minutes=15):
            return 400, {"Code": "InvalidTimeStamp.Expired", "Message": "timestamp expired"}
        expected = expected_signature(method, params, self.access_key_secret)
        if not hmac.compare_digest(expected, params["Signature"]):
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched."}
        with self._lock:
            if params["SignatureNonce"] in self._nonces:
                return 400, {"Code": "SignatureNonceUsed", "Message": "nonce used"}
            self._nonces.add(params["SignatureNonce"])
            if params["Action"] == "QuerySendDetails":
                return 200, self._details(params)
            if self._failures:
                how = self._failures.pop(0)
                if how == "limit":
                    return 200, {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控"}
                return 500, {"Code": "ServiceUnavailable", "Message": "injected failure"}
            sms = SentSms(
                phone=params["PhoneNumbers"],
                sign_name=params["SignName"],
                template=params["TemplateCode"],
                params=json.loads(params.get("TemplateParam") or "{}"),
                out_id=params.get("OutId", ""),
                biz_id=uuid.uuid4().hex[:20],
                day=datetime.now(CHINA).strftime("%Y%m%d"),
            )
            self.sent.append(sms)
        return 200, {"Code": "OK", "Message": "OK", "BizId": sms.biz_id, "RequestId": str(uuid.uuid4())}

    def _details(self, params: dict[str, str]) -> dict:
        size, page = int(params["PageSize"]), int(params["CurrentPage"])
        found = [s for s in self.sent if s.phone == params["PhoneNumber"] and s.day == params["SendDate"]]
        shown = found[(page - 1) * size : page * size]
        details = [
            {
                "PhoneNum": s.phone,
                "SendStatus": 3,
                "TemplateCode": s.template,
                "OutId": s.out_id,
                "ErrCode": "DELIVERED",
            }
            for s in shown
        ]
        return {
            "Code": "OK",
            "Message": "OK",
            "TotalCount": str(len(found)),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
        }

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8")
                params = dict(parse_qsl(body, keep_blank_values=True))
                status, answer = standin._answer("POST", params)
                if params.get("Action") == "SendSms" and answer.get("Code") == "OK" and standin.hold_seconds:
                    time.sleep(standin.hold_seconds)  # sent; the caller has not heard so yet
                if answer.get("Code") != "OK":
                    with standin._lock:
                        standin.rejected.append(answer["Code"])
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        return Handler
