"""Parts of a letter the classifier reads apart from the whole, and marker cues that carry across writers.

A letter's ask is usually in a question sentence or in its last sentences ("想问一下…能否…", "恳请…查处"),
while the long background before it ("家里困难", "去年着过火") says little about the type. `ask_part` is
those sentences; `cues` are yes/no markers (a question, a grievance, a report, a suggestion, praise, a
request for help; a hazard told as past, chronic or happening now), in the whole text and in the ask.
Both work on the text as `for_model` gives it (simplified, folded, numbers as 0).
"""

from __future__ import annotations

import re

_SENTENCES = re.compile(r"[^。！!？?；;\n]+[。！!？?；;]*")
# closing lines and signatures: no ask in them ("此致敬礼", "张某 2026年3月", "谢谢领导！")
_COURTESY = re.compile(
    r"^(此致|敬礼|谢谢|感谢|多谢|辛苦|盼复|期待|祝|望|恳请领导(百忙之中)?(给予)?(答复|回复)|来信人|联系电话|电话|"
    r"一名|一位|群众|某|[张李王马杨田海刘]某|[0-9年月日.\s]+$)"
)
_ASKS = re.compile(
    r"吗|么[？?]|呢[？?]|[？?]|能否|是否|可否|请问|想问|问一下|问问|咨询|了解一下|如何|怎么|怎样|咋|啥|什么|多少|"
    r"多久|哪些|哪里|哪个|在哪|有没有|能不能|可不可以|会不会|要不要|恳请|请求|希望|建议|要求|请.{0,6}(查|处理|解决|帮)"
)

CUES: dict[str, re.Pattern[str]] = {
    "question": re.compile(
        r"吗|能否|是否|可否|请问|想问|问一下|咨询|想了解|如何|怎么办理|怎么申请|怎样|什么时候|多久|哪些|哪里|在哪|"
        r"有没有|能不能|可不可以|会不会|需要.{0,8}(材料|手续|条件)|[？?]"
    ),
    "grievance": re.compile(
        r"投诉|不作为|推诿|推脱|踢皮球|拖欠|欠薪|乱收费|多收|态度(很|极其|非常)?(差|恶劣|蛮横)|刁难|至今|迟迟|一直没|"
        r"一直不|没人管|无人管|不管不问|说法|交代|严肃处理|追究|督促|整改|赔偿|退还|损失|扯皮|敷衍|不给办|不予理睬"
    ),
    "report": re.compile(
        r"举报|违法|违规|违建|偷排|私自|私设|非法|无证|黑作坊|查处|取缔|贪污|挪用|侵占|骗取|冒领|骗保|优亲厚友|"
        r"吃拿卡要|受贿|行贿|套取|虚报|造假|以次充好|假冒|黑车|赌博|涉黄|暴力催收|传销"
    ),
    "suggestion": re.compile(
        r"建议|提议|希望(能|可以|政府|县里|有关部门)|可否考虑|能否考虑|增设|增加|开通|设立|完善|改进"
    ),
    "praise": re.compile(r"表扬|点赞|锦旗|感谢信|好干部|好医生|好老师|尽职尽责|热情|耐心|负责任|为民|暖心|感动|致敬"),
    "thanks": re.compile(r"感谢|谢谢|多谢|辛苦"),
    "contrast": re.compile(r"但是|可是|然而|却|不过|只是"),
    "help": re.compile(
        r"帮帮|帮忙|帮助|困难|没钱|无力|走投无路|生活困难|求助|救救|没办法|没有办法|无依无靠|看不起病|揭不开锅|"
        r"没人照顾|没有收入|负担不起"
    ),
    "past": re.compile(
        r"去年|前年|前几年|前些年|上次|上回|那次|那年|那天|那时|以前|之前|曾经|当时|事后|后来|过火|出过|发生过|"
        r"有过|烧过|摔过|撞过|伤过|[年月天周]前|上个?月|上周|上星期|所幸|幸好|住院|出院|已经过去"
    ),
    "chronic": re.compile(r"隐患|万一|一旦|迟早|担心|害怕|差点|险些|差一点|经常|老是|总是|每次|每年|常年|多次|好几次"),
    "present": re.compile(
        r"正在|刚才|刚刚|快来|救命|快救|快叫|快点|赶紧来|赶快|还在烧|还在冒|还在打|里面还有人|人还在|马上来|此刻|"
        r"这会儿|求救|(?<![到至])现在(?![还也都仍])|了[！!]{1,}"
    ),
}


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCES.findall(text or "") if s.strip()]


def _content(sentence: str) -> bool:
    return len(sentence) > 4 and not _COURTESY.match(sentence)


def ask_part(text: str, tail: int = 2) -> str:
    """The sentences that ask something, plus the last `tail` content sentences (the whole of a short text)."""
    parts = sentences(text)
    if len(parts) <= tail + 1:
        return text
    content = [s for s in parts if _content(s)]
    chosen = {s for s in content if _ASKS.search(s)} | set(content[-tail:])
    return "".join(s for s in parts if s in chosen) or text


CUE_NAMES = [f"{where}:{name}" for where in ("all", "ask") for name in CUES]


def cues(text: str) -> list[int]:
    """Indices into CUE_NAMES of the markers found in the whole text and in its ask part."""
    ask = ask_part(text)
    found = [i for i, pattern in enumerate(CUES.values()) if pattern.search(text)]
    found += [len(CUES) + i for i, pattern in enumerate(CUES.values()) if pattern.search(ask)]
    return found
