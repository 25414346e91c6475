"""Build the triage training corpus (*.jsonl) from the hand-written sources in sources/.

Usage: python3 bot/triage/corpus/generate.py   (deterministic: fixed seed, sorted inputs)

Source format (sources/*.txt, one message per line, written by hand):
    # comment
    @ 投 住建 n L        header: default labels for the lines below
    text of a message    one message; a literal \\n inside the line is a line break
    {w 应急 k} text      per-line overrides of the header
Label codes: type 咨/求/投/举/建/表; department short names (DEPARTMENTS in labels.py); urgency n/m/w
(none/mentioned/now); style L/s/a/d/v/p/t/x; k marks kb_question true (-k false); a full topic
name overrides the department's default topic.

Output file by source prefix: letters_ -> letters.jsonl, short_ -> short.jsonl,
dialect_ and dictation_ -> dialect_dictation.jsonl, variants_ -> variants.jsonl,
urgency_ -> urgency.jsonl. Hand-written letters shorter than 150 characters get
label-neutral courtesy phrases (an opening line, a closing line, a signature) chosen
with a seeded RNG, so that every letter is 150-600 characters. templated.jsonl is made
by slot-filling in templates.py.
"""

import json
import random
from pathlib import Path

from labels import DEPARTMENTS, STYLES, TOPICS, TYPES, URGENCY  # the same folder (see labels.py)

HERE = Path(__file__).resolve().parent
SEED = 20261203

OUTPUTS = {
    "letters_": "letters.jsonl",
    "short_": "short.jsonl",
    "dialect_": "dialect_dictation.jsonl",
    "dictation_": "dialect_dictation.jsonl",
    "variants_": "variants.jsonl",
    "urgency_": "urgency.jsonl",
}

# Label-neutral courtesy phrases for lengthening short hand-written letters (no identity claims,
# nothing that suggests a type: they must fit a question, a complaint, a report and praise alike).
OPENERS = [
    "感谢您在百忙之中抽出时间阅读我的来信。",
    "冒昧给您写信，打扰您了。",
    "我是一名普通群众，平时很少给政府写信。",
    "我是在网上看到这个留言渠道的，抱着试一试的想法给您写信。",
    "知道领导工作很忙，还是想占用您几分钟时间。",
    "有说得不对的地方，请领导见谅。",
    "这封信是我让孩子帮忙打的字。",
    "我在县政府网站上找到了这个信箱。",
    "犹豫了好几天，还是决定给您写这封信。",
    "听朋友说在这里留言有人回复，所以来试一试。",
    "首先向您和各位工作人员问好。",
    "今天鼓起勇气给您写信。",
    "我长话短说，不耽误您太多时间。",
    "我是第一次在网上给领导留言。",
    "打扰您宝贵的时间了。",
    "我把情况尽量写清楚一些。",
    "感谢政府开通这个渠道，让老百姓有地方说话。",
    "写得啰嗦，请您耐心看完。",
    "下面把事情跟您说一下。",
    "这是我第一次给领导写信，心里有些紧张。",
    "如有冒犯之处，还请谅解。",
    "先向领导道一声辛苦。",
]
CLOSERS = [
    "以上情况，恳请领导给予答复。",
    "不当之处，请领导批评指正。",
    "盼望早日得到回复。",
    "如需核实，我随时可以配合。",
    "再次感谢领导的关心。",
    "期待您的回音。",
    "给您添麻烦了。",
    "谢谢您耐心看完我的信。",
    "辛苦领导了。",
    "盼复为谢。",
    "祝领导工作顺利、身体健康！",
    "望领导百忙之中抽空回复。",
    "感谢您的倾听。",
]
SIGNATURES = [
    "张某",
    "李**",
    "马某某",
    "王某",
    "杨某",
    "田某",
    "某某",
    "海某",
    "一名群众",
    "一位市民",
    "群众某某",
    "来信人：某某",
]
GREETING_ENDS = ("您好！", "您好，", "您好：", "您好。", "您好!", "好！", "好，")


# 文旅 covers both tourism (商贸旅游) and culture, broadcasting, libraries (教育文体).
TOURISM_WORDS = ("景区", "旅游", "门票", "游客", "民宿", "农家乐", "导游", "旅行社", "景點", "旅遊")


def default_topic(code: str, text: str) -> str:
    department, topic = DEPARTMENTS[code]
    if code == "文旅" and not any(word in text for word in TOURISM_WORDS):
        return "教育文体"
    return topic


def apply_codes(tokens: list[str], labels: dict, where: str) -> None:
    for token in tokens:
        if token in TYPES:
            labels["type"] = TYPES[token]
        elif token in DEPARTMENTS:
            labels["dept"] = token
            labels["topic"] = None
        elif token in TOPICS:
            labels["topic"] = token
        elif token in URGENCY:
            labels["urgency"] = URGENCY[token]
        elif token in STYLES:
            labels["style"] = STYLES[token]
        elif token == "k":
            labels["kb"] = True
        elif token == "-k":
            labels["kb"] = False
        else:
            raise SystemExit(f"{where}: unknown label code {token!r}")


def parse_source(path: Path) -> list[dict]:
    rows: list[dict] = []
    header: dict = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{path.name}:{number}"
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            header = {"kb": False, "topic": None}
            apply_codes(line[1:].split(), header, where)
            continue
        labels = dict(header)
        if line.startswith("{"):
            end = line.index("}")
            apply_codes(line[1:end].split(), labels, where)
            line = line[end + 1 :].strip()
        text = line.replace("\\n", "\n")
        row = {
            "text": text,
            "type": labels["type"],
            "department": DEPARTMENTS[labels["dept"]][0],
            "topic": labels["topic"] or default_topic(labels["dept"], text),
            "urgency": labels["urgency"],
            "style": labels["style"],
        }
        if labels["kb"]:
            row["kb_question"] = True
        rows.append(row)
    return rows


def lengthen_letter(text: str, rng: random.Random) -> str:
    """Add courtesy phrases (an opening line, a signature, a closing line) until 150 characters."""
    for end in GREETING_ENDS:
        cut = text.find(end)
        if 0 <= cut < 25:
            cut += len(end)
            break
    else:
        cut = 0
    openers = rng.sample(OPENERS, len(OPENERS))
    text = text[:cut] + openers.pop() + text[cut:]
    if len(text) < 150:
        signature = rng.choice(SIGNATURES)
        month, day = rng.randint(1, 11), rng.randint(1, 28)
        date = rng.choice([f"2026年{month}月{day}日", f"2026.{month}.{day}", f"{month}月{day}日"])
        if rng.random() < 0.3:
            date += f"\n联系电话：1{rng.choice('35789')}{rng.randint(0, 9)}****{rng.randint(0, 9999):04d}"
        text = text + "\n" + signature + "\n" + date
    if len(text) < 150:
        body, sep, tail = text.partition("\n")
        text = body + rng.choice(CLOSERS) + sep + tail
    while len(text) < 150:
        body, sep, tail = text.partition("\n")
        text = body[:cut] + openers.pop() + body[cut:] + sep + tail
    return text


def main(out_dir: Path = HERE) -> None:
    outputs: dict[str, list[dict]] = {}
    for path in sorted((HERE / "sources").glob("*.txt")):
        prefix = next((p for p in OUTPUTS if path.name.startswith(p)), None)
        if prefix is None:
            raise SystemExit(f"{path.name}: unknown source prefix")
        rows = parse_source(path)
        rng = random.Random(f"{SEED}:{path.name}")  # per file: a new source file leaves the others unchanged
        for row in rows:
            if row["style"] == "letter" and len(row["text"]) < 150:
                row["text"] = lengthen_letter(row["text"], rng)
        outputs.setdefault(OUTPUTS[prefix], []).extend(rows)
    try:
        from templates import build_templated  # noqa: PLC0415 (sibling module, optional)
    except ImportError:
        build_templated = None
    if build_templated is not None:
        templated = build_templated(random.Random(SEED + 1), DEPARTMENTS)
        for row in templated:
            if row["department"] == DEPARTMENTS["文旅"][0]:
                row["topic"] = default_topic("文旅", row["text"])
        outputs["templated.jsonl"] = templated
    for name, rows in outputs.items():
        with open(out_dir / name, "w", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(f"{name}: {len(rows)}")


if __name__ == "__main__":
    main()
