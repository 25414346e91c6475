"""`python -m bot.tickets`: run the backend with uvicorn on BACKEND_HOST:BACKEND_PORT.

X-Forwarded-For / X-Forwarded-Proto are believed only from the proxies in TRUSTED_PROXIES (comma-separated
addresses, e.g. the local nginx: 127.0.0.1); by default from nobody, so a client cannot pick the address
the login and status-query limits count on. (uvicorn alone would trust them from 127.0.0.1.)
"""

from __future__ import annotations

import copy
import os
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
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=logging_config(), **proxy_options())


def proxy_options() -> dict[str, Any]:
    trusted = ",".join(p.strip() for p in os.environ.get("TRUSTED_PROXIES", "").split(",") if p.strip())
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted or None}


if __name__ == "__main__":
    main()
