"""Who on the staff side hears of deadlines: a YAML file (NOTIFY_CONTACTS_PATH), re-read when it changes.

    departments:
      海原县住房和城乡建设局:
        - {id: zhujian-duty, name: 住建局值班, channel: sms, address: "139…"}
    dispatcher:
      - {id: dispatch-duty, name: 派单员值班, channel: sms, address: "139…"}

`channel` is sms (a mobile number), wechat (the staff member's openid of the 公众号) or wecom (the member id in
企业微信, HAIYUAN_WECOM_*). No file: the warnings
are shown in the console only. Addresses stay in this file: the outbox keeps the contact id.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.notify.models import SMS, WECHAT, WECOM

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Contact:
    id: str
    name: str
    channel: str
    address: str


@dataclass(frozen=True)
class Contacts:
    departments: dict[str, tuple[Contact, ...]]
    dispatcher: tuple[Contact, ...]

    def by_id(self, contact_id: str) -> Contact | None:
        for contact in self.dispatcher + tuple(c for group in self.departments.values() for c in group):
            if contact.id == contact_id:
                return contact
        return None


EMPTY = Contacts({}, ())


def parse_contacts(data: object) -> Contacts:
    if not data:
        return EMPTY
    if not isinstance(data, dict):
        raise ValueError("文件内容应为映射：departments 和 dispatcher")

    def contacts(items: object, where: str) -> tuple[Contact, ...]:
        if not isinstance(items, list):
            raise ValueError(f"{where}: 应为联系人列表")
        result = []
        for item in items:
            if not isinstance(item, dict) or not all(
                str(item.get(k) or "").strip() for k in ("id", "channel", "address")
            ):
                raise ValueError(f"{where}: 每个联系人需要 id、channel、address")
            channel = str(item["channel"]).strip()
            if channel not in {SMS, WECHAT, WECOM}:
                raise ValueError(f"{where}: channel 只能是 sms、wechat 或 wecom")
            result.append(
                Contact(
                    str(item["id"]).strip(),
                    str(item.get("name") or item["id"]).strip(),
                    channel,
                    str(item["address"]).strip(),
                )
            )
        return tuple(result)

    departments = data.get("departments") or {}
    if not isinstance(departments, dict):
        raise ValueError("departments: 应为 部门名称 → 联系人列表")
    return Contacts(
        {str(name): contacts(items, f"departments.{name}") for name, items in departments.items()},
        contacts(data.get("dispatcher") or [], "dispatcher"),
    )


class ContactsFile:
    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        self._mtime: float | None = None
        self._contacts = EMPTY

    def get(self) -> Contacts:
        with self._lock:
            try:
                mtime = self.path.stat().st_mtime
            except OSError:
                self._mtime, self._contacts = None, EMPTY
                return EMPTY
            if mtime != self._mtime:
                try:
                    self._contacts = parse_contacts(yaml.safe_load(self.path.read_text(encoding="utf-8")))
                except (OSError, ValueError, yaml.YAMLError) as error:
                    log.error("通知联系人文件 %s 有误，继续使用上次的内容：%s", self.path, error)
                self._mtime = mtime
            return self._contacts
