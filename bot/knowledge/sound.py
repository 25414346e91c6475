"""What a citizen meant by the sound of the words: dictation slips and pinyin-only input.

Both compare toneless pinyin (pypinyin) with the words the knowledge base knows — service names, short
names, aliases and keywords, the emergency words of safety.yml, the fixed domain words and the everyday
question words of pinyin_words.txt — instead of listing slips one by one:

- `fix_slips(text)`: a run of whole jieba tokens that is not itself a word (jieba's dictionary) but sounds
  exactly like a known word is replaced by it, same length (一保报销 → 医保报销, 户口前移 → 户口迁移);
  a real word is left alone (买了一包烟, 养家糊口). Longest first.
- `from_pinyin(text)`: input in pinyin letters only ("shebaoka diule zenme buban") read as characters:
  the letters are split into syllables, runs of syllables become known words, and a syllable no known
  word covers gets its most frequent character (pinyin_syllables.txt).

    lexicon = SoundLexicon.for_knowledge_base(kb)      # cached per knowledge-base version
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pypinyin import lazy_pinyin

from bot.knowledge.safety import SafetyRules
from bot.knowledge.words import domain_words, item_words

if TYPE_CHECKING:
    from bot.knowledge.loader import KnowledgeBase

HERE = Path(__file__).resolve().parent
MAX_WORD = 8  # syllables / characters of the longest word looked up
_HAN = re.compile(r"[\u4e00-\u9fff]+")
# A run starting with a negation is what it says: 不办了 is "not doing it", never a slip of 补办了.
NEGATIONS = set("不没别未")
_PINYIN_ONLY = re.compile(r"^[a-zA-Z\s'’,.?!，。？！、]+$")


def _word_file(name: str) -> list[str]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [w for line in lines if not line.lstrip().startswith("#") for w in line.split()]


def _syllable_chars() -> dict[str, str]:
    lines = (HERE / "pinyin_syllables.txt").read_text(encoding="utf-8").splitlines()
    pairs = [line.split() for line in lines if line.strip() and not line.startswith("#")]
    table = {syllable: char for syllable, char in pairs}
    table.update({"lue": table["lve"], "nue": table["nve"]})  # how people type 略 and 虐
    return table


SYLLABLES = _syllable_chars()
_MAX_SYLLABLE = max(map(len, SYLLABLES))


@lru_cache(maxsize=8192)
def char_sound(ch: str) -> str:
    return lazy_pinyin(ch)[0]


def sound(word: str) -> tuple[str, ...]:
    return tuple(char_sound(ch) for ch in word)


def split_syllables(letters: str) -> list[str] | None:
    """The split of a run of letters into the fewest syllables, or None when it is not pinyin."""
    letters = letters.lower()
    best: list[list[str] | None] = [[]] + [None] * len(letters)
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - _MAX_SYLLABLE), end):
            head, piece = best[start], letters[start:end]
            if head is not None and piece in SYLLABLES:
                current = best[end]
                if current is None or len(head) + 1 < len(current):
                    best[end] = head + [piece]
    return best[-1]


def _jieba() -> Any:  # jieba's default Tokenizer (jieba ships no types)
    import jieba

    jieba.dt.check_initialized()
    return jieba.dt


def _is_word(text: str) -> bool:
    """A word of jieba's dictionary (一包, 糊口): a real word is never taken for a slip."""
    return bool(_jieba().FREQ.get(text))


class SoundLexicon:
    def __init__(self, words: Iterable[str], pinyin_only: Iterable[str] = ()):
        self.by_sound: dict[tuple[str, ...], str] = {}
        self.words: set[str] = set()
        # Words read from pinyin (jiuming → 救命) but never made of a slip: the safety words, which pre-empt the
        # conversation. By sound, 那倒不是 became 拿刀不是 (emergency numbers) and 这条河 became 这跳河 (self-harm).
        self.pinyin_only: set[str] = set(pinyin_only)
        for word in words:
            if 1 <= len(word) <= MAX_WORD and _HAN.fullmatch(word) and word not in self.words:
                self.words.add(word)
                # character by character (as slips are heard) and as a phrase (行 in 银行 is hang)
                for key in (sound(word), tuple(lazy_pinyin(word))):
                    self.by_sound.setdefault(key, word)  # first listed wins (knowledge base first)
        self.lengths = sorted({len(key) for key in self.by_sound}, reverse=True)
        self.starts = {key[:2] for key in self.by_sound if len(key) >= 2}  # first two syllables of a word

    @classmethod
    def for_knowledge_base(cls, kb: KnowledgeBase) -> SoundLexicon:
        lexicon: SoundLexicon = kb.derived("sound_lexicon", _build)
        return lexicon

    # ------------------------------------------------------------ dictation slips
    def fix_slips(self, text: str) -> str:
        """Same length: runs that sound like a known word (two characters or more) become that word."""
        if not text or not _HAN.search(text):
            return text
        chars = list(text)
        for run in _HAN.finditer(text):
            start, end = run.span()
            sounds = [char_sound(ch) for ch in run.group()]
            if not any(pair in self.starts for pair in zip(sounds, sounds[1:], strict=False)):
                continue  # no known word can start anywhere in this run (most of a long letter)
            cuts, at = {start}, start
            for token in _jieba().lcut(run.group(), HMM=False):
                at += len(token)
                cuts.add(at)
            i = start
            while i < end:
                i += self._fix_at(text, chars, sounds, cuts, start, i)
        return "".join(chars)

    def _fix_at(self, text: str, chars: list[str], sounds: list[str], cuts: set[int], start: int, i: int) -> int:
        """Replace the longest slip starting at i; returns how many characters to move on.

        A slip spans whole jieba tokens (户口|前移 → 户口迁移), never part of one (养家糊口|不 stays)."""
        end = start + len(sounds)
        if i + 1 >= end or (sounds[i - start], sounds[i - start + 1]) not in self.starts:
            return 1
        for length in (n for n in self.lengths if 2 <= n <= end - i):
            window = text[i : i + length]
            if window in self.words:
                return length  # already a known word
            if i not in cuts or i + length not in cuts:
                continue
            word = self.by_sound.get(tuple(sounds[i - start : i - start + length]))
            if word in self.pinyin_only or window[0] in NEGATIONS:
                continue
            if word and not _is_word(window):
                chars[i : i + length] = word
                return length
        return 1

    # ------------------------------------------------------------ pinyin input
    def from_pinyin(self, text: str) -> str | None:
        """Characters for a message written only in pinyin, or None when it is not pinyin."""
        if not text or not _PINYIN_ONLY.match(text):
            return None
        syllables: list[str] = []
        for token in re.findall(r"[a-zA-Z]+", text):
            split = split_syllables(token)
            if split is None:
                return None
            syllables += split
        if len(syllables) < 2:
            return None
        # fewest syllables left to a bare character, then fewest pieces (我|家|着火|了, not 我|驾照|火|了)
        best: list[tuple[int, int, list[str]] | None] = [(0, 0, [])] + [None] * len(syllables)
        for i in range(len(syllables)):
            here = best[i]
            if here is None:
                continue
            bare, pieces, words = here
            options = [(1, SYLLABLES[syllables[i]], 1)]
            for n in self.lengths:
                word = self.by_sound.get(tuple(syllables[i : i + n])) if i + n <= len(syllables) else None
                if word:
                    options.append((0, word, n))
            for cost, word, n in options:
                candidate = (bare + cost, pieces + 1, [*words, word])
                there = best[i + n]
                if there is None or candidate[:2] < there[:2]:
                    best[i + n] = candidate
        final = best[-1]
        if final is None or 2 * final[0] > len(syllables) or all(len(word) < 2 for word in final[2]):
            return None  # no known word of two syllables, or mostly bare syllables (haha, ma ma): not read
        return "".join(final[2])


def _build(kb: KnowledgeBase) -> SoundLexicon:
    words = [w for items in (kb.services, kb.bundles) for data in items.values() for w in item_words(data)]
    safety: list[str] = []
    try:  # the emergency words too, so that 救命 typed as jiuming still reaches the safety net
        rules = SafetyRules.load(kb.root)
        safety = [str(w) for entry in rules.emergencies for w in entry.get("words") or []] + rules.self_harm_words
    except (OSError, ValueError):
        pass
    # Safety words come last: an everyday word of the same sound wins (neng na dao is 能拿到, not 能拿刀).
    homophones = _word_file("pinyin_homophones.txt")
    everyday = words + domain_words() + _word_file("pinyin_words.txt") + homophones
    return SoundLexicon(everyday + safety, pinyin_only=safety + homophones)
