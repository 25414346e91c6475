"""python-socketio 5.9 collects unlimited binary attachments per packet (CVE-2026-48804); our channel,
which Rasa loads from credentials.yml, refuses any (requirements/ADVISORIES.md)."""

from __future__ import annotations

import pytest
from socketio import packet

import bot.web.socketio_channel  # noqa: F401  (installs the guard, as Rasa's import of the channel does)


def test_a_packet_announcing_binary_attachments_is_refused() -> None:
    with pytest.raises(ValueError):
        packet.Packet(encoded_packet='59999999-["user_uttered",{"_placeholder":true,"num":0}]')


def test_json_messages_still_decode() -> None:
    message = packet.Packet(encoded_packet='2["user_uttered",{"message":"你好","session_id":"abc"}]')
    assert message.data == ["user_uttered", {"message": "你好", "session_id": "abc"}]
