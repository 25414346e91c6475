"""Fixtures for the web chat tests: Debian's chromium driven by Playwright (one browser per module), the
page helper, a second backend whose page points at a Rasa URL that is down (a TCP relay we switch on and off)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.settings import ROOT
from tests.support.backend_process import BackendProcess, free_port

SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
PHONE = {"width": 360, "height": 740}

# Spies on browser APIs the page calls but a headless test cannot observe (sound, the print dialog).
SPIES = """
window.__spoken = [];
window.__printed = 0;
if (window.speechSynthesis) {
  const speak = window.speechSynthesis.speak.bind(window.speechSynthesis);
  window.speechSynthesis.speak = (u) => { window.__spoken.push({text: u.text, lang: u.lang}); try { speak(u); } catch (e) {} };
}
window.print = () => { window.__printed += 1; };
"""


class ChatPage:
    """One citizen's browser tab on the chat page, with waits that follow the conversation."""

    BOT = "li.msg.bot[data-entry]"
    USER = "li.msg.user[data-entry]"

    def __init__(self, page, url: str) -> None:
        self.page = page
        self.url = url

    def open(self, transport: str | None = "socket.io") -> ChatPage:
        self.page.goto(self.url)
        if transport:
            self.wait_transport(transport)
        return self

    def wait_transport(self, transport: str, timeout: float = 30) -> None:
        self.page.wait_for_function(
            "(t) => window.haiyuanChat && window.haiyuanChat.transport() === t", arg=transport, timeout=timeout * 1000
        )

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    @property
    def session_id(self) -> str:
        return self.js("() => window.haiyuanChat.sessionId()")

    def count(self, selector: str) -> int:
        return self.page.locator(selector).count()

    def settle(self, before: int, timeout: float = 60, quiet: float = 0.8) -> None:
        """Wait for at least one new bot entry, then until no more arrive for `quiet` seconds."""
        self.page.wait_for_function(
            "([s, n]) => document.querySelectorAll(s).length > n", arg=[self.BOT, before], timeout=timeout * 1000
        )
        last, stable_since = self.count(self.BOT), time.monotonic()
        while time.monotonic() - stable_since < quiet:
            time.sleep(0.1)
            now = self.count(self.BOT)
            if now != last:
                last, stable_since = now, time.monotonic()

    def say(self, text: str) -> list[dict]:
        before = self.count(self.BOT)
        self.page.fill("#message-input", text)
        self.page.press("#message-input", "Enter")
        self.settle(before)
        return self.turn()

    def click(self, locator) -> list[dict]:
        before = self.count(self.BOT)
        locator.click()
        self.settle(before)
        return self.turn()

    def choice(self, title: str):
        """A button under the latest bot message that has buttons."""
        return self.page.locator(f"{self.BOT} .choices").last.get_by_role("button", name=title, exact=True)

    def turn(self) -> list[dict]:
        """The bot entries after the last user bubble: kind, text, button titles."""
        return self.js("""() => {
          const items = [...document.querySelectorAll('li.msg[data-entry]')];
          let i = items.length - 1;
          while (i >= 0 && !items[i].classList.contains('user')) i--;
          return items.slice(i + 1).filter(li => li.classList.contains('bot')).map(li => ({
            kind: li.querySelector('article.checklist') ? 'checklist' : li.querySelector('article.ticket') ? 'ticket'
                : li.querySelector('article.guide') ? 'guide' : li.querySelector('.feedback') ? 'feedback' : 'text',
            text: (li.querySelector('.bubble') || li).innerText.trim(),
            buttons: [...li.querySelectorAll('.choices button')].map(b => b.innerText.trim()),
          }));
        }""")

    def user_texts(self) -> list[str]:
        return self.page.locator(f"{self.USER} .bubble").all_inner_texts()

    def transcript(self) -> list[str]:
        return self.page.locator("li.msg[data-entry]").all_inner_texts()

    def no_horizontal_scroll(self) -> bool:
        return self.js(
            "() => document.documentElement.scrollWidth <= window.innerWidth"
            " && document.body.scrollWidth <= window.innerWidth"
        )

    def screenshot(self, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def open_chat(browser) -> Callable[..., ChatPage]:
    """open_chat(url) → a ChatPage in a fresh browser context (own localStorage, so its own session).
    With opened=False the page is not loaded yet (call .open(transport) yourself, e.g. inside expect_response)."""
    contexts = []

    def factory(url: str, transport: str | None = "socket.io", viewport: dict = PHONE, opened: bool = True) -> ChatPage:
        context = browser.new_context(viewport=viewport, locale="zh-CN")
        context.add_init_script(SPIES)
        contexts.append(context)
        chat = ChatPage(context.new_page(), url)
        return chat.open(transport) if opened else chat

    yield factory
    for context in contexts:
        context.close()


class TcpRelay:
    """A loopback TCP relay to the real Rasa port, switched on and off to simulate the server going away."""

    def __init__(self, target_port: int) -> None:
        self.port = free_port()
        self.target_port = target_port
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port))  # SO_REUSEADDR: restartable on the same port
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        if self._listener:
            self._listener.close()
            self._listener = None
        with self._lock:
            for s in self._sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self._sockets.clear()


@pytest.fixture(scope="module")
def relay(assistant):
    relay = TcpRelay(assistant.settings.rasa_port)  # not started: the page's Rasa is "down"
    yield relay
    relay.stop()


@pytest.fixture(scope="module")
def backend_with_rasa_down(relay, tmp_path_factory):
    """A second real backend whose chat page is configured with the relay's URL as RASA_PUBLIC_URL."""
    backend = BackendProcess(tmp_path_factory.mktemp("web-down"), env={"RASA_PUBLIC_URL": relay.url}).start()
    yield backend
    backend.stop()
