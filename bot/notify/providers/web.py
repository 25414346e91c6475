"""The web chat: nothing is pushed. A notice waits until the citizen's page next loads (GET … pending, keyed by
the conversation id the page keeps) and counts as delivered when the page confirms it has shown it."""

from __future__ import annotations

from bot.notify.models import WEB

PULLED_CHANNELS = frozenset({WEB})  # the worker leaves these to the page
