"""The WeChat channel in process: its real Sanic blueprint on a free loopback port, in front of a scripted bot
(instead of Rasa), pushed to by the WeChat stand-in (tests/support/wechat_standin.py)."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.web.wechat_channel import WeChatInput, WeChatSettings
from tests.support.backend_process import free_port
from tests.support.wechat_standin import WeChatStandIn


@dataclass
class ScriptedBot:
    """Answers like Rasa would through on_new_message; records what it was given."""

    received: list[UserMessage] = field(default_factory=list)
    delay: float = 0.0
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    async def __call__(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.delay:
            await asyncio.sleep(self.delay)
        for answer in self.answers.get(message.text, [{"text": f"收到：{message.text}"}]):
            await message.output_channel.send_response(message.sender_id, dict(answer))


@dataclass
class Channel:
    url: str
    wechat: WeChatStandIn
    bot: ScriptedBot
    channel: WeChatInput

    def say(self, openid: str, text: str):
        return self.wechat.push(self.url, self.wechat.text_xml(openid, text))


def openid() -> str:
    """Shaped like a real one: 28 characters, starting with "o"."""
    return "o" + uuid.uuid4().hex[:27]


def serve(channel: WeChatInput, bot: ScriptedBot) -> tuple[str, asyncio.AbstractEventLoop, Any]:
    Sanic.test_mode = True  # several apps in one process (Sanic rewrites its HTTP methods once otherwise)
    app = Sanic(f"wechat-test-{uuid.uuid4().hex[:8]}")
    app.blueprint(channel.blueprint(bot), url_prefix="/webhooks/wechat")
    port, loop, started = free_port(), asyncio.new_event_loop(), threading.Event()
    holder: dict[str, Any] = {}

    async def main() -> None:
        server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
        await server.startup()
        await server.start_serving()
        holder["server"] = server
        started.set()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main())
        loop.run_forever()

    threading.Thread(target=run, daemon=True).start()
    assert started.wait(10), "the channel's test server did not start"
    return f"http://127.0.0.1:{port}/webhooks/wechat/webhook", loop, holder["server"]


def make_channel(request: pytest.FixtureRequest, **settings: Any) -> Iterator[Channel]:
    safe = getattr(request, "param", "safe") == "safe"
    with WeChatStandIn(encoding_aes_key="random" if safe else None) as wechat:
        values = {
            "token": wechat.token,
            "appid": wechat.appid,
            "appsecret": wechat.secret,
            "encoding_aes_key": wechat.encoding_aes_key or "",
            "api_base": wechat.api_base,
            **settings,
        }
        channel, bot = WeChatInput(WeChatSettings(**values)), ScriptedBot()
        url, loop, server = serve(channel, bot)
        yield Channel(url, wechat, bot, channel)
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)


@pytest.fixture(params=["safe", "plain"])
def wechat_channel(request: pytest.FixtureRequest) -> Iterator[Channel]:
    """Both message modes: safe (encrypted) and plaintext."""
    yield from make_channel(request)


@pytest.fixture
def safe_channel(request: pytest.FixtureRequest) -> Iterator[Channel]:
    yield from make_channel(request)


@pytest.fixture
def slow_channel(request: pytest.FixtureRequest) -> Iterator[Channel]:
    """A reply budget of 0.3 s: a bot that takes longer is answered through the customer-service API."""
    yield from make_channel(request, reply_budget=0.3)
