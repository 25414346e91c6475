"""The chat page and its assets: served by the real backend without a token, nothing fetched from elsewhere.

Fast: one backend process, no Rasa, no browser.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
import requests

from bot.web.routes import STATIC_DIR
from tests.support.backend_process import BackendProcess

RASA_PUBLIC_URL = "http://127.0.0.1:5999"

# http(s) strings in assets that are not references to anything fetched:
NOT_REFERENCES = {
    "http://www.w3.org/2000/svg",  # the SVG namespace name
    "https://socket.io/docs/v3/migrating-from-2-x-to-3-0/",  # text of an error message in socket.io.min.js
}


class References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    process = BackendProcess(tmp_path_factory.mktemp("web-assets"), env={"RASA_PUBLIC_URL": RASA_PUBLIC_URL}).start()
    yield process
    process.stop()


def test_page_and_assets_are_served_without_a_token(backend):
    for path in ("/", "/chat"):
        page = requests.get(backend.url + path, timeout=10)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert '<html lang="zh-CN">' in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy
        assert f"connect-src 'self' {RASA_PUBLIC_URL} ws://127.0.0.1:5999" in policy

    parser = References()
    parser.feed(page.text)
    assert {"static/chat.js", "static/chat.css", "static/vendor/socket.io.min.js", "chat-config.js"} <= set(parser.urls)
    types = {".js": "javascript", ".css": "text/css", ".svg": "image/svg+xml"}
    for url in (u for u in parser.urls if not u.startswith("#")):
        response = requests.get(urljoin(backend.url + "/chat", url), timeout=10)
        assert response.status_code == 200, url
        assert types[url[url.rindex(".") :]] in response.headers["content-type"], url

    config = requests.get(backend.url + "/chat-config.js", timeout=10)
    assert config.headers["cache-control"] == "no-store"
    assert f'"rasaUrl": "{RASA_PUBLIC_URL}"' in config.text

    # The page is public; the tickets API next to it is not.
    assert requests.get(backend.url + "/api/tickets", timeout=10).status_code == 401


def test_static_files_stay_inside_the_static_folder(backend):
    for path in ("/static/%2e%2e/routes.py", "/static/..%2fapp.py", "/static/", "/static/missing.js"):
        assert requests.get(backend.url + path, timeout=10).status_code == 404, path


def test_no_asset_references_an_external_url():
    files = [p for p in STATIC_DIR.rglob("*") if p.suffix in {".html", ".css", ".js", ".svg"}]
    assert len(files) >= 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        found = set(re.findall(r"https?://[^\s\"'()<>]+", text)) - NOT_REFERENCES
        assert not found, f"{path.relative_to(STATIC_DIR)} references {found}"
        assert not re.search(r"""(src|href)\s*=\s*["']//""", text), path  # protocol-relative URLs
        assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", text), path
    # Only our own scripts and styles are loaded (the CSP would block anything else anyway).
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    parser = References()
    parser.feed(page)
    assert parser.urls and all(not re.match(r"^[a-z]+:", url) for url in parser.urls), parser.urls


@pytest.mark.e2e  # a subprocess of its own
def test_a_wildcard_bind_address_becomes_the_host_the_browser_used(tmp_path):
    backend = BackendProcess(tmp_path, env={"RASA_PUBLIC_URL": "http://0.0.0.0:5005"}).start()
    try:
        host = {"Host": "192.0.2.7:8000"}  # as if the browser had come through that address
        config = requests.get(backend.url + "/chat-config.js", headers=host, timeout=10)
        page = requests.get(backend.url + "/chat", headers=host, timeout=10)
    finally:
        backend.stop()
    assert '"rasaUrl": "http://192.0.2.7:5005"' in config.text
    assert "connect-src 'self' http://192.0.2.7:5005 ws://192.0.2.7:5005" in page.headers["content-security-policy"]
