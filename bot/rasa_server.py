"""`python -m bot.rasa_server <rasa arguments>`: Rasa's own command line, with two fixes for Rasa 3.6.

1. Every custom-action response is checked with `jsonschema.validate()`, which re-checks the schema
   itself each time: ~13 ms of CPU per action call, a third of the server's time on our dialogues
   (bench/README.md has the profile). Here the validator is built once; the check itself is unchanged.
2. Rasa's SQL tracker store on SQLite runs without a write-ahead log, so every message waits for a disk
   sync. Its SQLite connections get WAL and synchronous=NORMAL (as our own databases do).

Everything else is `rasa` unchanged: the launcher and the systemd units start the server through here.
"""

from __future__ import annotations

import sys

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bot.common.sqlite import set_pragmas

_validator = None


def _validate_action_result(self, result) -> bool:
    """Same contract as rasa.core.actions.action.RemoteAction._validate_action_result."""
    global _validator
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.shared.constants import DOCS_BASE_URL

    if _validator is None:
        schema = self.action_response_format_spec()
        cls = validator_for(schema)
        cls.check_schema(schema)
        _validator = cls(schema)
    error = best_match(_validator.iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def _sqlite_wal(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        set_pragmas(dbapi_connection)


def apply() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result
    if not event.contains(Engine, "connect", _sqlite_wal):
        event.listen(Engine, "connect", _sqlite_wal)


def main() -> None:
    apply()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
