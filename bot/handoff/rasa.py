"""Pausing and resuming a Rasa conversation while a staff member chats with the citizen.

Rasa's own mechanism (`rasa run --enable-api`): `POST /conversations/{id}/tracker/events` with
`[{"event": "pause"}]` appends a ConversationPaused event. While paused, Rasa still parses and stores every
user message in the tracker store, but predicts no action, so the bot sends nothing (the REST channel
answers `[]`); `{"event": "resume"}` ends it. `/restart` from the citizen also unpauses (Rasa's rule).
With `--auth-token`, the token goes in `?token=` (RASA_AUTH_TOKEN).
"""

from __future__ import annotations

import logging
from urllib.parse import quote

import requests

log = logging.getLogger(__name__)
TIMEOUT = (3.0, 15.0)  # connect, read: Rasa waits for the conversation's lock


class RasaUnavailable(Exception):
    """Rasa could not be reached or refused the change; the handoff state was not changed."""


class RasaConversations:
    def __init__(self, url: str, token: str = ""):
        self.url = url.rstrip("/")
        self.token = token

    def _append(self, conversation_id: str, event: str) -> None:
        url = f"{self.url}/conversations/{quote(conversation_id, safe='')}/tracker/events"
        params = {"token": self.token} if self.token else None
        try:
            response = requests.post(url, params=params, json=[{"event": event}], timeout=TIMEOUT)
        except requests.RequestException as error:
            log.warning("Rasa 无法连接（%s 对话）：%s", event, type(error).__name__)
            raise RasaUnavailable(f"对话服务无法连接（{type(error).__name__}）") from error
        if response.status_code != 200:
            log.warning("Rasa 拒绝 %s：HTTP %s", event, response.status_code)
            raise RasaUnavailable(f"对话服务返回 HTTP {response.status_code}")

    def pause(self, conversation_id: str) -> None:
        self._append(conversation_id, "pause")

    def resume(self, conversation_id: str) -> None:
        self._append(conversation_id, "resume")

    def is_paused(self, conversation_id: str) -> bool:
        url = f"{self.url}/conversations/{quote(conversation_id, safe='')}/tracker"
        params = {"include_events": "NONE", **({"token": self.token} if self.token else {})}
        try:
            response = requests.get(url, params=params, timeout=TIMEOUT)
            response.raise_for_status()
            return bool(response.json().get("paused"))
        except (requests.RequestException, ValueError) as error:
            raise RasaUnavailable(f"对话服务无法连接（{type(error).__name__}）") from error
