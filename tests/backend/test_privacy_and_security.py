"""Masking helpers, log filter, API token file (unit)."""

from __future__ import annotations

import logging
import stat
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.common.privacy import PiiLogFilter, mask_id_card, mask_name, mask_phone, mask_text
from bot.core.security import RateLimiter, load_or_create_token, resolve_api_token, token_matches


@pytest.mark.parametrize(
    "phone, masked",
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "138****5678"),
        ("0955-1234567", "0955-****567"),
        ("010-12345678", "010-****5678"),
        ("09551234567", "0955-****567"),
        ("12", "****"),
        (None, None),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_mask_id_card_and_name():
    assert mask_id_card("640102199001011234") == "6401**********1234"
    assert mask_id_card("64010219900101123X") == "6401**********123X"
    assert mask_name("马建国") == "马**" and mask_name("马") == "马*"


def test_mask_text_finds_numbers_in_free_text():
    text = (
        "身份证64010219900101123x，手机13812345678或138-1234-5678，座机0955-1234567，"
        "银行卡6222021234567890123，工单HY202611250001，金额12000元"
    )
    masked = mask_text(text)
    assert "6401**********123x" in masked
    assert masked.count("138****5678") == 2
    assert "0955-****567" in masked
    assert "6222021234567890123" not in masked
    assert "HY202611250001" in masked and "12000元" in masked


def test_log_filter_masks_message_args_and_tokens():
    logger = logging.getLogger("test.privacy")
    record = logger.makeRecord(
        "test", logging.INFO, __file__, 1, "电话 %s 令牌 %s", ("13812345678", "Bearer abc.def"), None
    )
    PiiLogFilter().filter(record)
    assert record.getMessage() == "电话 138****5678 令牌 Bearer ***"
    record = logger.makeRecord(
        "test", logging.INFO, __file__, 1, "GET /open311/v2/requests.json?api_key=secret&x=1", (), None
    )
    PiiLogFilter().filter(record)
    assert "secret" not in record.getMessage()


def test_token_file_is_created_once_with_mode_600(tmp_path):
    path = tmp_path / "secrets" / "api_token"
    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = set(pool.map(lambda _: load_or_create_token(path), range(16)))
    assert len(tokens) == 1
    token = tokens.pop()
    assert len(token) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_or_create_token(path) == token
    assert [p.name for p in path.parent.iterdir()] == ["api_token"]  # no temp files left


def test_configured_token_wins(tmp_path):
    assert resolve_api_token("  from-env  ", tmp_path / "api_token") == "from-env"
    assert not (tmp_path / "api_token").exists()


def test_token_matches():
    assert token_matches("abc", "abc")
    assert not token_matches("abd", "abc") and not token_matches("", "") and not token_matches(None, "abc")


def test_rate_limiter_window():
    limiter = RateLimiter(2, 60)
    assert limiter.hit("a") and limiter.hit("a") and not limiter.hit("a")
    assert limiter.hit("b")
    assert limiter.exceeded("a") and not limiter.exceeded("c")
