"""The one base class of every form validator (like RasaHQ/financial-demo's CustomFormValidationAction).

Each citizen form runs the same preamble before its own slots are validated: safety first (emergency numbers,
the form paused), then, on a fresh message, a tap on a stale numbered choice, then the form's own side requests
(cancel, a question, a correction: `side_request`). Whatever answers a side request is followed by the form's
next question; otherwise the form validates as usual (`run_form`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import is_fresh_user_message
from actions.safety import safety_interruption
from actions.stale_choices import reject_stale_choice


class CitizenFormValidationAction(FormValidationAction, ABC):
    """Abstract (the action server registers only its subclasses): set `form_slots`, name the validator."""

    form_slots: ClassVar[list[str]]  # what a safety interruption clears

    @abstractmethod
    def name(self) -> str: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        safety = safety_interruption(dispatcher, tracker, self.form_slots)
        if safety is not None:
            return await self.after_side_request(safety, dispatcher, tracker, domain)
        # Side requests are only read from a fresh user message (not when the form is re-activated).
        if is_fresh_user_message(tracker):
            events = reject_stale_choice(dispatcher, tracker)
            if events is None:
                events = await self.side_request(dispatcher, tracker, domain)
            if events is not None:
                return await self.after_side_request(events, dispatcher, tracker, domain)
        return await self.run_form(dispatcher, tracker, domain)

    async def side_request(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]] | None:
        """The events that answer something other than the question asked; None: it is an answer."""
        return None

    async def run_form(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict]:
        """Extract and validate the form's slots (rasa_sdk's FormValidationAction.run)."""
        return await super().run(dispatcher, tracker, domain)

    async def after_side_request(
        self, events: list[dict[str, Any]], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """The side request's events plus the question to ask next, by this form's own `required_slots`.

        Needed because Rasa, when a validator does not name `requested_slot`, asks the first empty slot of
        the domain's list and ignores `required_slots` (a skipped question would suddenly be asked).
        """
        if any(e.get("event") == "active_loop" for e in events) or any(
            e.get("event") == "slot" and e.get("name") == "requested_slot" for e in events
        ):
            return events
        tracker.add_slots([e for e in events if e.get("event") == "slot"])
        next_slot = await self.next_requested_slot(dispatcher, tracker, domain)
        return events + ([next_slot] if next_slot else [])
