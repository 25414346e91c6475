"""jieba tokens with the project's dictionary (data/jieba/userdict.txt), and the similarity of two messages.

The tokens are the ones Rasa's JiebaTokenizer sees (same dictionary, default mode), so entity spans
chosen on them line up with what the model is trained on. Similarity: Jaccard over the set of jieba
tokens plus character bigrams, which copes with 咋办 / 怎么办 style variation.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import jieba

jieba.setLogLevel(logging.WARNING)

USERDICT = Path("data") / "jieba" / "userdict.txt"
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_NUMBERS = re.compile(r"[\d*]+")  # phone/ID numbers (masked or not) say nothing about the question
STOPWORDS = frozenset(
    "的 了 吗 呢 啊 呀 吧 么 嘛 我 你 他 她 是 在 有 就 都 也 和 要 想 请 问 一下 一个 这个 那个 怎么 咋".split()
)
GROUP_THRESHOLD = 0.4


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


class ProjectTokenizer:
    """A private jieba.Tokenizer (the global one stays untouched) reloaded when the dictionary changes."""

    def __init__(self, project_dir: Path):
        self.path = project_dir / USERDICT
        self._lock = threading.Lock()
        self._tokenizer: jieba.Tokenizer | None = None
        self._mtime: int | None = None

    def _current(self) -> jieba.Tokenizer:
        try:
            mtime = self.path.stat().st_mtime_ns
        except OSError:
            mtime = None
        with self._lock:
            if self._tokenizer is None or mtime != self._mtime:
                tokenizer = jieba.Tokenizer()
                if mtime is not None:
                    tokenizer.load_userdict(str(self.path))
                self._tokenizer, self._mtime = tokenizer, mtime
            return self._tokenizer

    def tokens(self, text: str) -> list[Token]:
        tokenizer = self._current()
        return [Token(word, start, end) for word, start, end in tokenizer.tokenize(text) if word.strip()]


def features(text: str, tokens: Iterable[Token]) -> set[str]:
    words = {
        t.text
        for t in tokens
        if not _PUNCT.fullmatch(t.text) and not _NUMBERS.fullmatch(t.text) and t.text not in STOPWORDS
    }
    compact = _PUNCT.sub("", _NUMBERS.sub("", text))
    bigrams = {compact[i : i + 2] for i in range(len(compact) - 1)}
    return words | bigrams | ({compact} if len(compact) == 1 else set())


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
