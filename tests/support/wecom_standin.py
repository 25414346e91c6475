"""A local stand-in for Enterprise WeChat's (企业微信) server API on loopback, for the staff notices.

`GET /cgi-bin/gettoken?corpid=&corpsecret=` → access_token (40013 wrong corpid, 40001 wrong secret);
`POST /cgi-bin/message/send?access_token=` with an application message: the token (40014 unknown, 42001 expired),
the agentid (40056), a text message; members outside the application answer as `invaliduser` (sent to no one).
With `enable_duplicate_check` the same content to the same member within `duplicate_check_interval` seconds
is accepted but not delivered again, as documented. `fail_next(n)` answers the next n sends with -1 (system busy).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class WeComStandIn:
    def __init__(self, members: set[str], agent_id: int = 1000002):
        self.corp_id, self.secret, self.agent_id = "ww" + secrets.token_hex(8), secrets.token_hex(16), agent_id
        self.members = members
        self.delivered: list[dict[str, Any]] = []  # (touser, content) actually delivered
        self.rejected: list[int] = []
        self._tokens: dict[str, float] = {}
        self._recent: dict[tuple[str, str], float] = {}
        self._failures = 0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def env(self) -> dict[str, str]:
        return {
            "HAIYUAN_WECOM_CORPID": self.corp_id,
            "HAIYUAN_WECOM_SECRET": self.secret,
            "HAIYUAN_WECOM_AGENTID": str(self.agent_id),
            "HAIYUAN_WECOM_API_BASE": self.api_base,
        }

    def start(self) -> WeComStandIn:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail_next(self, count: int) -> None:
        with self._lock:
            self._failures += count

    def texts_to(self, member: str) -> list[str]:
        with self._lock:
            return [m["content"] for m in self.delivered if m["touser"] == member]

    def _token(self, query: dict[str, str]) -> dict[str, Any]:
        if query.get("corpid") != self.corp_id:
            return {"errcode": 40013, "errmsg": "invalid corpid"}
        if query.get("corpsecret") != self.secret:
            return {"errcode": 40001, "errmsg": "invalid credential"}
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens[token] = time.monotonic() + 7200
        return {"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200}

    def _send(self, query: dict[str, str], body: bytes) -> dict[str, Any]:
        with self._lock:
            expiry = self._tokens.get(query.get("access_token", ""))
        if expiry is None:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        if expiry < time.monotonic():
            return {"errcode": 42001, "errmsg": "access_token expired"}
        try:
            data = json.loads(body)
        except ValueError:
            return {"errcode": 47001, "errmsg": "data format error"}
        if data.get("agentid") != self.agent_id:
            return {"errcode": 40056, "errmsg": "invalid agentid"}
        content = (data.get("text") or {}).get("content")
        if data.get("msgtype") != "text" or not isinstance(content, str) or not content:
            return {"errcode": 47001, "errmsg": "data format error"}
        with self._lock:
            if self._failures:
                self._failures -= 1
                return {"errcode": -1, "errmsg": "system busy"}
            invalid, now = [], time.monotonic()
            for member in str(data.get("touser") or "").split("|"):
                if member not in self.members:
                    invalid.append(member)
                    continue
                key = (member, content)
                window = float(data.get("duplicate_check_interval") or 1800)
                if data.get("enable_duplicate_check") == 1 and now - self._recent.get(key, -1e9) < window:
                    continue  # a duplicate within the window: accepted, not delivered again
                self._recent[key] = now
                self.delivered.append({"touser": member, "content": content})
        return {"errcode": 0, "errmsg": "ok", "invaliduser": "|".join(invalid), "msgid": secrets.token_hex(8)}

    def _handler(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                url = urlsplit(self.path)
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if (method, url.path) == ("GET", "/cgi-bin/gettoken"):
                    answer = standin._token(query)
                elif (method, url.path) == ("POST", "/cgi-bin/message/send"):
                    answer = standin._send(query, body)
                else:
                    self.send_error(404)
                    return
                if answer["errcode"]:
                    with standin._lock:
                        standin.rejected.append(answer["errcode"])
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._answer("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._answer("POST")

            def log_message(self, *args: object) -> None:
                pass

        return Handler
