"""The provider interface: `send(message)` returns the provider's id of the message or raises DeliveryError."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Outgoing:
    key: str  # the notice's idempotency key (passed on where the provider takes one, e.g. Aliyun OutId)
    address: str  # phone number, openid or conversation id
    text: str
    kind: str  # status | warning | digest: which approved template
    params: dict[str, str] = field(default_factory=dict)


class DeliveryError(Exception):
    """Not delivered. `permanent`: retrying cannot help (a wrong number, a missing template); otherwise the
    worker tries again later."""

    def __init__(self, reason: str, permanent: bool = False):
        super().__init__(reason)
        self.reason, self.permanent = reason, permanent


class Provider(Protocol):
    channel: str

    def send(self, message: Outgoing) -> str: ...


@runtime_checkable
class Reconciling(Protocol):
    """A provider that can tell whether a message with this key already went out (its own records), so a
    send interrupted by a crash is not sent twice."""

    def already_sent(self, message: Outgoing, on: date) -> str | None: ...
