"""Which part of a service a citizen asks about, read from the words: 要带啥 → materials, 多少钱 → fee,
几天能拿到 → time_limit, 在哪办 → place, 网上能办吗 → online, 啥条件 → eligibility, 先干啥 → steps,
我替我妈办行不行 → proxy.

    asked_aspects("补身份证要带啥 多少钱")  → ["materials", "fee"]   (in the order asked)
    asked_aspects("身份证咋办")              → []                    (general: the intent or the whole card)
    asked_aspects("医疗费用手工报销要带啥", names)  → ["materials"]  (费用 there is part of a name)

The cues are the citizen's own words, colloquial and dictated ones included (啥/咋/么/不/没); they beat
the NLU intent, which only knows the phrasings it was trained on. Pure functions, no NLU.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Someone asks whether another person may apply for them ("让我儿子去办可以吗", "本人来不了").
PROXY = re.compile(
    r"代办|代领|代为|代替|委托|替我|替他|替她|替俺|帮我[爸妈爹娘]|替我[爸妈爹娘]|我替|我帮|"
    r"(帮|替|给)(我)?(爸|妈|爹|娘|老人|父亲|母亲|老伴|孩子|儿子|女儿|家里人|亲戚)(办|领|去)|"
    r"(让|叫)(我)?(儿子|女儿|孩子|老伴|家里人|亲戚|别人)(去)?(办|领)|本人(来不了|去不了|不能去|不在)|"
    r"(别人|家人|家里人|亲戚|子女)(能|可以|可不可以|能不能)?(帮|替|代)"
)
_WHAT = r"(啥|什么|哪些|哪样|些啥|些什么|甚么)"
# "要什么条件", "需要什么时间": the question word belongs to another aspect's noun.
_NOT_THINGS = r"(?!条件|资格|时候|时间|流程|步骤|程序|人|地方|部门|手续费|钱)"
CUES: dict[str, re.Pattern[str]] = {
    "materials": re.compile(
        r"材料|资料|手续材料|证件|证明材料|票据|照片|原件|复印件|"
        rf"(带|拿|准备|备|交|提供|需要|要)(上|好|齐|点|些)?{_WHAT}{_NOT_THINGS}(东西|证|材料|资料)?|"
        rf"要{_WHAT}(东西|证|材料)|都要啥|得(带|拿|准备)|带(齐|全)|哪几样|几样东西|(带|拿)[^，。,.\s]{{0,4}}东西"
    ),
    "fee": re.compile(
        r"多少钱|几块钱|几个钱|好多钱|多钱|收费|收钱|收不收|要钱|花钱|掏钱|交钱|费用|工本费|免费|"
        r"贵不贵|贵吗|(交|缴|花|收)多少|一年交|每年交|标准是多少|价格|费(用)?(是)?多少|手续费|登记费|检测费"
    ),
    "time_limit": re.compile(
        r"多久|多长时间|(?<![前这那过头])几天|几个工作日|多少天|多少个工作日|工作日|时限|多快|啥时候能|什么时候能|"
        r"何时能|当天能|当场能|马上能|能拿到|拿到手|到账|能办好|能办完|办完要|等多"
    ),
    "place": re.compile(
        r"在哪|去哪|到哪|哪里|哪儿|哪个(部门|窗口|单位|地方|派出所|大厅|所)|啥地方|什么地方|地址|"
        r"地点|位置|的地方|窗口|大厅|几点|上班时间|办公时间|周末(办|上班|开门)|电话|找谁|找哪"
    ),
    "online": re.compile(
        r"网上|网办|线上|在线|手机上|手机(里|能|可以|咋|怎么)|app|APP|App|我的宁夏|政务服务网|小程序|"
        r"微信上|微信(里|能|可以)|支付宝|掌上|(?<!不会|不能|没法)用手机|手机就|12123|不用跑|不跑"
    ),
    "eligibility": re.compile(
        r"条件|资格(?!认证)|够不够|符不符合|符合|谁能|谁可以|哪些人|什么人|啥人|多大岁数|多少岁|几岁|"
        r"年龄|岁数|能不能(申请|领|办)|可不可以(申请|领)|有没有资格|我能(申请|领)|这种情况|够格"
    ),
    "steps": re.compile(r"流程|步骤|程序|先干啥|先做什么|先去哪|先干什么|后干啥|怎么走|第一步|哪些环节"),
}
# "能办不", "能领失业金不", "还能入吗": about eligibility only when nothing more specific is asked ("网上能办吗"
# asks online, "办下来要交多少钱" the fee).
WEAK_CUES = {
    "eligibility": re.compile(
        r"(能|可以)(领|办|申请|入|交|参加|提|取)[^，。,.\s]{0,6}[吗不么]|才能(领|办)|能认定|能不能给办|行不行"
    ),
    # "低保咋申请", "出生证明咋补": how to apply is the procedure; "怎么办" alone stays general (the card).
    "steps": re.compile(r"(咋|怎么|如何|怎样)(申请|申领|办理|补办|补|领取|认定|转移|转)"),
}


def asked_aspects(text: str, names: Iterable[str] = ()) -> list[str]:
    """The aspects the words ask about, in the order they are asked (each once). `names` (service names
    and aliases, longest first) are blanked out first: 资格 in 养老资格认证 asks about no condition."""
    original = text = text or ""
    for name in names:
        if len(name) > 1 and name in text:
            text = text.replace(name, "＿" * len(name))  # a placeholder, not a space: "能领＿＿＿不"
    found: list[tuple[int, str]] = []
    proxy = PROXY.search(text)  # "替我妈办身份证要带啥": may the son apply, and with what
    if proxy:
        found.append((proxy.start(), "proxy"))
    for aspect, pattern in CUES.items():
        match = pattern.search(text)
        if match:
            found.append((match.start(), aspect))
    if not found:
        # on the words as written: "能领失业金不" may name the service inside the question; the first weak
        # cue in the text wins ("咋申请 俺还能入吗" asks the procedure first)
        weak = [(m.start(), aspect) for aspect, pattern in WEAK_CUES.items() if (m := pattern.search(original))]
        found = sorted(weak)[:1]
    aspects = [aspect for _, aspect in sorted(found)]
    if "place" in aspects and "steps" in aspects and re.search(r"先去哪", text):
        aspects.remove("place")  # "先去哪里" asks for the order of things, not an address
    return aspects
