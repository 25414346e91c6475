"""Thin HTTP client for the live handoff (转人工) of the backend, for the actions.

    client = HandoffClient()          # BACKEND_URL, BACKEND_API_TOKEN / var/secrets/api_token (as TicketClient)
    answer = client.request(tracker.sender_id, channel="web", reason="asked", elderly=False)
    answer["status"]                  # "queued" | "connected" | "closed"
    client.cancel(answer["request_id"])          # {"request_id", "status"}: idempotent
    client.cancel_conversation(tracker.sender_id)  # the same without keeping the id; None if nothing was open

`request` answers (the backend's JSON, see docs/app-api.md):
    queued:    {"status": "queued", "request_id": 7, "position": 1, "ahead": 0, "expected_wait_minutes": 3,
                "wait_seconds": 180, "poll_token": "…", "events_url": "/api/handoff/7/events?token=…"}
    connected: {"status": "connected", "request_id": 7, "poll_token": "…", "staff_display_name": "王芳", …}
               (the conversation already has a person: a repeated request returns the open one)
    closed:    {"status": "closed", "reason": "outside_hours" | "no_staff", "next_open": "2026-12-02T09:00:00+08:00"
                or null, "next_open_text": "明天（12月2日 周三）09:00" or null, "hotline": "12345"}

Errors: HandoffUnavailable (a BackendUnavailable: backend down, timeout, 5xx — offer 12345 and a 回电 ticket)
and TicketClientError (4xx: the request itself was refused, `.detail` in Chinese; 404 from cancel: unknown id).
"""

from __future__ import annotations

import logging
from typing import Any

from actions.api.tickets import BackendUnavailable, TicketClient, TicketClientError

log = logging.getLogger(__name__)

REASONS = ("asked", "fallback", "elderly")


class HandoffUnavailable(BackendUnavailable):
    """The backend's handoff could not be reached or failed; nobody was queued."""


class HandoffClient:
    def __init__(self, base_url: str | None = None, token: str | None = None, timeout: float | None = None):
        self._http = TicketClient(base_url=base_url, token=token, timeout=timeout)  # same plumbing and token

    @property
    def base_url(self) -> str:
        return self._http.base_url

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return self._http._json(self._http._request(method, path, **kwargs))
        except HandoffUnavailable:
            raise
        except BackendUnavailable as error:
            raise HandoffUnavailable(f"转人工服务暂时连不上：{error}") from error

    def request(
        self, conversation_id: str, channel: str = "web", reason: str = "asked", elderly: bool = False
    ) -> dict[str, Any]:
        """Queue this conversation for a person (idempotent while it is queued or connected)."""
        if reason not in REASONS:
            raise ValueError(f"reason must be one of {REASONS}")
        body = {
            "conversation_id": conversation_id,
            "channel": channel or "web",
            "reason": reason,
            "elderly": bool(elderly),
        }
        answer = self._call("POST", "/api/handoff/requests", json=body)
        log.info(
            "转人工：%s%s",
            answer.get("status"),
            f"（第 {answer.get('position')} 位）" if answer.get("status") == "queued" else "",
        )
        return answer

    def cancel(self, request_id: int) -> dict[str, Any]:
        """The citizen no longer waits (or ends a live chat: the bot answers again). Returns the final status."""
        return self._call("POST", f"/api/handoff/requests/{int(request_id)}/cancel")

    def cancel_conversation(self, conversation_id: str) -> dict[str, Any] | None:
        """Cancel whatever is open for this conversation (queued → cancelled, connected → closed); None if nothing."""
        try:
            return self._call("POST", "/api/handoff/requests/cancel", json={"conversation_id": conversation_id})
        except TicketClientError as error:
            if error.status_code == 404:
                return None
            raise

    def events(self, request_id: int, poll_token: str, after: int = 0) -> dict[str, Any]:
        """What the citizen's side polls (for a REST app proxy or a test): status, position, staff messages."""
        return self._call(
            "GET",
            f"/api/handoff/{int(request_id)}/events",
            params={"after": after},
            headers={"X-Handoff-Token": poll_token},
        )


__all__ = ["HandoffClient", "HandoffUnavailable", "TicketClientError"]
