"""Chinese names of the assistant's intents, for staff pages (the English name stays as the value)."""

from __future__ import annotations

INTENT_LABELS = {
    "greet": "打招呼",
    "goodbye": "再见",
    "thanks": "感谢",
    "affirm": "肯定",
    "deny": "否定",
    "help": "求助菜单",
    "human_handoff": "转人工",
    "bad_input": "无法识别的输入",
    "long_message": "长信",
    "answer_unhelpful": "答案没用",
    "answer_helpful": "答案有用",
    "choose_option": "选编号",
    "emergency": "紧急情况",
    "self_harm": "自伤风险",
    "abuse": "辱骂",
    "cancel_handoff": "取消转人工",
    "request_callback": "预约回电",
    "chitchat": "闲聊",
    "out_of_scope": "超出范围",
    "menu_services": "菜单：办事咨询",
    "menu_bundles": "菜单：一件事一次办",
    "check_ticket": "查询工单",
    "start_complaint": "投诉建议",
    "elderly_mode_on": "打开长辈模式",
    "elderly_mode_off": "关闭长辈模式",
    "ask_hotline": "问热线电话",
    "ask_service": "问办事指南",
    "ask_materials": "问材料",
    "ask_fee": "问收费",
    "ask_time_limit": "问办理时限",
    "ask_place": "问办理地点",
    "ask_online": "问网上办理",
    "ask_eligibility": "问办理条件",
    "ask_steps": "问办理流程",
    "ask_more": "看全部",
    "start_bundle": "一件事一次办",
    "cancel": "取消",
    "change_answer": "修改回答",
    "bundle_why_skipped": "问为何跳过",
    "show_checklist": "看办事清单",
    "rate_ticket": "评价工单",
    "nlu_fallback": "没听懂",
}


def intent_label(name: str | None) -> str:
    """ "问材料" for ask_materials; an intent without a Chinese name (a new one staff added) shows as is."""
    if not name:
        return "—"
    return INTENT_LABELS.get(name, name)
