"""rasa.log after an action error (issue 14, defect 7): no phone or ID numbers, no conversation dump."""

from __future__ import annotations

import io
import logging

import pytest

from bot import rasa_server
from bot.common.privacy import install_record_masking

PHONE, ID_CARD = "13912345678", "640522199001011234"


@pytest.fixture
def log_output():
    original = logging.getLogRecordFactory()
    install_record_masking()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("test.privacy")
    logger.addHandler(handler)
    yield logger, stream
    logger.removeHandler(handler)
    logging.setLogRecordFactory(original)


def test_records_are_masked_and_cut(log_output) -> None:
    logger, stream = log_output
    conversation = [{"event": "slot", "name": "contact_phone", "value": PHONE}] * 500
    logger.error("tracker: %s, id %s", conversation, ID_CARD)
    try:
        raise RuntimeError(f"failed for {PHONE}")
    except RuntimeError:
        logger.exception("action failed")
    written = stream.getvalue()
    assert PHONE not in written and ID_CARD not in written and "139****5678" in written
    assert "日志已截断" in written and len(written) < 10000


def test_an_invalid_action_response_is_reported_without_the_response() -> None:
    from rasa.core.actions.action import RemoteAction

    rasa_server.apply()
    action = RemoteAction("action_submit_complaint", None)
    response = {"events": {"event": "slot", "name": "contact_phone", "value": PHONE}, "responses": []}
    with pytest.raises(Exception) as raised:
        action._validate_action_result(response)
    assert PHONE not in str(raised.value) and "contact_phone" not in str(raised.value)
    assert "events" in str(raised.value) and "array" in str(raised.value)  # where and what is still said
