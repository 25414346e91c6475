"""bot/rasa_server.py fix 6: the model parses once before the server reports ready, so jieba's prefix dictionary
and TensorFlow's graphs are not built inside the first citizen's turn (past WeChat's 5 seconds)."""

from __future__ import annotations

import asyncio

from rasa.core import run

from bot import rasa_server


class LoadedAgent:
    def __init__(self) -> None:
        self.parsed: list[str] = []

    def is_ready(self) -> bool:
        return True

    async def parse_message(self, text: str) -> dict:
        self.parsed.append(text)
        return {}


def test_the_agent_parses_once_before_the_server_is_ready(monkeypatch) -> None:
    agent = LoadedAgent()

    async def load_agent_on_start(*args, **kwargs):
        return agent

    monkeypatch.setattr(run, "load_agent_on_start", load_agent_on_start)
    rasa_server.apply()
    assert run.load_agent_on_start is not load_agent_on_start
    assert asyncio.run(run.load_agent_on_start("model.tar.gz", None, None, None, None)) is agent
    assert agent.parsed == [rasa_server.WARM_UP_TEXT]
    wrapped = run.load_agent_on_start
    rasa_server.apply()  # idempotent: not wrapped twice
    assert run.load_agent_on_start is wrapped
