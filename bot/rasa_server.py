"""`python -m bot.rasa_server <rasa arguments>`: Rasa's own command line, with these fixes for Rasa 3.6
and one refusal.

1. Every custom-action response is checked with `jsonschema.validate()`, which re-checks the schema
   itself each time: ~13 ms of CPU per action call, a third of the server's time on our dialogues
   (bench/README.md has the profile). Here the validator is built once; the check itself is unchanged.
2. Rasa's SQL tracker store on SQLite runs without a write-ahead log, so every message waits for a disk
   sync. Its SQLite connections get WAL and synchronous=NORMAL (as our own databases do).
3. Log records: phones, ID numbers and tokens masked, each message and traceback cut to 2,000
   characters, and an invalid action response reported without the response itself, so an action
   error never writes the conversation into rasa.log.
4. Every turn ends in a reply: a failed action answers 「系统正忙」 and a tripped action loop no longer
   leaves the conversation stuck (bot/dialogue_guard.py).
5. Sanic accepts request bodies of up to 100 MB: here the limit is bot/web/edge.py MAX_BODY_BYTES
   (SANIC_REQUEST_MAX_SIZE overrides it), so a huge body is refused with 413 before it is read.

6. The loaded model parses one message before the server reports ready: jieba builds its prefix dictionary
   and TensorFlow its graphs on the first parse (seconds, holding the event loop), which would otherwise
   fall on the first citizen — on WeChat, past the 5-second limit for every message waiting behind it.

Refused: `run --enable-api` on an address beyond loopback without `--auth-token`: anyone who reaches
the port could read every conversation, write events into it or delete the model.

Everything else is `rasa` unchanged: the launcher and the systemd units start the server through here.
"""

from __future__ import annotations

import os
import sys

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.common.privacy import install_record_masking
from bot.common.sqlite import set_pragmas

_validator = None


def _validate_action_result(self, result) -> bool:
    """Same contract as rasa.core.actions.action.RemoteAction._validate_action_result."""
    global _validator
    from jsonschema.exceptions import ValidationError, best_match
    from jsonschema.validators import validator_for
    from rasa.shared.constants import DOCS_BASE_URL

    if _validator is None:
        schema = self.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    error = best_match(_validator.iter_errors(result))
    if error is not None:
        # Only the message and where: the error itself would print the whole response (the
        # conversation's slots and replies) into the log when Rasa logs the exception.
        where = "/".join(str(part) for part in error.absolute_path) or "(root)"
        raise ValidationError(
            f"Invalid value at {where} (expected {error.validator}: {str(error.validator_value)[:100]}). Failed to validate Action server response from API, make sure "
            f"your response from the Action endpoint is valid. For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
    return True


WARM_UP_TEXT = "你好，身份证丢了咋补办"


def _warmed_up(load_agent_on_start):
    async def load_and_warm_up(*args, **kwargs):
        agent = await load_agent_on_start(*args, **kwargs)
        if agent is not None and agent.is_ready():
            await agent.parse_message(WARM_UP_TEXT)  # NLU only: no tracker, nothing stored
        return agent

    load_and_warm_up.warms_up = True  # type: ignore[attr-defined]
    return load_and_warm_up


def _sqlite_wal(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        set_pragmas(dbapi_connection)


def apply() -> None:
    from rasa.core.actions.action import RemoteAction

    install_record_masking()  # 3. no phones, ID numbers or conversation dumps in rasa.log
    from bot import dialogue_guard
    from bot.web.edge import MAX_BODY_BYTES

    dialogue_guard.apply()
    os.environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY_BYTES))

    RemoteAction._validate_action_result = _validate_action_result
    from rasa.core import run

    if not getattr(run.load_agent_on_start, "warms_up", False):  # 6. the first parse before "ready"
        run.load_agent_on_start = _warmed_up(run.load_agent_on_start)
    if not event.contains(Engine, "connect", _sqlite_wal):
        event.listen(Engine, "connect", _sqlite_wal)


LOOPBACK = {"127.0.0.1", "localhost", "::1"}
OPEN_API_REFUSED = (
    "拒绝启动：Rasa 的 HTTP 接口（--enable-api）要监听 {interface}，却没有设置访问令牌。"
    "任何能连到这个端口的人都能读取和改写所有对话、删除模型。"
    "请设置 RASA_AUTH_TOKEN（python3 -m bot run 会自动生成在 var/secrets/rasa_token），"
    "或只监听 127.0.0.1。"
)


def open_api_refusal(argv: list[str]) -> str | None:
    """The message that refuses `run --enable-api` beyond loopback without a token, else None."""
    if not argv or argv[0] != "run":
        return None
    from rasa.__main__ import create_argument_parser

    args = create_argument_parser().parse_args(argv)
    interface = getattr(args, "interface", None) or "0.0.0.0"  # Rasa's own default is every address
    if getattr(args, "enable_api", False) and not getattr(args, "auth_token", None) and interface not in LOOPBACK:
        return OPEN_API_REFUSED.format(interface=interface)
    return None


def main() -> None:
    refusal = open_api_refusal(sys.argv[1:])
    if refusal:
        sys.exit(refusal)
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
