"""Thin HTTP client for the tickets backend (the action server's only way to reach it).

    client = TicketClient()                     # BACKEND_URL, BACKEND_API_TOKEN / var/secrets/api_token
    ticket = client.create_ticket(payload, idempotency_key="…")   # dict, plus "created": bool
    status = client.query_status("HY202611250001", "5678")        # dict, or None when not found

Errors: BackendUnavailable (connection error, timeout, 5xx: try again later, e.g. via the outbox)
and TicketClientError (4xx: the request itself was refused; `.detail` is a Chinese message).
Phone numbers are never logged.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import requests

from bot.common.paths import var_dir

log = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 5.0
CONNECT_TIMEOUT = 3.0


class BackendError(Exception):
    pass


class BackendUnavailable(BackendError):
    """The backend could not be reached or failed (5xx); the same request may succeed later."""


class TicketClientError(BackendError):
    """The backend refused the request (4xx)."""

    RETRYABLE = frozenset({401, 403, 408, 429})  # token/config problems or throttling: may pass later

    def __init__(self, status_code: int, detail: str):
        super().__init__(f"{status_code}: {detail}")
        self.status_code = status_code
        self.detail = detail

    @property
    def retryable(self) -> bool:
        return self.status_code in self.RETRYABLE


def default_token_file() -> Path:
    return var_dir() / "secrets" / "api_token"


class TicketClient:
    def __init__(self, base_url: str | None = None, token: str | None = None, timeout: float | None = None):
        self.base_url = (base_url or os.environ.get("BACKEND_URL") or DEFAULT_URL).rstrip("/")
        self._token = token
        self.timeout = float(timeout or os.environ.get("BACKEND_TIMEOUT") or DEFAULT_TIMEOUT)
        self._local = threading.local()  # one requests.Session per thread

    # --- plumbing -----------------------------------------------------------------------------

    @property
    def token(self) -> str:
        """Explicit token, else BACKEND_API_TOKEN, else the file the backend generated (read each time until found)."""
        if self._token:
            return self._token
        from_env = os.environ.get("BACKEND_API_TOKEN", "").strip()
        if from_env:
            return from_env
        try:
            return default_token_file().read_text(encoding="utf-8").strip()
        except OSError:
            return ""

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        all_headers = {"Authorization": f"Bearer {self.token}", **(headers or {})}
        try:
            response = self._session().request(
                method,
                self.base_url + path,
                json=json,
                params=params,
                headers=all_headers,
                timeout=(min(CONNECT_TIMEOUT, self.timeout), self.timeout),
            )
        except requests.RequestException as error:
            log.warning("工单后台无法连接: %s %s (%s)", method, path, type(error).__name__)
            raise BackendUnavailable(f"工单后台无法连接（{type(error).__name__}）") from error
        if response.status_code >= 500:
            log.warning("工单后台出错: %s %s -> %s", method, path, response.status_code)
            raise BackendUnavailable(f"工单后台出错（HTTP {response.status_code}）")
        return response

    @staticmethod
    def _detail(response: requests.Response) -> str:
        try:
            body = response.json()
        except ValueError:
            return f"HTTP {response.status_code}"
        detail = body.get("detail") if isinstance(body, dict) else None
        if isinstance(detail, str):
            return detail
        return f"HTTP {response.status_code}"

    def _json(self, response: requests.Response) -> dict[str, Any]:
        """The body of a successful answer: every endpoint this client calls answers with a JSON object."""
        if response.status_code >= 400:
            raise TicketClientError(response.status_code, self._detail(response))
        try:
            body: dict[str, Any] = response.json()
            return body
        except ValueError as error:  # e.g. an HTML page from a proxy in between
            raise BackendUnavailable("工单后台返回了无法识别的内容") from error

    # --- API ----------------------------------------------------------------------------------

    def create_ticket(self, payload: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        """Create (or, for a known key, fetch) a ticket. Adds "created": False for a repeated key."""
        response = self._request("POST", "/api/tickets", json=payload, headers={"Idempotency-Key": idempotency_key})
        ticket = self._json(response)
        ticket["created"] = response.status_code == 201
        log.info("工单提交成功 %s（%s）", ticket.get("number"), "新建" if ticket["created"] else "重复提交")
        return ticket

    def query_status(self, number: str, phone_last4: str, client_id: str | None = None) -> dict[str, Any] | None:
        """Status, history and reply; None when the number and phone digits do not match a ticket.

        client_id (e.g. the Rasa sender id) makes the backend's rate limit per citizen, not per action server;
        a 429 TicketClientError means "too many tries, later".
        """
        headers = {"X-Client-Id": client_id} if client_id else None
        response = self._request(
            "POST", "/api/tickets/status-query", json={"number": number, "phone_last4": phone_last4}, headers=headers
        )
        if response.status_code == 404:
            return None
        return self._json(response)

    def rate(
        self,
        number: str,
        grade: str,
        comment: str | None = None,
        phone_last4: str | None = None,
        client_id: str | None = None,
    ) -> dict[str, Any]:
        """好差评 for a closed ticket; a 409 TicketClientError explains why it is not possible now.

        With phone_last4 the backend also checks ownership (404 TicketClientError when it does not match).
        """
        body: dict[str, Any] = {"grade": grade, "comment": comment}
        if phone_last4:
            body["phone_last4"] = phone_last4
        headers = {"X-Client-Id": client_id} if client_id else None
        return self._json(self._request("POST", f"/api/tickets/{number}/rating", json=body, headers=headers))

    def tickets_of_conversations(self, conversation_ids: list[str]) -> list[dict[str, Any]]:
        """我的工单: the tickets filed in these conversations, newest first, with their history (masked)."""
        body = {"conversation_ids": conversation_ids}
        items = self._json(self._request("POST", "/api/tickets/of-conversations", json=body)).get("items")
        return items if isinstance(items, list) else []

    def list_tickets(self, **filters: Any) -> dict[str, Any]:
        """{"total", "items"}; filters as in GET /api/tickets (e.g. idempotency_key=…)."""
        params = {k: v for k, v in filters.items() if v is not None}
        return self._json(self._request("GET", "/api/tickets", params=params))

    def health(self) -> bool:
        try:
            return self._request("GET", "/healthz").status_code == 200
        except BackendUnavailable:
            return False
