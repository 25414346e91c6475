"""Alibaba Cloud RPC API signature, version 1.0 (HMAC-SHA1), as documented for SMS (dysmsapi) and every
RPC-style API:

1. every parameter but Signature, sorted by name; name and value percent-encoded (UTF-8, RFC 3986: only
   A–Z a–z 0–9 - _ . ~ stay as they are, so a space is %20, * is %2A, ~ stays ~), joined as name=value with &;
2. StringToSign = HTTP method & percentEncode("/") & percentEncode(that query string);
3. Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign)).

The local SMS stand-in (tests/support/aliyun_sms_standin.py) recomputes it with these same functions' rules
written out again, and refuses a request whose signature differs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from urllib.parse import quote


def percent_encode(value: str) -> str:
    return quote(value, safe="-_.~", encoding="utf-8")


def canonical_query(params: Mapping[str, str]) -> str:
    pairs = sorted((k, v) for k, v in params.items() if k != "Signature")
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in pairs)


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    return f"{method.upper()}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"


def sign(method: str, params: Mapping[str, str], access_key_secret: str) -> str:
    digest = hmac.new(
        f"{access_key_secret}&".encode(), string_to_sign(method, params).encode("utf-8"), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode("ascii")
