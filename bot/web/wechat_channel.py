"""The WeChat Official Account (公众号) channel: `/webhooks/wechat/webhook`, channel name "wechat".

WeChat posts each citizen message as XML to the account's server URL and shows the XML answered within
5 seconds (the passive reply). Here:
- Every request's `signature` is checked (wechatpy); in safe mode (an EncodingAESKey is configured) the
  message must come encrypted with a valid `msg_signature`, and the reply is encrypted. A GET with a valid
  signature answers `echostr` (the URL check when the server URL is saved in the 公众号 platform).
- The openid is the Rasa sender id (so notices and the customer-service API can reach the citizen); the
  console shows an alias instead (bot/common/privacy.py `mask_text`).
- Text goes to Rasa as typed; a digit that picks one of the numbered choices of the last answer
  (bot/web/wechat_render.py) goes as that button's payload, marked `choice` as a tap on the web page is.
  「长辈模式」/「老年模式」 and 「标准模式」/「普通模式」 are the web page's 长辈模式 switch (/elderly_mode_on|off);
  the elderly_mode slot carries over to later sessions, so the preference stays.
- Voice: WeChat's `Recognition` text when the account has recognition on, else a polite request to type.
  Subscribing gets the welcome (/greet); images, locations, links get a polite reply; other events nothing.
- The 5-second limit: Rasa gets REPLY_BUDGET seconds (4 by default); an answer in time is the passive reply
  (its first part, the rest as customer-service messages), a later one goes out as customer-service messages
  (bot/web/wechat_api.py) and WeChat gets "success". Without AppID/AppSecret a late answer is held and given
  with the next passive reply.
- WeChat retries an unanswered message twice with the same MsgId: a MsgId seen before never reaches Rasa
  again; the retry gets the same passive reply, or "success" when the answer goes out through the API.
Settings: credentials.yml (`token`, `appid`, `appsecret`, `encoding_aes_key`, `api_base`, `reply_budget_seconds`)
or the environment (HAIYUAN_WECHAT_TOKEN, _APPID, _APPSECRET, _AES_KEY, _API_BASE, _REPLY_BUDGET); the
environment wins. Without a token the channel is off: its webhook answers 503 and says so. See docs/wechat.md.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import inspect
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from bot.web import edge
from bot.web.wechat_api import DEFAULT_API_BASE, CustomerServiceApi
from bot.web.wechat_render import Choice, picked_payload, render

log = logging.getLogger(__name__)

CHANNEL = "wechat"
DEFAULT_REPLY_BUDGET = 4.0  # seconds for Rasa's answer; WeChat waits 5 in all
MAX_BODY_BYTES = edge.MAX_BODY_BYTES  # a WeChat message is a few KB; a 20,000-character text encrypted ~80 KB
MAX_CLOCK_SKEW = 600  # seconds between WeChat's timestamp and ours (a replayed old request is refused)
SEEN_MESSAGES = 10_000  # MsgIds remembered for retries (WeChat retries within ~15 s)
REMEMBERED_CITIZENS = 50_000  # whose numbered choices are kept in memory
# Customer-service messages per incoming message: WeChat caps them (5 after a message, 3 in a minute after a
# menu click or subscribing, according to a third-party summary of its 2023 rules: 待核实).
MAX_API_MESSAGES = 3
CUT_NOTE = "\n……内容较长，没有发完。完整内容请在网页版查看，或拨打 12345 政务服务便民热线。"

ELDERLY_ON = {"长辈模式", "老年模式", "打开长辈模式", "开启长辈模式", "切换长辈模式", "老人模式"}
ELDERLY_OFF = {"标准模式", "普通模式", "关闭长辈模式", "退出长辈模式", "关闭老年模式", "退出老年模式"}

NOT_CONFIGURED = "微信公众号渠道未配置：请设置 HAIYUAN_WECHAT_TOKEN 等（见 docs/wechat.md）。"
EMPTY_TEXT = "您好，没有收到文字。请直接打字告诉我您要办的事，比如“身份证丢了咋补办”。"
VOICE_UNRECOGNISED = (
    "抱歉，这条语音我没能听成文字。请直接打字告诉我您要办的事；也可以长按语音，选“转文字”，再把文字发给我。"
)
UNSUPPORTED = {
    "image": "收到您的图片，谢谢。我目前只能看懂文字：请用文字说一下您要办的事或遇到的问题。",
    "location": "收到您的位置。请再用文字说一下是哪个乡镇、哪个村或哪条街，以及您要办的事。",
    "link": "收到您分享的链接。我目前看不了链接内容，请用文字说一下您要办的事。",
    "video": "收到您的视频，谢谢。我目前只能看懂文字：请用文字说一下您遇到的问题。",
    "shortvideo": "收到您的视频，谢谢。我目前只能看懂文字：请用文字说一下您遇到的问题。",
    "file": "收到您的文件。我目前只能看懂文字：请用文字说一下您要办的事。",
}
OTHER_MESSAGE = "抱歉，这类消息我还看不懂。请直接打字告诉我您要办的事。"
TURN_FAILED = "抱歉，系统正忙，这条消息没有处理成功。请稍后再发一次；着急的话请拨打 12345 政务服务便民热线。"
HELD_NOTE = "（上一条消息的答复）"


@dataclass
class WeChatSettings:
    token: str = ""
    appid: str = ""
    appsecret: str = ""
    encoding_aes_key: str = ""
    api_base: str = DEFAULT_API_BASE
    reply_budget: float = DEFAULT_REPLY_BUDGET

    @classmethod
    def read(cls, credentials: dict[str, Any] | None = None) -> WeChatSettings:
        given = credentials or {}

        def value(key: str, env: str, default: str = "") -> str:
            return str(os.environ.get(env) or given.get(key) or default).strip()

        try:
            budget = float(value("reply_budget_seconds", "HAIYUAN_WECHAT_REPLY_BUDGET", str(DEFAULT_REPLY_BUDGET)))
        except ValueError:
            budget = DEFAULT_REPLY_BUDGET
        return cls(
            token=value("token", "HAIYUAN_WECHAT_TOKEN"),
            appid=value("appid", "HAIYUAN_WECHAT_APPID"),
            appsecret=value("appsecret", "HAIYUAN_WECHAT_APPSECRET"),
            encoding_aes_key=value("encoding_aes_key", "HAIYUAN_WECHAT_AES_KEY"),
            api_base=value("api_base", "HAIYUAN_WECHAT_API_BASE", DEFAULT_API_BASE),
            reply_budget=min(max(budget, 0.0), 4.5),
        )

    def problem(self) -> str | None:
        """Why the channel cannot run with these settings, or None."""
        if not self.token:
            return NOT_CONFIGURED
        if self.encoding_aes_key:
            if not self.appid:
                return "微信公众号安全模式需要 AppID（HAIYUAN_WECHAT_APPID）。"
            try:
                key = base64.b64decode(self.encoding_aes_key + "=", validate=True)
            except (binascii.Error, ValueError):
                key = b""
            if len(self.encoding_aes_key) != 43 or len(key) != 32:
                return "EncodingAESKey 应为 43 位字母和数字（在公众号后台“基本配置”中生成）。"
        return None

    @property
    def can_send(self) -> bool:
        return bool(self.appid and self.appsecret)


@dataclass
class Turn:
    """One WeChat message (by MsgId): its answer, once Rasa has given it, and how it was delivered."""

    done: asyncio.Event = field(default_factory=asyncio.Event)
    passive: str | None = None  # the text given as passive reply (a retry gets it again)
    late: bool = False  # the answer goes out through the customer-service API (or is held)


class WeChatOutput(OutputChannel):
    """Bot messages outside a passive reply (Rasa's trigger_intent with ?output_channel=wechat)."""

    def __init__(self, api: CustomerServiceApi):
        self.api = api

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.api.send_texts(recipient_id, render([{"text": text}]).parts)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.api.send_texts(recipient_id, render([{"text": text, "buttons": buttons}]).parts)


class Refusal(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WeChatInput:
        return cls(WeChatSettings.read(credentials))

    def __init__(self, settings: WeChatSettings | None = None):
        self.settings = settings or WeChatSettings.read()
        self.problem = self.settings.problem()
        if self.problem:
            log.info("WeChat channel off: %s", self.problem)
        self.crypto = (
            WeChatCrypto(self.settings.token, self.settings.encoding_aes_key, self.settings.appid)
            if not self.problem and self.settings.encoding_aes_key
            else None
        )
        self.api = (
            CustomerServiceApi(self.settings.appid, self.settings.appsecret, self.settings.api_base)
            if not self.problem and self.settings.can_send
            else None
        )
        self.turns: OrderedDict[str, Turn] = OrderedDict()
        self.choices: OrderedDict[str, list[Choice]] = OrderedDict()
        self.held: dict[str, list[str]] = {}  # late answers waiting for the next passive reply (no API)
        self._background: set[asyncio.Future] = set()

    def get_output_channel(self) -> OutputChannel | None:
        return WeChatOutput(self.api) if self.api else None

    # ------------------------------------------------------------------ HTTP
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if not self.problem else "off", "configured": not self.problem})

        @webhook.route("/webhook", methods=["GET", "POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.problem:
                return response.text(self.problem, status=503)
            try:
                self._check_request(request)
                if request.method == "GET":
                    echo = request.args.get("echostr")
                    if not echo:
                        raise Refusal(400, "缺少 echostr")
                    return response.text(echo)
                xml = self._read_body(request)
                message = parse_message(xml)
            except Refusal as refusal:
                log.info("WeChat request refused (%d): %s", refusal.status, refusal.reason)
                return response.text(refusal.reason, status=refusal.status)
            except Exception as error:  # broken XML, base64 or UTF-8 inside the envelope
                log.info("WeChat request unreadable: %s", type(error).__name__)
                return response.text("消息格式不对", status=400)
            if message is None or not getattr(message, "source", None):
                return response.text("消息格式不对", status=400)
            try:
                reply = await self._answer(message, on_new_message)
            except Exception:
                log.exception("WeChat message could not be answered")
                reply = TURN_FAILED
            return self._reply(request, message, reply)

        return webhook

    def _check_request(self, request: Request) -> None:
        args = request.args
        signature, timestamp, nonce = (args.get(k) or "" for k in ("signature", "timestamp", "nonce"))
        if not (signature and timestamp and nonce):
            raise Refusal(403, "缺少签名参数")
        try:
            check_signature(self.settings.token, signature, timestamp, nonce)
        except InvalidSignatureException:
            raise Refusal(403, "签名校验失败") from None
        if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
            raise Refusal(403, "时间戳无效或已过期")

    def _read_body(self, request: Request) -> str:
        body = request.body or b""
        if len(body) > MAX_BODY_BYTES:
            raise Refusal(413, "消息太大")
        if not body.strip():
            raise Refusal(400, "消息为空")
        text = body.decode("utf-8")
        if self.crypto is None:
            return text
        if request.args.get("encrypt_type") != "aes":
            raise Refusal(403, "安全模式下只接受加密消息")
        try:
            return self.crypto.decrypt_message(
                text, request.args.get("msg_signature") or "", request.args.get("timestamp"), request.args.get("nonce")
            )
        except (InvalidSignatureException, InvalidAppIdException):
            raise Refusal(403, "消息签名或 AppID 校验失败") from None

    def _reply(self, request: Request, message: Any, text: str | None) -> HTTPResponse:
        if not text:
            return response.text("success")
        # CDATA cannot hold "]]>" (a citizen's words quoted back could carry it)
        xml = TextReply(message=message, content=text.replace("]]>", "]] >")).render()
        if self.crypto is not None:
            xml = self.crypto.encrypt_message(xml, request.args.get("nonce") or secrets.token_hex(8))
        return response.text(xml, content_type="application/xml; charset=utf-8")

    # ------------------------------------------------------------------ dialogue
    @staticmethod
    def message_key(message: Any) -> str:
        """MsgId; events have none: WeChat's advice is FromUserName + CreateTime."""
        msg_id = getattr(message, "id", None)
        if msg_id:
            return f"m{msg_id}"
        return f"e{message.source}:{message.create_time}:{getattr(message, 'event', '')}"

    async def _answer(self, message: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> str | None:
        key = self.message_key(message)
        seen = self.turns.get(key)
        if seen is not None:
            log.info("WeChat retry of a message already taken (%s)", key[:1])
            return await self._retry_answer(seen)
        turn = Turn()
        self.turns[key] = turn
        while len(self.turns) > SEEN_MESSAGES:
            self.turns.popitem(last=False)

        text, immediate = self.incoming_text(message)
        if text is None:
            turn.passive, turn.late = immediate, False
            turn.done.set()
            return self._with_held(message.source, immediate)
        task = self._keep(self._run_turn(message.source, text, on_new_message))
        try:
            parts = await asyncio.wait_for(asyncio.shield(task), self.settings.reply_budget)
        except (TimeoutError, asyncio.CancelledError) as stopped:
            # Over budget, or WeChat hung up first (Rasa's own CPU work can hold the event loop past the
            # budget): the answer goes out later, and WeChat's retry of this MsgId gets "success".
            turn.late = True
            self._keep(self._deliver_late(message.source, task, turn))
            if isinstance(stopped, asyncio.CancelledError):
                raise
            return self._with_held(message.source, None)
        first, rest = (parts[0], parts[1:]) if parts else (None, [])
        turn.passive = first
        turn.done.set()
        if rest:
            self._keep(self._send_later(message.source, rest))
        return self._with_held(message.source, first)

    async def _retry_answer(self, turn: Turn) -> str | None:
        if not turn.done.is_set():
            try:
                await asyncio.wait_for(asyncio.shield(turn.done.wait()), self.settings.reply_budget)
            except TimeoutError:
                return None
        return None if turn.late else turn.passive

    def incoming_text(self, message: Any) -> tuple[str | None, str | None]:
        """(text for Rasa, None) or (None, the reply given at once; None for silence)."""
        kind = message.type
        if kind == "text":
            raw = message.content or ""
        elif kind == "voice":
            raw = (message.recognition or "").strip()
            if not raw:
                return None, VOICE_UNRECOGNISED
        elif kind == "event":
            event = (message.event or "").lower()
            if event in ("subscribe", "subscribe_scan"):
                return "/greet", None
            if event == "click" and (message.key or "").strip():  # a menu item: its key is a payload or text
                raw = message.key
            else:
                return None, None  # unsubscribe, view, template-sent reports …: nothing to say
        elif getattr(message, "_data", {}).get("MsgType") == "event":
            return None, None  # an event wechatpy does not know
        else:
            return None, UNSUPPORTED.get(kind, OTHER_MESSAGE)
        try:
            text = edge.message_text(raw)
        except edge.Refused as refused:
            return None, f"抱歉，这条消息没有收到：{refused.reason}。"
        if not text.strip():
            return None, EMPTY_TEXT
        return text, None

    def translate(self, openid: str, text: str) -> tuple[str, dict[str, Any]]:
        """What Rasa gets for a typed text: a picked choice's payload, the 长辈模式 switch, or the text."""
        metadata: dict[str, Any] = {"channel": CHANNEL}
        typed = text.strip().rstrip("。.！!")
        if typed in ELDERLY_ON:
            return "/elderly_mode_on", metadata
        if typed in ELDERLY_OFF:
            return "/elderly_mode_off", metadata
        payload = picked_payload(text, self.choices.get(openid) or [])
        if payload is not None:
            return payload, {**metadata, "choice": True}
        return text, metadata

    async def _run_turn(
        self, openid: str, text: str, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> list[str]:
        payload, metadata = self.translate(openid, text)
        collector = CollectingOutputChannel()
        try:
            await on_new_message(UserMessage(payload, collector, openid, input_channel=CHANNEL, metadata=metadata))
        except Exception:
            log.exception("WeChat turn failed for a message of %d characters", len(text))
            if not collector.messages:
                return [TURN_FAILED]
        rendered = render(collector.messages)
        if rendered.choices or collector.messages:
            self.choices[openid] = rendered.choices  # the newest answer's choices are the active ones
            self.choices.move_to_end(openid)
            while len(self.choices) > REMEMBERED_CITIZENS:
                self.choices.popitem(last=False)
        return rendered.parts

    # ------------------------------------------------------------------ late delivery
    def _keep(self, coroutine: Awaitable[Any]) -> asyncio.Future:
        """A task that lives on after the request (asyncio itself only keeps weak references to tasks)."""
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _deliver_late(self, openid: str, task: asyncio.Future, turn: Turn) -> None:
        try:
            parts = await task
        finally:
            turn.done.set()
        await self._send_later(openid, parts)

    async def _send_later(self, openid: str, parts: list[str]) -> None:
        if not parts:
            return
        if self.api is None:
            self.held.setdefault(openid, []).extend(parts)
            return
        if len(parts) > MAX_API_MESSAGES:
            log.warning("WeChat: an answer of %d parts cut to %d", len(parts), MAX_API_MESSAGES)
            parts = [*parts[: MAX_API_MESSAGES - 1], parts[MAX_API_MESSAGES - 1] + CUT_NOTE]
        delivered = await self.api.send_texts(openid, parts)
        if delivered < len(parts):
            log.error("WeChat: %d of %d parts of an answer not delivered", len(parts) - delivered, len(parts))

    def _with_held(self, openid: str, reply: str | None) -> str | None:
        held = self.held.pop(openid, None)
        if not held:
            return reply
        return "\n\n".join([HELD_NOTE, *held, *([reply] if reply else [])])
