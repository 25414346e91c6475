"""Triage text normalisation: traditional → simplified at the same length, folding, masked numbers."""

from bot.knowledge.text import has_traditional, to_simplified
from bot.triage.text import for_model


def test_traditional_to_simplified_keeps_length():
    text = "醫保報銷要帶什麼材料？身份證補辦"
    simplified = to_simplified(text)
    assert simplified == "医保报销要带什么材料？身份证补办"
    assert len(simplified) == len(text)


def test_simplified_text_is_returned_unchanged():
    text = "医保报销要带什么材料，干净的头发"
    assert not has_traditional(text)
    assert to_simplified(text) is text


def test_for_model_masks_numbers_and_folds_full_width():
    assert for_model("电话１３８****１２３４，欠了 3万 元") == "电话0,欠了 0万 元"
    assert for_model("張某某在X村") == "张某在x村"
