"""Sealed personal data outside the ticket store: phone and ID numbers in Rasa's tracker store.

`seal(text)` → "sealed:v1:<Fernet token>" (AES-128-CBC + HMAC-SHA256, from `cryptography`); `unseal`
reverses it. The key is TRACKER_ENCRYPTION_KEY (production: the same for every Rasa instance and the
backend), else var/secrets/tracker_key, generated once (mode 600). Without the key a sealed value is
unreadable; a value that cannot be opened comes back as None (logged, never raised).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from bot.common.paths import env
from bot.common.paths import var_dir as default_var_dir
from bot.core.security import load_or_create_token

log = logging.getLogger(__name__)
PREFIX = "sealed:v1:"


class Vault:
    def __init__(self, key: str | bytes):
        self._fernet = Fernet(key.encode("ascii") if isinstance(key, str) else key)

    def seal(self, text: str) -> str:
        return PREFIX + self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def unseal(self, value: str) -> str | None:
        try:
            return self._fernet.decrypt(value[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except (InvalidToken, ValueError):
            log.warning("无法解密一条受保护的对话数据（密钥不同或数据损坏）")
            return None


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def key_file(var_dir: Path | None = None) -> Path:
    return (var_dir or default_var_dir()) / "secrets" / "tracker_key"


def load_or_create_key(path: Path) -> str:
    return load_or_create_token(path, lambda: Fernet.generate_key().decode("ascii"))


@lru_cache(maxsize=4)
def vault_for(configured_key: str, path: Path) -> Vault:
    return Vault(configured_key or load_or_create_key(path))


def get_vault() -> Vault:
    """The vault of this process: TRACKER_ENCRYPTION_KEY, else var/secrets/tracker_key (created if missing)."""
    return vault_for(env("TRACKER_ENCRYPTION_KEY").strip(), key_file())
