"""The socket.io channel of credentials.yml: custom JSON reaches the page as the event's data.

Uses python-socketio's real AsyncServer (its emit() signature is what broke Rasa's own channel); the
browser tests then carry checklists and tickets through the running Rasa server.
"""

from __future__ import annotations

import asyncio

import pytest
import yaml
from rasa.core.channels import socketio as rasa_socketio
from rasa.shared.utils.common import class_from_module_path
from socketio import AsyncServer

from bot.settings import ROOT
from bot.web.socketio_channel import SocketIOInput, SocketIOOutput

TICKET = {"type": "ticket", "reference": "HY202612010001", "queued": False}


def recording_server():
    server, sent = AsyncServer(async_mode="asgi"), []
    real_emit = server.emit

    async def emit(event, data=None, room=None, **kwargs):
        sent.append((event, data, room))
        await real_emit(event, data, room=room, **kwargs)  # the real signature check

    server.emit = emit
    return server, sent


def test_custom_json_is_the_bot_uttered_data():
    server, sent = recording_server()
    message = {"text": "已为您登记工单。", "custom": dict(TICKET)}
    asyncio.run(SocketIOOutput(server, "bot_uttered").send_response("session-1", message))
    assert sent == [("bot_uttered", {"text": "已为您登记工单。"}, "session-1"), ("bot_uttered", TICKET, "session-1")]


def test_rasa_own_output_loses_such_a_message():
    """Why the subclass exists: Rasa 3.6 calls emit(event, **json_message)."""
    server, _ = recording_server()
    with pytest.raises(TypeError, match="type"):
        asyncio.run(rasa_socketio.SocketIOOutput(server, "bot_uttered").send_custom_json("s", dict(TICKET)))


def test_credentials_name_this_channel_with_the_page_settings():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert "socketio" not in credentials
    key = "bot.web.socketio_channel.SocketIOInput"
    assert class_from_module_path(key) is SocketIOInput
    channel = SocketIOInput.from_credentials(credentials[key])
    assert (channel.name(), channel.user_message_evt, channel.bot_message_evt, channel.session_persistence) == (
        "socketio",
        "user_uttered",
        "bot_uttered",
        True,
    )
