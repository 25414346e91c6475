"""The complaint form's ticket type comes from the triage, not from the first keyword found."""

from actions.complaint_form import infer_category


def test_a_letter_that_thanks_the_official_while_complaining_is_a_complaint():
    # The first-keyword rule filed this as 表扬 (感谢 comes first).
    letter = (
        "尊敬的领导您好，感谢您百忙之中阅读我的来信。我们小区的暖气从入冬到现在一直不热，"
        "屋里只有十二三度，老人孩子都冻感冒了，找物业和供热公司多次都互相推诿，恳请领导督促解决。"
    )
    assert infer_category(letter) == "投诉"


def test_a_plain_question_is_a_consultation():
    # The first-keyword rule defaulted to 投诉.
    assert infer_category("我们老城区今年会不会列入棚户区改造，什么时候能知道") == "咨询"


def test_a_suggestion_is_a_suggestion():
    assert infer_category("希望在县医院门口的十字路口加一个红绿灯，早晚车太多过马路很危险") == "建议"
