"""Slot-filled messages for templated.jsonl (called by generate.py with a seeded RNG).

Hand-written phrase pieces (services and how people name them, complaints, reports, present
dangers) are combined with places, relatives, provinces and durations, to vary the surface around
the words that carry the labels. Each template yields a bounded number of messages, and every
combination is drawn without replacement, so no text repeats.
"""

import random

TOWNS = [
    "海城镇",
    "李旺镇",
    "西安镇",
    "七营镇",
    "三河镇",
    "关桥乡",
    "史店乡",
    "树台乡",
    "红羊乡",
    "贾塘乡",
    "郑旗乡",
    "曹洼乡",
    "九彩乡",
    "李俊乡",
    "甘城乡",
    "关庄乡",
    "高崖乡",
]
VILLAGES = ["X村", "某某村", "X村二组", "X村五队", "**村"]
ESTATES = ["**小区", "**家园", "**花园", "**苑", "新区**小区", "老城区**小区"]
STREETS = ["X路", "X街", "南关", "北关", "新区X路", "老城区X巷"]
RELATIVES = ["我妈", "我爸", "我奶奶", "我爷爷", "我婆姨", "我老公", "我儿子", "我女儿", "我姐", "我哥"]
PROVINCES = ["新疆", "内蒙古", "银川", "西安", "兰州", "福建", "浙江", "广东", "北京", "上海", "青海"]
DURATIONS = ["三天", "一个礼拜", "半个月", "一个多月", "两个月", "半年", "大半年", "一年多"]

# (service as people name it, department code, aspects that make sense)
SERVICES = [
    ("身份证补办", "公安", "材料 费用 时限 地点 代办 异地"),
    ("身份证换证", "公安", "材料 费用 时限 地点 异地"),
    ("户口迁移", "公安", "材料 时限 地点 代办"),
    ("新生儿上户口", "公安", "材料 时限 地点 网办"),
    ("无犯罪记录证明", "公安", "材料 时限 地点 代办 网办 异地"),
    ("居住证", "公安", "材料 时限 地点 费用"),
    ("驾驶证换证", "交警", "材料 费用 时限 地点 异地 网办"),
    ("驾驶证补办", "交警", "材料 费用 时限 网办 异地"),
    ("车辆年检", "交警", "材料 费用 地点 异地"),
    ("社保卡补办", "人社", "材料 费用 时限 地点 代办 异地"),
    ("社保卡挂失", "人社", "地点 网办 代办"),
    ("失业金申领", "人社", "材料 时限 地点 网办"),
    ("退休手续", "人社", "材料 时限 地点 代办 异地"),
    ("灵活就业参保", "人社", "材料 费用 地点 网办"),
    ("养老保险转移", "人社", "材料 时限 地点 异地"),
    ("医保报销", "医保", "材料 时限 地点 代办"),
    ("异地就医备案", "医保", "材料 时限 网办 异地"),
    ("城乡居民医保缴费", "医保", "费用 时限 网办 代办"),
    ("门诊慢特病申请", "医保", "材料 时限 地点 代办"),
    ("低保申请", "民政", "材料 时限 地点 代办"),
    ("高龄补贴", "民政", "材料 地点 代办"),
    ("结婚登记", "民政", "材料 费用 地点 异地"),
    ("离婚登记", "民政", "材料 时限 地点"),
    ("临时救助", "民政", "材料 时限 地点"),
    ("丧葬补助", "民政", "材料 时限 地点 代办"),
    ("残疾证办理", "残联", "材料 费用 时限 地点 代办"),
    ("残疾人两项补贴", "残联", "材料 时限 地点"),
    ("法律援助", "司法", "材料 时限 地点 费用 异地"),
    ("公积金提取", "公积金", "材料 时限 地点 网办 异地"),
    ("公积金贷款", "公积金", "材料 时限 地点"),
    ("营业执照办理", "市监", "材料 费用 时限 地点 网办 代办"),
    ("食品经营许可证", "市监", "材料 时限 地点 网办"),
    ("公司简易注销", "市监", "材料 时限 网办"),
    ("不动产登记", "自然", "材料 费用 时限 地点"),
    ("宅基地申请", "自然", "材料 时限 地点"),
    ("义务教育入学报名", "教体", "材料 时限 地点"),
    ("转学手续", "教体", "材料 时限 异地"),
    ("学生资助申请", "教体", "材料 时限 地点"),
    ("自来水报装", "水务", "材料 费用 时限 地点"),
    ("用电报装", "供电", "材料 费用 时限 网办"),
    ("退役军人优待证", "退役", "材料 时限 地点 代办"),
    ("公租房申请", "住建", "材料 时限 地点"),
    ("出生医学证明", "卫健", "材料 地点 时限"),
    ("个税退税", "税务", "时限 网办 地点"),
    ("耕地地力保护补贴", "农业", "时限 地点"),
]
ASPECT_QUESTIONS = {
    "材料": ["要带啥材料", "需要准备什么资料", "要哪些证件", "材料清单能发我一份吗", "除了身份证还要带什么"],
    "费用": ["要交钱吗", "收费多少", "要花多少钱", "是免费的吗"],
    "时限": ["多久能办好", "几天能拿到", "要等多长时间", "啥时候能下来"],
    "地点": ["在哪里办", "去哪个窗口", "是在乡上办还是去县城", "去哪个部门办"],
    "网办": ["能在手机上办吗", "网上能办吗", "我的宁夏APP上能不能弄", "能不能不跑腿在网上弄"],
    "代办": ["家里人能代办吗", "本人不去行不行", "要不要本人到场"],
    "异地": ["在外地能办吗", "能不能在当地办", "必须回海原吗"],
}
FRAMES_PLAIN = [
    "{svc}{q}",
    "请问{svc}{q}",
    "你好，{svc}{q}？",
    "想问下{svc}{q}",
    "{svc}，{q}",
    "咨询一下，{svc}{q}",
]
FRAMES_PROXY = [
    "{rel}想办{svc}，{q}",
    "我替{rel}问一下，{svc}{q}",
    "{rel}年纪大了跑不动，{svc}{q}",
    "帮{rel}问问{svc}{q}",
]
FRAMES_AWAY = [
    "我人在{prov}打工，{svc}{q}",
    "我在{prov}上班回不去，{svc}{q}",
    "现在在{prov}，户口在海原，{svc}{q}",
]
FRAMES_DIALECT = [
    "{svc}咋弄呢，{q}",
    "俺想问问{svc}，{q}",
    "{rel}的{svc}咋整呢，{q}",
]


def kb_questions(rng: random.Random, depts: dict) -> list[dict]:
    rows = []
    for svc, code, aspects in SERVICES:
        dept, topic = depts[code]
        combos = []
        for aspect in aspects.split():
            for q in ASPECT_QUESTIONS[aspect]:
                if aspect == "代办":
                    frames = FRAMES_PROXY
                elif aspect == "异地":
                    frames = FRAMES_AWAY
                else:
                    frames = FRAMES_PLAIN + FRAMES_DIALECT
                combos += [(frame, q) for frame in frames]
        rng.shuffle(combos)
        for frame, q in combos[:7]:
            text = frame.format(svc=svc, q=q, rel=rng.choice(RELATIVES), prov=rng.choice(PROVINCES))
            style = "dialect" if frame in FRAMES_DIALECT else "short"
            rows.append(_row(text, "咨询", dept, topic, "none", style, kb=True))
    return rows


# (complaint core, department code) -- hand-written grievances; the frame adds place and duration
COMPLAINTS = [
    ("小区物业不打扫卫生，楼道里全是垃圾", "住建"),
    ("暖气不热，屋里只有十三四度", "住建"),
    ("物业乱收停车费", "住建"),
    ("楼顶漏水找物业没人管", "住建"),
    ("工地半夜施工吵得睡不着", "住建"),
    ("路灯坏了没人修", "执法"),
    ("门口占道摆摊堵路", "执法"),
    ("垃圾堆着没人清运", "执法"),
    ("楼下饭馆油烟直接往楼上排", "执法"),
    ("楼上天天半夜吵闹", "公安"),
    ("隔壁KTV吵到凌晨", "公安"),
    ("停水了也不通知", "水务"),
    ("自来水发黄有异味", "水务"),
    ("经常停电，电压也低", "供电"),
    ("班车不按时发车", "交通"),
    ("村里的路修了一半停工了", "交通"),
    ("老板拖欠工资不给", "人社"),
    ("单位不给交社保", "人社"),
    ("医保报销的钱一直没到账", "医保"),
    ("卫生院的医生经常不在岗", "卫健"),
    ("县医院挂号排队太久", "卫健"),
    ("学校乱收资料费", "教体"),
    ("低保申请交上去没人管", "民政"),
    ("高龄补贴停发了没人说原因", "民政"),
    ("残疾人补贴没按时发", "残联"),
    ("村里账目从来不公开", "乡镇"),
    ("村干部办事推诿，证明开不出来", "乡镇"),
    ("砖厂冒黑烟粉尘很大", "环境"),
    ("养殖场臭味很重", "环境"),
    ("窗口办事让来回跑好几趟", "审批"),
    ("超市卖过期食品不给退", "市监"),
    ("车被乱停的车堵在院子里", "交警"),
    ("征地补偿款一直没发", "自然"),
    ("补贴名单里没有我家", "农业"),
    ("优抚金停发了", "退役"),
]
COMPLAINT_FRAMES = [
    "{place}{core}，已经{dur}了，请有关部门管一管",
    "{place}{core}，{dur}了都没解决",
    "反映个问题：{place}{core}，前后{dur}了",
    "{core}，{dur}了！{place}，到底有没有人管",
    "我是{place}的，{core}，反映过好几次了",
    "{place}这边{core}，希望尽快处理",
    "你好，{place}{core}，{dur}了，麻烦督促一下",
]


def complaints(rng: random.Random, depts: dict) -> list[dict]:
    rows = []
    for core, code in COMPLAINTS:
        dept, topic = depts[code]
        frames = rng.sample(COMPLAINT_FRAMES, 4)
        for frame in frames:
            place = _place(rng, code)
            text = frame.format(place=place, core=core, dur=rng.choice(DURATIONS))
            style = "angry" if "！" in frame else "short"
            rows.append(_row(text, "投诉", dept, topic, "none", style))
    return rows


REPORTS = [
    ("有人在河道里偷偷挖沙", "自然"),
    ("有人在耕地上盖房子", "自然"),
    ("有个厂晚上偷排污水", "环境"),
    ("有人露天焚烧垃圾", "环境"),
    ("有家店卖过期食品", "市监"),
    ("有个无证的小作坊做食品", "市监"),
    ("有人私搭乱建", "执法"),
    ("有人开黑车拉客", "交通"),
    ("有人聚众赌博", "公安"),
    ("有诊所拿别人的医保卡刷药", "医保"),
    ("有人没资质行医", "卫健"),
    ("村干部把低保给了亲戚", "民政"),
    ("有人违规存放液化气罐", "应急"),
    ("有网吧让未成年人上网", "文旅"),
    ("有饭馆吃饭不给开发票", "税务"),
    ("村干部挪用集体资金", "乡镇"),
    ("有人酒后开车", "交警"),
    ("包工头克扣工人工资还威胁人", "人社"),
]
REPORT_FRAMES = [
    "举报：{place}{core}，请查处",
    "{place}{core}，{when}，希望有关部门来查一查",
    "我要举报，{place}{core}",
    "{place}{core}，大家都知道就是没人管",
    "实名不方便，反映{place}{core}",
]
WHEN = ["天天晚上", "最近一个月", "好几年了", "每个礼拜都有", "今年开春以来"]


def reports(rng: random.Random, depts: dict) -> list[dict]:
    rows = []
    for core, code in REPORTS:
        dept, topic = depts[code]
        for frame in rng.sample(REPORT_FRAMES, 4):
            text = frame.format(place=_place(rng, code), core=core, when=rng.choice(WHEN))
            rows.append(_row(text, "举报", dept, topic, "none", "short"))
    return rows


DANGERS = [
    ("着火了，火很大", "应急"),
    ("有人煤烟中毒昏过去了", "卫健"),
    ("燃气泄漏，满屋子味道", "住建"),
    ("有人被车撞了躺在路上", "交警"),
    ("有人拿刀在砍人", "公安"),
    ("老人摔倒了起不来，头在流血", "卫健"),
    ("水漫进屋里了，老人出不来", "应急"),
    ("电线断了掉在地上冒火花", "供电"),
    ("房子塌了有人被压着", "应急"),
    ("有人掉进水渠里了", "应急"),
]
DANGER_FRAMES = [
    "{place}{core}，快来人",
    "快！{place}{core}",
    "救命，{place}{core}，快派人",
    "{core}！！在{place}",
    "{place}刚刚{core}，赶紧来",
]


def dangers(rng: random.Random, depts: dict) -> list[dict]:
    rows = []
    for core, code in DANGERS:
        dept, topic = depts[code]
        for frame in rng.sample(DANGER_FRAMES, 3):
            text = frame.format(place=_place(rng, code), core=core)
            rows.append(_row(text, "求助", dept, topic, "now", "short"))
    return rows


def _place(rng: random.Random, code: str) -> str:
    if code in {"住建", "公安", "执法", "水务", "市监"} and rng.random() < 0.6:
        return rng.choice(ESTATES) + rng.choice(["", "3号楼", "5号楼", "2单元"])
    if code in {"乡镇", "农业", "自然", "环境", "民政"} or rng.random() < 0.5:
        return rng.choice(TOWNS) + rng.choice(VILLAGES)
    return "县城" + rng.choice(STREETS)


def _row(text: str, type_: str, dept: str, topic: str, urgency: str, style: str, kb: bool = False) -> dict:
    row: dict[str, str | bool] = {
        "text": text,
        "type": type_,
        "department": dept,
        "topic": topic,
        "urgency": urgency,
        "style": style,
    }
    if kb:
        row["kb_question"] = True
    return row


def build_templated(rng: random.Random, departments: dict) -> list[dict]:
    rows = kb_questions(rng, departments) + complaints(rng, departments)
    rows += reports(rng, departments) + dangers(rng, departments)
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row["text"] not in seen:
            seen.add(row["text"])
            unique.append(row)
    return unique
