"""One strict reader for every yes/no question the assistant asks (bundles, complaint, consent, summary).

Only an explicit answer counts: a whole reply that is a yes or no word ("是的", "我同意", "不用了", "2").
Where a question allows it (`openings=True`: the bundles' factual questions), a short reply that opens with
one and adds a few words without digits ("有抵押", "已婚", "没有房子") is read too. Anything else is None
and the question is asked again. So a phone number typed at the consent question,
"100块钱的事" at the summary, "要不要" or "有个问题想问" are never taken for 同意 / 确认.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"[\s，。！!？?、,.~～…:：;；\"'“”‘’()（）【】\[\]<>《》]+")
_TRAILING_PARTICLES = re.compile(r"(谢谢|谢了|[啊呀吧呢哦噢嘛啦了的哈嗯呗咯])+$")
_UNSURE = re.compile(r"不知道|不清楚|不确定|不晓得|不懂|说不准|啥意思|什么意思|为啥|为什么|吗|么|啥|什么|怎么|咋|问")
_NEGATION = re.compile(r"不|没|别|未|否|无")
_DIGIT = re.compile(r"\d")

YES_WORDS = frozenset(
    "1 一 是 是的 对 对的 对呀 嗯 嗯嗯 有 有的 要 需要 好 好的 行 可以 中 成 当然 没错 同意 愿意 确认 确定 ok okay "
    "yes y 已 已经 办了 已办 办过 已经办了 仍要 仍要登记 还要 要登记 继续 继续登记".split()
)
NO_WORDS = frozenset(
    "2 二 否 不 不是 没 没有 无 非 未 还没 还没有 别 不要 不用 不需要 不同意 不愿意 不想 不办 没办 未办 没办过 算了 "
    "不了 no n 不行 不可以 不对 不必".split()
)
# A short reply may open with one of these and add a few words ("有抵押", "已婚", "没有房子", "未婚").
_YES_OPENING = re.compile(r"^(是|对|有|要|需要|已|同意|愿意|当然|确认)")
_NO_OPENING = re.compile(r"^(不|没|无|未|还没|别)")
SHORT_REPLY = 5  # characters, after punctuation and trailing particles are removed
_CLAUSE_END = re.compile(r"[，。！!,;；]")


def _forms(text: str) -> tuple[str, list[str]]:
    """The reply without punctuation, then also without trailing particles and a leading 我 ("我同意了"),
    and the first clause of a reply without digits ("不是，都是外地户口")."""
    reply = _PUNCTUATION.sub("", text or "").lower()
    bare = _TRAILING_PARTICLES.sub("", reply) or reply
    bare = bare[1:] if bare.startswith("我") and len(bare) > 1 else bare
    forms = [reply] + ([bare] if bare != reply else [])
    first = _PUNCTUATION.sub("", _CLAUSE_END.split(text or "", maxsplit=1)[0]).lower()
    if first and first != reply and not _DIGIT.search(reply):
        forms.append(_TRAILING_PARTICLES.sub("", first) or first)
    return bare, forms


def read_yes_no(
    text: str, yes: frozenset[str] = frozenset(), no: frozenset[str] = frozenset(), openings: bool = False
) -> bool | None:
    """True / False for an explicit answer, None for anything else. `yes` / `no` add words that count as a
    whole reply for one question (the summary's "确认提交")."""
    reply, forms = _forms(text)
    if not reply:
        return None
    if any(f in YES_WORDS or f in yes for f in forms):
        return True
    if any(f in NO_WORDS or f in no for f in forms):
        return False
    if not openings or len(reply) > SHORT_REPLY or _DIGIT.search(reply) or _UNSURE.search(reply):
        return None
    if _NO_OPENING.match(reply):
        return False
    if _YES_OPENING.match(reply) and not _NEGATION.search(reply):
        return True
    return None
