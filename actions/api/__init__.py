"""HTTP clients the actions use to reach the backend (never its models or database)."""

from actions.api.tickets import BackendError, BackendUnavailable, TicketClient, TicketClientError

__all__ = ["BackendError", "BackendUnavailable", "TicketClient", "TicketClientError"]
