"""Does a message the assistant did not understand read like a complaint, a report or a plea for help?

Then the fallback ladder offers to register it as a ticket at once (no complaint is lost because the
NLU did not know the wording): citizens write about broken street lights, unpaid wages or a noisy
building site in words no training example has.
"""

from __future__ import annotations

import re

from bot.common.text import is_letter

# Words that in a county's service chat nearly always mean "something is wrong and someone should act".
CUES = re.compile(
    "|".join(
        """
投诉 举报 反映 建议 意见 不满 不公平 不合理 凭什么 欺负 没人管 谁管 管管 管一管 做主 没说法 没个说法
不给 没给 不退 不还 欠 拖欠 拖着 克扣 扣了 占了 乱收费 乱要价 多收 拒载 骗 诈骗 赌博 高利贷 偷
态度差 态度太差 不耐烦 推来推去 推诿 踢皮球 不作为 不在岗 打不通 没人接 不理
坏了 坏掉 不亮 堵了 塌了 漏水 停水 停电 没水 没电 不热 冻裂 大坑 井盖 没人修 没人拉 没人清
吵 噪音 扰民 半夜 臭 黑烟 油烟 灰尘 污染 排污 乱倒 垃圾 过期 变质 地沟油 缺斤短两
卡住 闪退 打不开 登录不上 系统繁忙 审核中
""".split()
    )
)
LONG_LETTER = 60  # characters: a message this long that nothing matched is a letter, not a question


def reads_as_letter(text: str) -> bool:
    return is_letter(text, LONG_LETTER)


def reads_as_full_letter(text: str) -> bool:
    """A letter (bot.common.text.FULL_LETTER): read by the complaint form however NLU labelled it; its few named
    services are no answer to it (a 投诉 about three trips to the 医保 window got three 收费 answers)."""
    return is_letter(text)


def sounds_like_grievance(text: str) -> bool:
    text = text or ""
    return bool(CUES.search(text)) or reads_as_letter(text)


# "我反映的路灯问题处理了没有": a citizen asking how an earlier complaint is going, not making a new one.
STATUS_CUES = re.compile(
    r"处理了没|处理得怎么样|处理得咋样|处理到哪|有结果没|有结果了没|有回音|回复了没|有人回复没|"
    r"办到哪|到哪一步|有下文|(处理|办理|工单|投诉)的?进度|进度(怎么样|咋样|如何|到哪)|啥进度|什么进度"
)
# A letter asks about an earlier complaint only when it says so (我上次反映的…): 加快新学校的建设进度 is none.
EARLIER_REPORT = re.compile(r"反映过|投诉过|举报过|上次|上回|之前反映|以前反映|曾经反映|反映的|投诉的|工单|留言")


NEW_COMPLAINT = re.compile(r"要投诉|要举报|再投诉|重新投诉|又投诉")


def asks_about_status(text: str) -> bool:
    """Asks how an earlier complaint is going ("…我要投诉" with it is a new complaint after all)."""
    text = text or ""
    if reads_as_full_letter(text) and not EARLIER_REPORT.search(text):
        return False
    return bool(STATUS_CUES.search(text)) and not NEW_COMPLAINT.search(text)
