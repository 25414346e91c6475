"""A local stand-in for WeChat's servers (公众号), speaking the documented protocol on a free loopback port.

Two halves, as WeChat has them:
- **API** (what our code calls; base URL for HAIYUAN_WECHAT_API_BASE is `standin.api_base`):
  `GET /cgi-bin/token` (grant_type=client_credential, appid, secret → access_token, expires_in),
  `POST /cgi-bin/message/custom/send` (客服消息), `POST /cgi-bin/message/template/send` (模板消息),
  `POST /cgi-bin/message/subscribe/bizsend` (订阅通知). Every message call checks `?access_token=`
  (40001 unknown, 42001 expired), the JSON body (47001) and `touser` (40003); accepted bodies are recorded in
  `custom_messages`, `template_messages`, `subscribe_messages`. Customer-service messages need the user to
  have written to the account within 48 hours (45015), as on the real platform; `push` counts as writing,
  and each push allows 5 of them (3 after an event), then 45047.
- **Signed XML in** (what WeChat sends to the account's server URL): `push()` posts a message the way WeChat
  does — `signature`, `timestamp`, `nonce`, `openid` in the query; in safe mode (an EncodingAESKey) the XML is
  AES-encrypted with `encrypt_type=aes&msg_signature=…` — then checks and decrypts the passive reply.

The crypto here is written from the protocol description with `cryptography` (not wechatpy), so a test of
the channel (which uses wechatpy) against this stand-in checks two independent implementations.

Fault injection: `fail_next(path, errcode=…, times=…)` and `expire_access_tokens()`.

    with WeChatStandIn() as wechat:
        os.environ.update(wechat.env())       # token, appid, secret, AES key, API base for the channel
        reply = wechat.push(webhook_url, wechat.text_xml("o-user-1", "你好"))
        reply.text, wechat.wait_custom(1)
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import string
import struct
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PASSIVE_REPLY_SECONDS = 5.0  # WeChat drops the connection after 5 s and retries (3 attempts in all)
INTERACTION_WINDOW_SECONDS = 48 * 3600  # customer-service messages only within 48 h of the user's last message
# Customer-service messages allowed after one user message / one event (subscribe, menu click), per the
# platform's 2023 rules as a third-party summary gives them (待核实; the real event window is also 1 minute).
QUOTA_AFTER_MESSAGE, QUOTA_AFTER_EVENT = 5, 3
ERRORS = {
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40037: "invalid template_id",
    40125: "invalid appsecret",
    42001: "access_token expired",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    47001: "data format error",
}


def new_aes_key() -> str:
    """A random EncodingAESKey: 43 characters of base64 (32 bytes)."""
    return base64.b64encode(secrets.token_bytes(32)).decode()[:-1]


def sha1_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


class Cryptor:
    """WeChat's message encryption: AES-256-CBC, key = base64(EncodingAESKey + "="), IV = key[:16],
    plaintext = 16 random bytes + 4-byte big-endian length + message + AppID, PKCS#7 padded to 32 bytes."""

    def __init__(self, encoding_aes_key: str, appid: str):
        self.key = base64.b64decode(encoding_aes_key + "=")
        assert len(self.key) == 32, "an EncodingAESKey is 43 characters of base64"
        self.appid = appid

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, text: str) -> str:
        body = text.encode()
        plain = secrets.token_bytes(16) + struct.pack(">I", len(body)) + body + self.appid.encode()
        pad = 32 - len(plain) % 32
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()

    def decrypt(self, encrypted: str) -> str:
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= 32:
            raise ValueError("bad padding")
        content = plain[16:-pad]
        (length,) = struct.unpack(">I", content[:4])
        text, appid = content[4 : 4 + length], content[4 + length :]
        if appid.decode() != self.appid:
            raise ValueError(f"reply encrypted for another AppID: {appid!r}")
        return text.decode()


@dataclass
class PushResult:
    """WeChat's view of one push: the HTTP status and body, the decrypted reply XML and its fields."""

    status: int
    body: str
    xml: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    timed_out: bool = False

    @property
    def is_success(self) -> bool:
        """ "success" or an empty body: WeChat shows nothing and does not retry."""
        return self.status == 200 and self.body.strip() in ("", "success")

    @property
    def text(self) -> str | None:
        return self.fields.get("Content") if self.fields.get("MsgType") == "text" else None

    @property
    def usable(self) -> bool:
        """WeChat shows 「该公众号暂时无法提供服务」 unless the answer is success/empty or a valid reply in time."""
        return not self.timed_out and (self.is_success or bool(self.fields.get("MsgType")))


class WeChatStandIn:
    def __init__(
        self,
        appid: str | None = None,
        secret: str | None = None,
        token: str | None = None,
        encoding_aes_key: str | None = "random",
        account: str = "gh_haiyuan0standin",
        token_ttl: int = 7200,
        template_ids: set[str] | None = None,
    ):
        self.appid = appid or "wx" + secrets.token_hex(8)
        self.secret = secret or secrets.token_hex(16)
        self.token = token or "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        self.encoding_aes_key = new_aes_key() if encoding_aes_key == "random" else encoding_aes_key
        self.account = account  # the account's original ID (ToUserName of incoming messages)
        self.token_ttl = token_ttl
        self.template_ids = template_ids
        self.custom_messages: list[dict[str, Any]] = []
        self.template_messages: list[dict[str, Any]] = []
        self.subscribe_messages: list[dict[str, Any]] = []
        self.token_requests = 0
        self.rejected: list[tuple[str, int]] = []  # (path, errcode) of every refused API call
        self._tokens: dict[str, float] = {}  # access_token → expiry (monotonic)
        self._interactions: dict[str, float] = {}  # openid → last message to the account (monotonic)
        self._quota: dict[str, int] = {}  # openid → customer-service messages still allowed
        self._faults: dict[str, list[int]] = {}
        self._msg_ids = iter(range(int(time.time()) * 1000, 1 << 62))
        self._lock = threading.Condition()
        self._server: ThreadingHTTPServer | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> WeChatStandIn:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet in test output
                pass

            def do_GET(self) -> None:
                standin._handle(self, "GET")

            def do_POST(self) -> None:
                standin._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="wechat-standin", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> WeChatStandIn:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server, "start() the stand-in first"
        return self._server.server_address[1]

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        """The channel's and the notice provider's settings for this stand-in."""
        return {
            "HAIYUAN_WECHAT_API_BASE": self.api_base,
            "HAIYUAN_WECHAT_TOKEN": self.token,
            "HAIYUAN_WECHAT_APPID": self.appid,
            "HAIYUAN_WECHAT_APPSECRET": self.secret,
            "HAIYUAN_WECHAT_AES_KEY": self.encoding_aes_key or "",
        }

    # ------------------------------------------------------------------ fault injection and inspection
    def fail_next(self, path: str, errcode: int = -1, times: int = 1) -> None:
        """The next `times` calls of `path` (e.g. "/cgi-bin/message/custom/send") fail: with WeChat's `errcode`
        (-1 is "system busy", 40001 a rejected token, …), or with an HTTP status given negated (-500 → HTTP 500)."""
        with self._lock:
            self._faults.setdefault(path, []).extend([errcode] * times)

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._tokens = {token: 0.0 for token in self._tokens}

    def interacted(self, openid: str, quota: int = QUOTA_AFTER_MESSAGE) -> None:
        """Mark that `openid` wrote to the account now (opens the 48-hour customer-service window)."""
        with self._lock:
            self._interactions[openid] = time.monotonic()
            self._quota[openid] = quota

    def wait_custom(self, count: int, timeout: float = 30.0, touser: str | None = None) -> list[dict[str, Any]]:
        """The first `count` customer-service messages (to `touser`, if given); fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [m for m in self.custom_messages if touser is None or m.get("touser") == touser]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"{len(found)} of {count} customer-service messages after {timeout} s")
                self._lock.wait(left)

    def custom_texts(self, touser: str) -> list[str]:
        with self._lock:
            return [
                m.get("text", {}).get("content", "")
                for m in self.custom_messages
                if m.get("touser") == touser and m.get("msgtype") == "text"
            ]

    # ------------------------------------------------------------------ the API
    def _handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        url = urllib.parse.urlsplit(request.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        routes = {
            ("GET", "/cgi-bin/token"): self._token,
            ("POST", "/cgi-bin/message/custom/send"): self._custom_send,
            ("POST", "/cgi-bin/message/template/send"): self._template_send,
            ("POST", "/cgi-bin/message/subscribe/bizsend"): self._subscribe_send,
        }
        route = routes.get((method, url.path))
        if route is None:
            self._reply(request, 404, {"errcode": 404, "errmsg": "not found"})
            return
        with self._lock:
            faults = self._faults.get(url.path)
            fault = faults.pop(0) if faults else None
        if fault is not None:
            self.rejected.append((url.path, fault))
            if fault <= -100:  # an HTTP error status
                self._reply(request, -fault, {"errcode": fault, "errmsg": "injected"})
            else:
                self._reply(request, 200, {"errcode": fault, "errmsg": "system error (injected)"})
            return
        status, answer = route(query, body)
        if answer.get("errcode"):
            self.rejected.append((url.path, answer["errcode"]))
        self._reply(request, status, answer)

    @staticmethod
    def _reply(request: BaseHTTPRequestHandler, status: int, answer: dict[str, Any]) -> None:
        data = json.dumps(answer, ensure_ascii=False).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json; charset=utf-8")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    @staticmethod
    def _error(code: int) -> tuple[int, dict[str, Any]]:
        return 200, {"errcode": code, "errmsg": ERRORS.get(code, "error")}

    def _token(self, query: dict[str, str], _: bytes) -> tuple[int, dict[str, Any]]:
        with self._lock:
            self.token_requests += 1
        if query.get("grant_type") != "client_credential":
            return self._error(40002)
        if query.get("appid") != self.appid:
            return self._error(40013)
        if query.get("secret") != self.secret:
            return self._error(40125)
        access_token = secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[access_token] = time.monotonic() + self.token_ttl
        return 200, {"access_token": access_token, "expires_in": self.token_ttl}

    def _authorised_json(self, query: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]] | dict[str, Any]:
        with self._lock:
            expiry = self._tokens.get(query.get("access_token", ""))
        if expiry is None:
            return self._error(40001)
        if expiry <= time.monotonic():
            return self._error(42001)
        try:
            data = json.loads(body.decode("utf-8"))
        except ValueError:
            return self._error(47001)
        if not isinstance(data, dict):
            return self._error(47001)
        if not isinstance(data.get("touser"), str) or not data["touser"]:
            return self._error(40003)
        return data

    def _custom_send(self, query: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        data = self._authorised_json(query, body)
        if isinstance(data, tuple):
            return data
        msgtype = data.get("msgtype")
        if msgtype not in ("text", "image", "voice", "video", "music", "news", "mpnews", "msgmenu", "wxcard"):
            return self._error(47001)
        if msgtype == "text" and not isinstance((data.get("text") or {}).get("content"), str):
            return self._error(47001)
        with self._lock:
            last = self._interactions.get(data["touser"])
            if last is None or time.monotonic() - last > INTERACTION_WINDOW_SECONDS:
                return self._error(45015)
            if self._quota.get(data["touser"], 0) <= 0:
                return self._error(45047)
            self._quota[data["touser"]] -= 1
            self.custom_messages.append(data)
            self._lock.notify_all()
        return 200, {"errcode": 0, "errmsg": "ok"}

    def _templated(self, query: dict[str, str], body: bytes, into: list[dict[str, Any]]) -> tuple[int, dict]:
        data = self._authorised_json(query, body)
        if isinstance(data, tuple):
            return data
        template_id = data.get("template_id")
        if not isinstance(template_id, str) or not template_id:
            return self._error(40037)
        if self.template_ids is not None and template_id not in self.template_ids:
            return self._error(40037)
        if not isinstance(data.get("data"), dict):
            return self._error(47001)
        with self._lock:
            into.append(data)
            msgid = next(self._msg_ids)
            self._lock.notify_all()
        return 200, {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def _template_send(self, query: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        return self._templated(query, body, self.template_messages)

    def _subscribe_send(self, query: dict[str, str], body: bytes) -> tuple[int, dict[str, Any]]:
        return self._templated(query, body, self.subscribe_messages)

    # ------------------------------------------------------------------ signed XML in
    def message_xml(self, openid: str, msg_type: str, fields: dict[str, str], msg_id: int | None = None) -> str:
        """An incoming message as WeChat writes it; events carry no MsgId."""
        parts = [
            f"<ToUserName>{_cdata(self.account)}</ToUserName>",
            f"<FromUserName>{_cdata(openid)}</FromUserName>",
            f"<CreateTime>{int(time.time())}</CreateTime>",
            f"<MsgType>{_cdata(msg_type)}</MsgType>",
            *(f"<{k}>{_cdata(v)}</{k}>" for k, v in fields.items()),
        ]
        if msg_type != "event":
            parts.append(f"<MsgId>{msg_id if msg_id is not None else next(self._msg_ids)}</MsgId>")
        return "<xml>" + "".join(parts) + "</xml>"

    def text_xml(self, openid: str, content: str, msg_id: int | None = None) -> str:
        return self.message_xml(openid, "text", {"Content": content}, msg_id)

    def voice_xml(self, openid: str, recognition: str | None = None, msg_id: int | None = None) -> str:
        fields = {"MediaId": "media-" + secrets.token_hex(6), "Format": "amr"}
        if recognition is not None:
            fields["Recognition"] = recognition
        return self.message_xml(openid, "voice", fields, msg_id)

    def event_xml(self, openid: str, event: str, key: str = "") -> str:
        return self.message_xml(openid, "event", {"Event": event, **({"EventKey": key} if key else {})})

    def signed_query(self, openid: str | None = None, body: str | None = None) -> tuple[dict[str, str], str | None]:
        """The query WeChat adds to a push, and the body: encrypted when the stand-in has an EncodingAESKey."""
        timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
        query = {"signature": sha1_signature(self.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
        if openid:
            query["openid"] = openid
        if body is not None and self.encoding_aes_key:
            encrypted = Cryptor(self.encoding_aes_key, self.appid).encrypt(body)
            query["encrypt_type"] = "aes"
            query["msg_signature"] = sha1_signature(self.token, timestamp, nonce, encrypted)
            body = f"<xml><ToUserName>{_cdata(self.account)}</ToUserName><Encrypt>{_cdata(encrypted)}</Encrypt></xml>"
        return query, body

    def verify_url(self, url: str, echostr: str | None = None) -> tuple[int, str]:
        """The GET WeChat makes when the server URL is saved: the server must echo `echostr`."""
        query, _ = self.signed_query()
        query["echostr"] = echostr or str(secrets.randbelow(10**18))
        return self._http("GET", url, query, None)[:2]

    def push(self, url: str, xml: str, timeout: float = PASSIVE_REPLY_SECONDS) -> PushResult:
        """POST one message as WeChat does and read the passive reply (decrypted, signature checked)."""
        root = ET.fromstring(xml)
        openid = root.findtext("FromUserName") or ""
        self.interacted(openid, QUOTA_AFTER_EVENT if root.findtext("MsgType") == "event" else QUOTA_AFTER_MESSAGE)
        query, body = self.signed_query(openid, xml)
        started = time.monotonic()
        try:
            status, text = self._http("POST", url, query, body, timeout)
        except TimeoutError:
            return PushResult(0, "", elapsed=time.monotonic() - started, timed_out=True)
        result = PushResult(status, text, elapsed=time.monotonic() - started)
        if status == 200 and not result.is_success:
            result.xml = self._read_reply(text, expected_to=openid)
            result.fields = {child.tag: child.text or "" for child in ET.fromstring(result.xml)}
        return result

    def deliver(self, url: str, xml: str, attempts: int = 3) -> list[PushResult]:
        """WeChat's delivery: the same message (same MsgId) again while the server does not answer in time."""
        results = []
        for _ in range(attempts):
            results.append(self.push(url, xml))
            if not results[-1].timed_out and results[-1].status < 500:
                break
        return results

    def _read_reply(self, text: str, expected_to: str) -> str:
        root = ET.fromstring(text)
        if self.encoding_aes_key:
            encrypted = root.findtext("Encrypt")
            assert encrypted, f"safe mode: the reply must be encrypted, got {text[:200]!r}"
            signature = sha1_signature(
                self.token, root.findtext("TimeStamp") or "", root.findtext("Nonce") or "", encrypted
            )
            assert root.findtext("MsgSignature") == signature, "reply MsgSignature does not match"
            text = Cryptor(self.encoding_aes_key, self.appid).decrypt(encrypted)
            root = ET.fromstring(text)
        assert root.findtext("ToUserName") == expected_to, "a passive reply goes back to the sender"
        assert root.findtext("FromUserName") == self.account, "a passive reply comes from the account"
        return text

    @staticmethod
    def _http(method: str, url: str, query: dict[str, str], body: str | None, timeout: float = 10.0) -> tuple[int, str]:
        full = url + ("&" if "?" in url else "?") + urllib.parse.urlencode(query)
        data = body.encode() if body is not None else None
        request = urllib.request.Request(full, data=data, method=method, headers={"Content-Type": "text/xml"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError):
                raise TimeoutError(str(error)) from None
            raise


class Citizen:
    """One WeChat user of the account: what they see for each message, passive reply or customer-service
    messages alike (WeChat shows both in the same chat)."""

    def __init__(self, standin: WeChatStandIn, url: str, openid: str | None = None):
        self.standin, self.url = standin, url
        self.openid = openid or "o" + secrets.token_hex(14)[:27]  # 28 characters, as real openids
        self.seen: list[str] = []
        self.transcript: list[str] = []  # both sides, to read after a test
        self.last: PushResult | None = None

    def send(self, xml: str, wait: float = 60.0, settle: float = 0.8) -> list[str]:
        """Push one message; the texts the user sees for it, in order (waits for late ones)."""
        already = len(self.standin.custom_texts(self.openid))
        self.last = result = self.standin.deliver(self.url, xml)[-1]  # retried as WeChat does
        assert result.usable, f"WeChat would show 该公众号暂时无法提供服务: {result}"
        texts = [result.text] if result.text else []
        if result.is_success:  # the answer comes through the customer-service API
            self.standin.wait_custom(already + 1, timeout=wait, touser=self.openid)
        time.sleep(settle)  # the parts after the first follow within moments
        texts += self.standin.custom_texts(self.openid)[already:]
        self.seen += texts
        self.transcript += [f"公众号：{t}" for t in texts]
        return texts

    def say(self, text: str, **kwargs: Any) -> str:
        self.transcript.append(f"市民：{text}")
        return "\n\n".join(self.send(self.standin.text_xml(self.openid, text), **kwargs))


if __name__ == "__main__":  # a stand-in for manual runs: prints its settings, serves until Ctrl-C
    with WeChatStandIn() as standin:
        print(json.dumps(standin.env(), indent=2))
        print("export " + " ".join(f"{k}={v}" for k, v in standin.env().items()))
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    os._exit(0)
