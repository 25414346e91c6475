"""Guessing guard for the citizens' status query (ticket number + last four phone digits).

A wrong combination counts against the ticket number and against the citizen's address. After a few free
failures every further attempt must wait, doubling from `base_seconds` up to `max_seconds`: guessing 10,000
combinations takes weeks, while the real owner waits at most `max_seconds`, never an hour, whoever
failed before. Keys a caller chooses (the conversation id) are never what the backoff counts on.

The address is the one the API caller vouches for (`X-Citizen-Address`, e.g. an app server that knows
its user's address), else the caller's own address; requests from loopback without it come from the
local action server, for which only the per-ticket backoff applies.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.backoff import Backoff

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


@dataclass
class StatusQueryGuard:
    per_ticket: Backoff
    per_address: Backoff

    @staticmethod
    def address(caller_host: str | None, vouched: str | None) -> str | None:
        if vouched and vouched.strip():
            return vouched.strip()[:100]
        return None if not caller_host or caller_host in LOOPBACK else caller_host

    def retry_after(self, number: str, address: str | None) -> float:
        waits = [self.per_ticket.wait(number)]
        if address:
            waits.append(self.per_address.wait(address))
        return max(waits)

    def failed(self, number: str, address: str | None) -> None:
        self.per_ticket.failed(number)
        if address:
            self.per_address.failed(address)

    def succeeded(self, number: str) -> None:
        self.per_ticket.clear(number)  # the owner's own slips do not add up
