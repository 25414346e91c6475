"""Notice settings, read once from environment variables (all optional: without SMS credentials the SMS
channel is off and such notices wait as failed, visible and retryable in the console).

| variable | default | what |
|---|---|---|
| `NOTIFY_INTERVAL_SECONDS` | 5 | how often the worker delivers due notices (0: off) |
| `NOTIFY_MAX_ATTEMPTS` | 6 | attempts before a notice counts as failed (staff may press 重新发送) |
| `NOTIFY_BACKOFF` | 10/1800 | first and longest wait between attempts (seconds, doubling) |
| `NOTIFY_LEASE_SECONDS` | 60 | a notice being sent by a backend that died is taken up again after this |
| `NOTIFY_DEADLINE_INTERVAL_SECONDS` | 600 | how often deadlines are checked (0: off) |
| `NOTIFY_DIGEST_HOUR` | 8 | from this hour (China time) the dispatcher's daily digest is made (24: never) |
| `NOTIFY_CONTACTS_PATH` | `var/notify_contacts.yml` | department and dispatcher contacts (deploy/notify_contacts.example.yml) |
| `ALIYUN_SMS_ACCESS_KEY_ID`, `ALIYUN_SMS_ACCESS_KEY_SECRET` | — | Alibaba Cloud SMS credentials (RAM user with dysms:SendSms) |
| `ALIYUN_SMS_SIGN_NAME` | — | the approved SMS signature (签名) |
| `ALIYUN_SMS_TEMPLATE_STATUS`, `ALIYUN_SMS_TEMPLATE_WARNING`, `ALIYUN_SMS_TEMPLATE_DIGEST` | — | approved template codes |
| `ALIYUN_SMS_ENDPOINT` | `https://dysmsapi.aliyuncs.com/` | the API endpoint (tests: a local stand-in) |
| `HAIYUAN_WECHAT_APPID`, `HAIYUAN_WECHAT_APPSECRET`, `HAIYUAN_WECHAT_API_BASE` | —, —, `https://api.weixin.qq.com` | the 公众号 (shared with the channel, docs/wechat.md) |
| `HAIYUAN_WECHAT_TEMPLATE_STATUS`, `…_WARNING`, `…_DIGEST` | — | template message ids (模板消息) per notice kind |
| `HAIYUAN_WECOM_CORPID`, `HAIYUAN_WECOM_AGENTID`, `HAIYUAN_WECOM_SECRET`, `HAIYUAN_WECOM_API_BASE` | —, —, —, `https://qyapi.weixin.qq.com` | 企业微信 application for staff warnings (contacts with channel wecom) |
| `HAIYUAN_WECHAT_TEMPLATE_FIELDS` | none | renames of the variables for the account's templates, e.g. `number=character_string1,status=phrase2` |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.common.paths import env
from bot.common.paths import var_dir as default_var_dir


@dataclass(frozen=True)
class AliyunSmsSettings:
    access_key_id: str
    access_key_secret: str
    sign_name: str
    templates: dict[str, str]  # notice kind (status, warning, digest) → template code
    endpoint: str = "https://dysmsapi.aliyuncs.com/"
    region_id: str = "cn-hangzhou"
    timeout_seconds: float = 5.0

    @property
    def configured(self) -> bool:
        return bool(self.access_key_id and self.access_key_secret and self.sign_name and self.templates)


@dataclass(frozen=True)
class WeChatTemplateSettings:
    appid: str
    secret: str
    templates: dict[str, str]  # notice kind → template id
    fields: dict[str, str] = field(default_factory=dict)  # our variable → the template's variable
    api_base: str = "https://api.weixin.qq.com"

    @property
    def configured(self) -> bool:
        return bool(self.appid and self.secret and self.templates)


@dataclass(frozen=True)
class WeComSettings:
    corp_id: str
    agent_id: int
    secret: str
    api_base: str = "https://qyapi.weixin.qq.com"

    @property
    def configured(self) -> bool:
        return bool(self.corp_id and self.agent_id and self.secret)


def _pairs(text: str) -> dict[str, str]:
    pairs = (item.partition("=") for item in text.split(",") if "=" in item)
    return {name.strip(): value.strip() for name, _, value in pairs if name.strip() and value.strip()}


def _templates(prefix: str) -> dict[str, str]:
    found = {kind: env(f"{prefix}_{kind.upper()}") for kind in ("status", "warning", "digest")}
    return {kind: code for kind, code in found.items() if code}


@dataclass(frozen=True)
class NotifySettings:
    interval_seconds: float = 5.0
    max_attempts: int = 6
    backoff: tuple[float, float] = (10.0, 1800.0)
    lease_seconds: float = 60.0  # a claimed notice whose worker died is taken up again after this
    batch: int = 20
    deadline_interval_seconds: float = 600.0
    digest_hour: int = 8
    contacts_path: Path = field(default_factory=lambda: default_var_dir() / "notify_contacts.yml")
    sms: AliyunSmsSettings | None = None
    wechat: WeChatTemplateSettings | None = None
    wecom: WeComSettings | None = None

    @classmethod
    def from_env(cls) -> NotifySettings:
        first, _, longest = env("NOTIFY_BACKOFF", "10/1800").partition("/")
        sms = AliyunSmsSettings(
            access_key_id=env("ALIYUN_SMS_ACCESS_KEY_ID"),
            access_key_secret=env("ALIYUN_SMS_ACCESS_KEY_SECRET"),
            sign_name=env("ALIYUN_SMS_SIGN_NAME"),
            templates=_templates("ALIYUN_SMS_TEMPLATE"),
            endpoint=env("ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com/"),
        )
        wechat = WeChatTemplateSettings(
            appid=env("HAIYUAN_WECHAT_APPID"),
            secret=env("HAIYUAN_WECHAT_APPSECRET"),
            templates=_templates("HAIYUAN_WECHAT_TEMPLATE"),
            fields=_pairs(env("HAIYUAN_WECHAT_TEMPLATE_FIELDS")),
            api_base=env("HAIYUAN_WECHAT_API_BASE", "https://api.weixin.qq.com"),
        )
        wecom = WeComSettings(
            corp_id=env("HAIYUAN_WECOM_CORPID"),
            agent_id=int(env("HAIYUAN_WECOM_AGENTID", "0")),
            secret=env("HAIYUAN_WECOM_SECRET"),
            api_base=env("HAIYUAN_WECOM_API_BASE", "https://qyapi.weixin.qq.com"),
        )
        return cls(
            interval_seconds=float(env("NOTIFY_INTERVAL_SECONDS", "5")),
            max_attempts=int(env("NOTIFY_MAX_ATTEMPTS", "6")),
            backoff=(float(first), float(longest or first)),
            lease_seconds=float(env("NOTIFY_LEASE_SECONDS", "60")),
            deadline_interval_seconds=float(env("NOTIFY_DEADLINE_INTERVAL_SECONDS", "600")),
            digest_hour=int(env("NOTIFY_DIGEST_HOUR", "8")),
            contacts_path=Path(env("NOTIFY_CONTACTS_PATH", str(default_var_dir() / "notify_contacts.yml"))),
            sms=sms if sms.configured else None,
            wechat=wechat if wechat.configured else None,
            wecom=wecom if wecom.configured else None,
        )

    def delay_after(self, attempts: int) -> float:
        """The wait before the next attempt after `attempts` failed ones: first, doubling, up to longest."""
        first, longest = self.backoff
        return float(min(longest, first * 2 ** max(attempts - 1, 0)))
