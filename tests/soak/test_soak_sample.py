"""A small, fast sample of the reliability soak (`python3 -m bench --soak`, bench/soak/) on the test assistant:
fuzzed messages over REST and socket.io, every malformed request, concurrent complaints. The full soak adds
10,000 messages and kills each process mid-form and during submit."""

from __future__ import annotations

import random
import time

import requests

from bench.soak import fuzz, traffic

MESSAGES, SOCKETIO, COMPLAINTS = 160, 20, 4


def tickets_of(assistant, sender: str) -> list[str]:
    token = (assistant.settings.var_dir / "secrets" / "api_token").read_text().strip()
    response = requests.get(
        f"{assistant.settings.backend_url}/api/tickets",
        params={"conversation_id": sender},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    return [t["number"] for t in response.json()["items"]]


def test_fuzzed_messages_never_get_a_5xx_an_empty_reply_or_a_stuck_conversation(assistant):
    tally = traffic.Tally()
    traffic.fuzz_conversations(assistant.settings.rasa_url, tally, MESSAGES, workers=4, seed=int(time.time()) % 1000)
    traffic.socketio_conversations(assistant.settings.rasa_url, tally, SOCKETIO, seed=3, concurrent=2)
    assert tally.inputs >= MESSAGES + SOCKETIO
    assert (tally.http_5xx, tally.unexpected_status, tally.empty_replies, tally.stuck) == (0, 0, 0, 0), tally.problems
    assert tally.socketio_unanswered == 0, tally.problems


def test_every_malformed_request_is_refused_with_a_4xx(assistant):
    tally = traffic.Tally()
    traffic.malformed(assistant.settings.rasa_url, tally, seed=1)
    assert tally.malformed_accepted == [] and tally.http_5xx == 0
    assert tally.malformed_refused == len(fuzz.malformed_requests(random.Random(1)))


def test_concurrent_complaints_each_become_exactly_one_ticket(assistant):
    tally = traffic.Tally()
    senders = traffic.concurrent_complaints(assistant.settings.rasa_url, tally, COMPLAINTS)
    assert len(tally.receipts) == COMPLAINTS, tally.problems
    for sender in senders:
        assert tickets_of(assistant, sender) == [tally.receipts[sender]]
