"""`python -m bot.tickets`: run the backend with uvicorn on BACKEND_HOST:BACKEND_PORT."""

from __future__ import annotations

import copy
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from bot.core.settings import get_settings


def logging_config() -> dict[str, Any]:
    """uvicorn's logging, plus our loggers, with phone/ID/token masking on every handler."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"pii": {"()": "bot.common.privacy.PiiLogFilter"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["pii"]
    config["loggers"]["bot"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    config["loggers"]["alembic"] = {"handlers": ["default"], "level": "WARNING", "propagate": False}
    return config


def main() -> None:
    from bot.app import app

    settings = get_settings()
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=logging_config())


if __name__ == "__main__":
    main()
