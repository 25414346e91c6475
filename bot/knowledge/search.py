"""Resolve a citizen's free text to services and bundles.

1. Exact: every name, short name or alias occurring in the text (longest first, non-overlapping),
   so "身份证补办和结婚登记" gives both services, in the order they were mentioned.
2. Otherwise ranked retrieval: BM25 over jieba words and character uni-/bi-/skip-grams of each item's
   names, aliases and keywords, so typos and new phrasings still land near the right item.
3. Plus one-typo matching of names and aliases (社宝卡 → 社保卡), which character n-grams miss in
   short words. Before all three, words that sound like a known word are read as it (一保 → 医保,
   bot/knowledge/sound.py).

Candidate scores: 1.0 for exact names, (n-1)/n for a one-typo match of an n-character name, the BM25
score otherwise; only their order within one result matters.
The index is built once per knowledge-base version (`KnowledgeBase.derived`), not per query.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import jieba

from bot.knowledge.loader import BUNDLE, SERVICE, KnowledgeBase
from bot.knowledge.schema import item_labels
from bot.knowledge.sound import SoundLexicon
from bot.knowledge.text import normalize
from bot.knowledge.words import JIEBA_FREQ, item_words, knowledge_words

EXACT, CONFIDENT, AMBIGUOUS, NONE = "exact", "confident", "ambiguous", "none"

# Thresholds on `coverage`: the share of the query's evidence (feature weight × idf) that the best-ranked
# item contains (Bm25.coverage); a query mostly about something else stays low.
# Measured on the real knowledge base; see the note at the end of this module.
MIN_COVERAGE = 0.25  # below: status none
CONFIDENT_COVERAGE = 0.45  # at or above, with a clear lead: confident
MARGIN = 0.80  # clear lead: second score ≤ MARGIN × top score
AMBIGUOUS_RATIO = 0.60  # ambiguous: offer items scoring ≥ this share of the top score
MAX_AMBIGUOUS = 3
# One-typo matching of names/aliases (社宝卡 → 社保卡, 结昏登记 → 结婚登记) for labels of at least
# FUZZY_MIN_LENGTH characters. Only labels of FUZZY_CONFIDENT_LENGTH or more are answered directly; in
# shorter ones one different character may change the meaning (生孩子的/生孩子了, 电表安装/水表安装),
# so they are asked back ("您是想问…吗？").
FUZZY_MIN_LENGTH = 3
FUZZY_CONFIDENT_LENGTH = 5
_MASK = "\0"

# Feature weights by kind: whole jieba words are the strongest evidence, single characters the weakest.
WEIGHTS = {"w": 1.0, "b": 1.0, "s": 0.5, "u": 0.3}
K1, B = 1.2, 0.5
OOV_IDF_SHARE = 1.0  # a query feature no item has counts with this share of the highest idf

# Question words and fillers removed from queries before retrieval (aspect words are not evidence
# for which service is meant).
STOP_WORDS = frozenset(
    """
我 我们 你 你们 他 她 想 要 想要 需要 请问 问 问问 一下 下 怎么 怎么样 怎样 怎么办 怎么弄 如何 咋 咋整 咋办 咋弄
啥 什么 哪些 哪里 哪儿 在哪 应该
哪 去 到 能 能不能 可以 可不可以 是 是不是 不 没 有 没有 吗 呢 吧 啊 呀 哦 嘛 了 的 地 得 和 跟 与 及 还 也 都 就 又
办 办理 办个 弄 整 带 要带 准备 材料 资料 手续 流程 步骤 多少 多少钱 钱 费用 收费 多久 几天 时间 时限 地点 地址 电话
网上 网上办 线上 条件 谁 一个 个 给 帮 帮我 咨询 谢谢 你好 您好 老师 同志
""".split()
)

_WORD_CHARS = re.compile(r"[\u4e00-\u9fff0-9a-z]+")


@dataclass(frozen=True)
class Candidate:
    kind: str  # "service" | "bundle"
    id: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    status: str  # exact | confident | ambiguous | none
    candidates: tuple[Candidate, ...]
    coverage: float = 0.0  # retrieval only: see MIN_COVERAGE

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


def search(
    kb: KnowledgeBase,
    text: str,
    kinds: Iterable[str] = (SERVICE, BUNDLE),
    limit: int = 5,
    min_coverage: float = MIN_COVERAGE,
) -> SearchResult:
    """`min_coverage` lower than the default when the context already says what is asked for (a citizen
    starting a bundle in their own words: any bundle the words point to is worth offering)."""
    index: SearchIndex = kb.derived("search_index", SearchIndex)
    text = SoundLexicon.for_knowledge_base(kb).fix_slips(text)  # 一保报销 → 医保报销 (by sound)
    return index.search(text, tuple(kinds), limit, min_coverage)


class SearchIndex:
    def __init__(self, kb: KnowledgeBase) -> None:
        _load_jieba_words(kb)
        self.labels: dict[str, tuple[str, str]] = {}  # normalized label → (kind, id)
        self.docs: list[tuple[str, str]] = []
        features: list[Counter[str]] = []
        for kind, items in ((SERVICE, kb.services), (BUNDLE, kb.bundles)):
            for item_id, data in items.items():
                for _, label in item_labels(data):
                    self.labels.setdefault(_compact(label), (kind, item_id))
                self.docs.append((kind, item_id))
                features.append(sum((_features(w) for w in item_words(data)), Counter()))
        self.positions = {doc: i for i, doc in enumerate(self.docs)}
        self.label_lengths = sorted({len(label) for label in self.labels}, reverse=True)
        self.bm25 = Bm25(features)
        # one-typo index: each label of ≥ FUZZY_MIN_LENGTH characters with one character masked
        self.masked: dict[str, set[tuple[str, str, int]]] = defaultdict(set)
        for label, (kind, item_id) in self.labels.items():
            if len(label) >= FUZZY_MIN_LENGTH:
                for i in range(len(label)):
                    self.masked[label[:i] + _MASK + label[i + 1 :]].add((kind, item_id, len(label)))
        self.masked_lengths = sorted({n for hits in self.masked.values() for _, _, n in hits}, reverse=True)

    # ------------------------------------------------------------ exact
    def exact(self, text: str, kinds: tuple[str, ...] = (SERVICE, BUNDLE)) -> list[Candidate]:
        """Items named in `text`: the longest label wins, no overlaps, in order of mention."""
        text = _compact(text)
        spans: list[tuple[int, int, tuple[str, str]]] = []
        for start, end, key in self._matches(text):
            if key[0] in kinds and all(end <= s or start >= e for s, e, _ in spans):
                spans.append((start, end, key))
        seen, found = set(), []
        for _, _, key in sorted(spans):
            if key not in seen:
                seen.add(key)
                found.append(Candidate(key[0], key[1], 1.0))
        return found

    def _matches(self, text: str) -> list[tuple[int, int, tuple[str, str]]]:
        """All label occurrences, longest first, then leftmost."""
        hits = []
        for length in self.label_lengths:
            for start in range(len(text) - length + 1):
                key = self.labels.get(text[start : start + length])
                if key:
                    hits.append((start, start + length, key))
        return hits

    # ------------------------------------------------------------ one typo
    def fuzzy(self, text: str, kinds: tuple[str, ...] = (SERVICE, BUNDLE)) -> list[tuple[Candidate, int]]:
        """Items whose label occurs in `text` with exactly one character different (社宝卡 → 社保卡),
        with the label length; longest label first."""
        text = _compact(text)
        best: dict[tuple[str, str], int] = {}
        for length in self.masked_lengths:
            for start in range(len(text) - length + 1):
                window = text[start : start + length]
                for i in range(length):
                    for kind, item_id, n in self.masked.get(window[:i] + _MASK + window[i + 1 :], ()):
                        if n == length and kind in kinds and best.get((kind, item_id), 0) < n:
                            best[kind, item_id] = n
        ordered = sorted(best.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(Candidate(kind, item_id, round((n - 1) / n, 4)), n) for (kind, item_id), n in ordered]

    # ------------------------------------------------------------ ranked
    def rank(self, text: str, kinds: tuple[str, ...] = (SERVICE, BUNDLE)) -> tuple[list[Candidate], float]:
        """All items with a positive score, best first, and the coverage of the best one."""
        query = _query_features(text)
        scores = self.bm25.scores(query)
        ranked = sorted(
            (Candidate(*self.docs[i], round(s, 4)) for i, s in scores.items() if self.docs[i][0] in kinds),
            key=lambda c: (-c.score, c.kind, c.id),
        )
        coverage = self.bm25.coverage(query, self.positions[ranked[0].kind, ranked[0].id]) if ranked else 0.0
        return ranked, round(coverage, 4)

    def search(
        self, text: str, kinds: tuple[str, ...] = (SERVICE, BUNDLE), limit: int = 5, min_coverage: float = MIN_COVERAGE
    ) -> SearchResult:
        exact = self.exact(text, kinds)
        if exact:
            # Only what was named: retrieval on the rest of the text was tried and added wrong items
            # ("车辆过户" → 过户 exact + 车辆 → 车辆年检).
            return SearchResult(EXACT, tuple(exact[:limit]), 1.0)
        ranked = self._ranked_result(text, kinds, limit, min_coverage)
        typos = self.fuzzy(text, kinds)
        if not typos or (ranked.status == CONFIDENT and ranked.top == _same(ranked.top, typos[0][0])):
            return ranked
        (first, length), others = typos[0], [c for c, _ in typos[1:]]
        rest = [c for c in ranked.candidates if not any(_same(c, t) for t, _ in typos)]
        if not others and length >= FUZZY_CONFIDENT_LENGTH and ranked.status != CONFIDENT:
            return SearchResult(CONFIDENT, tuple([first] + rest)[:limit], ranked.coverage)
        # a short name with one typo, several typo matches, or retrieval disagrees: ask
        top = ranked.top if ranked.status == CONFIDENT else None
        offer = ([top] if top else []) + [first] + others + rest
        return SearchResult(AMBIGUOUS, tuple(_unique(offer))[:MAX_AMBIGUOUS], ranked.coverage)

    def _ranked_result(
        self, text: str, kinds: tuple[str, ...], limit: int, min_coverage: float = MIN_COVERAGE
    ) -> SearchResult:
        ranked, coverage = self.rank(text, kinds)
        if not ranked or coverage < min_coverage:
            return SearchResult(NONE, (), coverage)
        top = ranked[0].score
        second = ranked[1].score if len(ranked) > 1 else 0.0
        if coverage >= CONFIDENT_COVERAGE and second <= MARGIN * top:
            return SearchResult(CONFIDENT, tuple(ranked[:limit]), coverage)
        close = [c for c in ranked if c.score >= AMBIGUOUS_RATIO * top][:MAX_AMBIGUOUS]
        return SearchResult(AMBIGUOUS, tuple(close), coverage)


class Bm25:
    """Okapi BM25 over weighted feature counts; idf with the usual +1 to stay positive."""

    def __init__(self, docs: list[Counter[str]]) -> None:
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.doc_terms = [set(doc) for doc in docs]
        lengths = [sum(doc.values()) for doc in docs]
        self.avgdl = (sum(lengths) / len(lengths)) if docs else 1.0
        self.norms = [K1 * (1 - B + B * n / self.avgdl) for n in lengths]
        for i, doc in enumerate(docs):
            for term, tf in doc.items():
                self.postings[term].append((i, tf))
        n = len(docs)
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self.postings.items()}
        self.max_idf = math.log(1 + (n + 0.5) / 0.5)  # a feature no document has
        self.unseen_idf = OOV_IDF_SHARE * self.max_idf

    def scores(self, query: Counter[str]) -> dict[int, float]:
        scores: dict[int, float] = defaultdict(float)
        for term in query:
            weight = WEIGHTS[term[0]] * self.idf.get(term, 0.0)
            for i, tf in self.postings.get(term, ()):
                scores[i] += weight * tf * (K1 + 1) / (tf + self.norms[i])
        return scores

    def coverage(self, query: Counter[str], doc: int) -> float:
        """Share of the query's evidence (weight × idf) found in `doc`; features no item has count
        with the highest idf, so a query that is mostly about something else scores low."""
        total = found = 0.0
        for term in query:
            weight = WEIGHTS[term[0]] * self.idf.get(term, self.unseen_idf)
            total += weight
            if term in self.doc_terms[doc]:
                found += weight
        return found / total if total else 0.0


def _same(a: Candidate | None, b: Candidate) -> Candidate | None:
    """`a` if it names the same item as `b`, else None."""
    return a if a is not None and (a.kind, a.id) == (b.kind, b.id) else None


def _unique(candidates: list[Candidate]) -> list[Candidate]:
    seen, out = set(), []
    for c in candidates:
        if (c.kind, c.id) not in seen:
            seen.add((c.kind, c.id))
            out.append(c)
    return out


# ---------------------------------------------------------------- features


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text))


def _features(text: str) -> Counter[str]:
    """w: jieba words (search mode, ≥2 chars), b: char bigrams, s: skip-bigrams, u: chars."""
    feats: Counter[str] = Counter()
    for run in _WORD_CHARS.findall(_compact(text)):
        feats.update(f"w:{w}" for w in jieba.cut_for_search(run) if len(w) > 1)
        feats.update(_char_features(run))
    return feats


def _char_features(run: str) -> list[str]:
    out = [f"u:{ch}" for ch in run]
    out += [f"b:{run[i : i + 2]}" for i in range(len(run) - 1)]
    out += [f"s:{run[i]}{run[i + 2]}" for i in range(len(run) - 2)]
    return out


def _query_features(text: str) -> Counter[str]:
    """Like _features, without stop words; character n-grams never span a removed word."""
    feats: Counter[str] = Counter()
    for run in _WORD_CHARS.findall(_compact(text)):
        segment = ""
        for word in list(jieba.cut(run)) + [""]:
            if word and word not in STOP_WORDS:
                segment += word
                continue
            if segment:
                feats.update(f"w:{w}" for w in jieba.cut_for_search(segment) if len(w) > 1)
                feats.update(_char_features(segment))
            segment = ""
    return feats


_jieba_words: set[str] = set()


def _load_jieba_words(kb: KnowledgeBase) -> None:
    """Add the knowledge-base words to jieba (process-wide, so each word only once)."""
    jieba.setLogLevel(logging.WARNING)
    for word in knowledge_words(kb.services, kb.bundles):
        if word not in _jieba_words:
            jieba.add_word(word, JIEBA_FREQ)
            _jieba_words.add(word)


# ---------------------------------------------------------------- how the thresholds were chosen
# Measured on the real knowledge/ (50 services, 15 bundles, 2026-11-25) with
# tests/knowledge/real_queries.py: 75 labelled queries (mostly typos such as 结昏登记, 失叶金, 公机金贷款,
# and new phrasings such as 我没钱请律师, 盖房子要批地) and 25 that nothing fits (天气, 噪音投诉, 护照,
# 停水了, 考驾照 …). Grid: MIN_COVERAGE 0.15–0.35, CONFIDENT_COVERAGE 0.35–0.55, MARGIN 0.7/0.8/0.9.
# Chosen 0.25 / 0.45 / 0.80 (WEIGHTS w1 b1 s0.5 u0.3, unseen features at full idf, one-typo stage on):
#   positives: 50 answered right (exact or confident), 24 offered as a choice (ambiguous), 1 missed
#   (车子年审), 0 confidently wrong; negatives: 23 none, 2 offered as a choice (占道经营, 考驾照), 0 confident.
# Neighbours: CONFIDENT 0.40 or MARGIN 0.9 give 1–3 confident wrong answers; MIN 0.20 offers 3 more
# negatives as choices, MIN 0.30 misses one more typo. Typo-heavy queries score 0.25–0.45 (one wrong
# character spoils two bigrams); off-topic ones stay below 0.24 except 考驾照 / 占道经营.
# Without the one-typo stage, 3-character typos (居主证, 宅机地, 失叶金, 准生正) were missed entirely.
# `ambiguous` may hold a single candidate: ask "您是想问…吗？" instead of answering.
