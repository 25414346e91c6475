"""去办理: where a service can be done online, as the knowledge base says it (never an invented address).

A service's `online.channels` are names; their addresses live once in county.yml `online_channels`.
A channel gets a link only when that `url` is a real http(s) address; 待核实 and anything else stay
plain text, with the service's `entry` (how to find it in the app) when it is known.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

PENDING = "待核实"


def real_url(value: Any) -> str | None:
    text = str(value or "").strip()
    parts = urlsplit(text)
    return text if parts.scheme in {"http", "https"} and parts.netloc and PENDING not in text else None


def online_channels(kb: Any, service_id: str) -> dict[str, Any] | None:
    """{"available": True | "待核实", "channels": [{"name", "url" (None unless known)}], "entry": str | None};
    None when the service cannot be done online or names no channel."""
    service = kb.services.get(service_id) or {}
    online: dict[str, Any] = service["online"] if isinstance(service.get("online"), dict) else {}
    if online.get("available") is False or not online.get("channels"):
        return None
    county = kb.county.get("online_channels") if isinstance(kb.county.get("online_channels"), list) else []
    known = {str(c.get("name")): c for c in county if isinstance(c, dict) and c.get("name")}
    entry = str(online.get("entry") or "").strip()
    return {
        "available": True if online.get("available") is True else PENDING,
        "channels": [
            {"name": str(name), "url": real_url(known.get(str(name), {}).get("url"))} for name in online["channels"]
        ],
        "entry": entry if entry and PENDING not in entry else None,
    }


def offers_a_way(online: dict[str, Any]) -> bool:
    """Worth a 去办理 card: a link, a known entry, or channels confirmed to work (not only 待核实 names)."""
    return online["available"] is True or bool(online["entry"]) or any(c["url"] for c in online["channels"])
