"""Rasa's REST channel (`/webhooks/rest/webhook`, channel name "rest"), with the request checked at the edge.

Rasa 3.6's RestInput answers a JSON body that is not an object with HTTP 500, puts every message without a
sender into one shared conversation named `default`, and passes any sender id, channel name and text on.
Here the body is read by bot/web/edge.py first: a bad request gets HTTP 400 (413 when too large) with a
Chinese reason in `{"error": …}`, and nothing of it is stored; lone surrogates and control characters are
removed from the text and the metadata. A turn that fails inside Rasa answers with a polite message instead
of an empty list (an empty list stays what it means: the conversation is paused for a person). credentials.yml names this class instead of `rest:`.
"""

from __future__ import annotations

import inspect
import logging
from asyncio import CancelledError
from collections.abc import Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as StockRestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.web import edge

log = logging.getLogger(__name__)

TURN_FAILED = "抱歉，系统正忙，这条消息没有处理成功。请稍后再发一次；着急的话请拨打 12345 政务服务便民热线。"


def refused(reason: str, status: int = 400) -> HTTPResponse:
    return response.json({"error": reason}, status=status)


class RestInput(StockRestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        module = inspect.getmodule(self)
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", module.__name__ if module else None)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # Sanic raises its own InvalidUsage subclasses for a broken body
                return refused("请求体不是合法的 JSON")
            try:
                incoming = edge.read_body(body, self.name())
            except edge.Refused as error:
                return refused(error.reason, error.status)
            collector = CollectingOutputChannel()
            message = UserMessage(
                incoming.text, collector, incoming.sender, input_channel=incoming.channel, metadata=incoming.metadata
            )
            try:
                await on_new_message(message)
            except (CancelledError, Exception):
                log.exception("REST turn failed for a message of %d characters", len(incoming.text))
                if not collector.messages:
                    collector.messages.append({"recipient_id": incoming.sender, "text": TURN_FAILED})
            return response.json(collector.messages)

        return webhook
