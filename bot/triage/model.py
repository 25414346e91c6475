"""The learned triage: TF-IDF over jieba words and character n-grams, one logistic regression per label.

Four heads share one feature space: 诉求类型, department, urgency (now / mentioned / none) and
kb_question. Training takes seconds; the fitted model is pickled under models/triage/, named by a hash
of its inputs (the training files, this code's version, the parameters), so a process that starts on
unchanged data loads it instead of training.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot.triage.corpus import CATEGORIES, ROOT, Example, load_examples, staff_examples_path, training_files
from bot.triage.text import for_model
from bot.triage.views import CUE_NAMES, ask_part, cues

log = logging.getLogger(__name__)

# Bump when the features, heads or decision rules change: part of the cache key.
MODEL_VERSION = "6"
UNASSIGNED = "待分派"
STAFF_WEIGHT = 3.0  # a dispatcher's real ticket counts more than one written example


@dataclass(frozen=True)
class Params:
    char_ngrams: tuple[int, int] = (1, 3)
    word_ngrams: tuple[int, int] | None = (1, 2)  # None: character n-grams only
    min_df: int = 2
    # a second character n-gram block over the letter's ask (question sentences and the last ones)
    ask_ngrams: tuple[int, int] | None = (1, 3)
    # value of a marker cue (bot/triage/views.py); 0: none. On the dev set: type 84.0% at 0.1, 82.6% at 0,
    # 80.7% at 0.3 (with C 10; C 3: 83.3%; no class weights: 81.4%)
    cue_weight: float = 0.1
    c_category: float = 10.0
    c_department: float = 10.0
    c_urgency: float = 10.0
    c_kb: float = 10.0
    class_weight: str | None = "balanced"
    # 咨询 wins over the complaint flow (求助, 投诉, 举报) only when its probability is more than the flow's summed
    # probability divided by this: a plea for help that asks how to get it ("我该怎么办，能不能帮帮我") is read as 求助.
    # On the dev set (bench/triage/dev, never the held-out split): none (plain argmax) type 84.2%, complaint/help
    # recall 90.8%, consultations to the form 9.4%; 0.7: 84.2 / 92.4 / 11.0; 0.5: 84.9 / 95.1 / 11.8 (best type);
    # 0.4: 84.2 / 95.7 / 14.2.
    consult_flow_ratio: float | None = 0.5
    # top-1 score below this: 待分派 (still with the top three). On the dev split 0.25 routes 92% of the
    # messages, 92% of them right; 0.30 routes 88% (93% right), 0.20 routes 97% (89% right).
    department_threshold: float = 0.25
    # P(urgency = now) at or above which a message is a danger happening now, at three levels, chosen on the
    # corpus dev split and the independent dev set bench/triage/dev/ (never on the held-out split). There
    # 0.40 / 0.20 / 0.70 miss 0 of 20 present dangers with 3 false alarms in 410 (dev set) and 2 of 55 with
    # 2 in 727 (dev split); a plain 0.45 misses 5 of 55, a word level of 0.15 gives 5 false alarms in 410.
    now_threshold: float = 0.4  # no safety word (knowledge/safety.yml) in the text
    now_threshold_words: float = 0.2  # a safety word, not in an account (prefer a false alarm to a miss)
    now_threshold_account: float = 0.7  # every hazard told as past or chronic (SafetyRules.reads_as_account)


def model_dir() -> Path:
    return Path(os.environ.get("TRIAGE_MODEL_DIR") or ROOT / "models" / "triage")


# --- tokens -------------------------------------------------------------------------------------

_tokenizer_lock = threading.Lock()
_tokenizer = None
_WORD = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]")


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        with _tokenizer_lock:
            if _tokenizer is None:
                import jieba

                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()
                _tokenizer = tokenizer
    return _tokenizer


def words(text: str) -> list[str]:
    """jieba words of normalised text, punctuation and spaces dropped (module level: picklable)."""
    return [w for w in _jieba().lcut(text, HMM=False) if _WORD.search(w)]


# --- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Triage:
    category: str
    category_scores: dict[str, float]
    departments: list[tuple[str, float]]  # top three, best first
    department: str  # top-1, or 待分派 below the routing threshold
    department_score: float
    urgency: str  # now | mentioned | none
    kb_question: bool
    urgency_scores: dict[str, float] = field(default_factory=dict)


# --- rules on top of the scores -----------------------------------------------------------------

# A thank-you that also asks for something is not praise (感谢领导百忙之中… 但是物业至今不修).
_NOT_ONLY_PRAISE = re.compile(
    r"投诉|反映|举报|恳请|请求|要求|希望.{0,12}(解决|处理|尽快|督促|落实|整改|查处|答复)|解决|处理一下|为什么|凭什么"
    r"|至今|迟迟|一直没|一直不|还没|仍然|拖欠|不作为|推诿|但是|可是|然而|却|无人|没人管|怎么办|咋办|能否|能不能|可否"
)


def praise_guard(text: str, scores: dict[str, float]) -> str:
    """The best category, except that 表扬 needs a message that asks for nothing else."""
    ranked = sorted(scores, key=lambda name: scores[name], reverse=True)
    if ranked[0] == "表扬" and _NOT_ONLY_PRAISE.search(text):
        return ranked[1]
    return ranked[0]


FLOW = ("求助", "投诉", "举报")


def flow_guard(category: str, scores: dict[str, float], params: Params) -> str:
    """咨询, unless the complaint flow's types together come close enough (Params.consult_flow_ratio)."""
    ratio = params.consult_flow_ratio
    if category != "咨询" or ratio is None:
        return category
    if sum(scores.get(name, 0.0) for name in FLOW) >= ratio * scores.get("咨询", 0.0):
        return max(FLOW, key=lambda name: scores.get(name, 0.0))
    return category


_safety_lock = threading.Lock()
_safety_rules: list = []  # [SafetyRules] once loaded, [None] when knowledge/safety.yml cannot be read


def _safety():
    if not _safety_rules:
        with _safety_lock:
            if not _safety_rules:
                from bot.knowledge.safety import SafetyRules

                try:
                    _safety_rules.append(SafetyRules.load())
                except Exception:  # no knowledge base here: the model's score alone decides
                    log.warning("knowledge/safety.yml 无法读取：紧急程度只看模型分数")
                    _safety_rules.append(None)
    return _safety_rules[0]


def now_threshold(text: str, params: Params) -> float:
    """The P(now) a message needs: lower when it names a danger by a safety word, higher when every danger
    it names is told as past or chronic (an account: 去年着过火, 隐患很大), the model's level otherwise."""
    rules = _safety()
    if rules is None:
        return params.now_threshold
    from bot.knowledge.safety import EMERGENCY

    found = rules.detect(text)
    if found is None or found.kind != EMERGENCY:
        return params.now_threshold
    if rules.reads_as_account(text):
        return params.now_threshold_account
    return params.now_threshold_words


# --- the model ----------------------------------------------------------------------------------


class TriageModel:
    def __init__(self, params: Params | None = None):
        self.params = params or Params()
        self.key = ""
        self.trained_on = 0

    # features: (view, vectorizer) blocks, then the marker cues
    def _views(self, text: str) -> dict[str, str]:
        return {"all": text, "ask": ask_part(text) if self.params.ask_ngrams else ""}

    def _fit_features(self, texts: list[str]):
        p = self.params
        blocks = [("all", TfidfVectorizer(analyzer="char", ngram_range=p.char_ngrams, min_df=p.min_df))]
        if p.word_ngrams:
            blocks.append(("all", TfidfVectorizer(tokenizer=words, token_pattern=None, ngram_range=p.word_ngrams)))
        if p.ask_ngrams:
            blocks.append(("ask", TfidfVectorizer(analyzer="char", ngram_range=p.ask_ngrams, min_df=p.min_df)))
        for _, vectorizer in blocks:
            vectorizer.set_params(lowercase=False, sublinear_tf=True)
        self.views = [view for view, _ in blocks]
        self.vectorizers = [vectorizer for _, vectorizer in blocks]
        views = [self._views(t) for t in texts]
        matrices = [v.fit_transform([w[view] for w in views]) for view, v in blocks]
        return hstack([*matrices, self._cue_matrix(texts)]).tocsr()

    def _cue_matrix(self, texts: list[str]):
        from scipy.sparse import csr_matrix

        rows, cols = [], []
        if self.params.cue_weight:
            for i, text in enumerate(texts):
                found = cues(text)
                rows += [i] * len(found)
                cols += found
        data = np.full(len(rows), self.params.cue_weight)
        return csr_matrix((data, (rows, cols)), shape=(len(texts), len(CUE_NAMES)))

    def features(self, texts: list[str]):
        """The scikit-learn feature matrix (training and the equivalence test; prediction uses _vector)."""
        views = [self._views(t) for t in texts]
        matrices = [v.transform([w[view] for w in views]) for view, v in zip(self.views, self.vectorizers, strict=True)]
        return hstack([*matrices, self._cue_matrix(texts)]).tocsr()

    def _head(self, x, labels, weights, c: float) -> LogisticRegression | None:
        rows = [i for i, label in enumerate(labels) if label is not None]
        if len({labels[i] for i in rows}) < 2:
            return None
        # liblinear (one-vs-rest): as accurate here as multinomial lbfgs, and some forty times faster to train.
        head = LogisticRegression(C=c, solver="liblinear", class_weight=self.params.class_weight)
        head.fit(x[rows], [labels[i] for i in rows], sample_weight=np.asarray([weights[i] for i in rows]))
        return head

    def fit(self, examples: list[Example]) -> TriageModel:
        if not examples:
            raise ValueError("no training examples")
        p = self.params
        texts = [for_model(e.text) for e in examples]
        weights = [STAFF_WEIGHT if e.source == "staff" else 1.0 for e in examples]
        x = self._fit_features(texts)
        self.heads = {
            "category": self._head(x, [e.category for e in examples], weights, p.c_category),
            "department": self._head(x, [e.department for e in examples], weights, p.c_department),
            "urgency": self._head(x, [e.urgency for e in examples], weights, p.c_urgency),
            "kb": self._head(
                x, [None if e.kb_question is None else str(e.kb_question) for e in examples], weights, p.c_kb
            ),
        }
        self.trained_on = len(examples)
        self._compile()
        return self

    # prediction: the fitted vectorizers and heads as plain arrays, one sparse dot product per message
    def _compile(self) -> None:
        self._blocks = []
        offset = 0
        for vectorizer in self.vectorizers:
            self._blocks.append((vectorizer.vocabulary_, vectorizer.idf_, offset))
            offset += len(vectorizer.vocabulary_)
        self._cue_offset = offset
        columns, intercepts, self._slices = [], [], {}
        start = 0
        for name, head in self.heads.items():
            if head is None:
                continue
            coef = head.coef_
            columns.append(coef.T)
            intercepts.append(head.intercept_)
            self._slices[name] = (slice(start, start + coef.shape[0]), [str(c) for c in head.classes_])
            start += coef.shape[0]
        self._weights = np.ascontiguousarray(np.hstack(columns)) if columns else np.zeros((offset + len(CUE_NAMES), 0))
        self._intercepts = np.concatenate(intercepts) if intercepts else np.zeros(0)

    def __getstate__(self):
        return {k: v for k, v in self.__dict__.items() if k != "_analyzers"}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._analyzers = None

    def _vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        analyzers = getattr(self, "_analyzers", None)
        if analyzers is None:
            analyzers = self._analyzers = [v.build_analyzer() for v in self.vectorizers]
        indices, values = [], []
        views = self._views(text)
        for analyzer, view, (vocabulary, idf, offset) in zip(analyzers, self.views, self._blocks, strict=True):
            counts: dict[int, int] = {}
            for gram in analyzer(views[view]):
                j = vocabulary.get(gram)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            idx = np.fromiter(counts, dtype=np.intp, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weight = (1.0 + np.log(tf)) * idf[idx]  # sublinear tf × idf, then l2 per block (as TfidfVectorizer)
            indices.append(idx + offset)
            values.append(weight / np.linalg.norm(weight))
        if self.params.cue_weight:
            found = np.asarray(cues(text), dtype=np.intp)
            indices.append(found + self._cue_offset)
            values.append(np.full(len(found), self.params.cue_weight))
        if not indices:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        return np.concatenate(indices), np.concatenate(values)

    def scores(self, text: str) -> dict[str, dict[str, float]]:
        """Probabilities per head (one-vs-rest logistic, normalised as scikit-learn does)."""
        idx, values = self._vector(for_model(text))
        decision = values @ self._weights[idx] + self._intercepts
        result = {}
        for name, (columns, classes) in self._slices.items():
            p = 1.0 / (1.0 + np.exp(-decision[columns]))
            if len(classes) == 2:
                result[name] = {classes[0]: float(1.0 - p[0]), classes[1]: float(p[0])}
            else:
                p = p / p.sum()
                result[name] = dict(zip(classes, map(float, p), strict=True))
        return result

    def predict(self, text: str) -> Triage:
        p = self.params
        scores = self.scores(text)
        category_scores = scores.get("category") or {"投诉": 1.0}
        for name in CATEGORIES:
            category_scores.setdefault(name, 0.0)
        department_scores = scores.get("department", {})
        top = sorted(department_scores.items(), key=lambda kv: kv[1], reverse=True)[:3]
        best_name, best_score = top[0] if top else (UNASSIGNED, 0.0)
        urgency_scores = scores.get("urgency", {})
        if urgency_scores.get("now", 0.0) >= now_threshold(text, p):
            urgency = "now"
        else:
            rest = {k: v for k, v in urgency_scores.items() if k != "now"}
            urgency = max(rest, key=lambda name: rest[name]) if rest else "none"
        kb = scores.get("kb", {}).get("True", 0.0) >= 0.5
        return Triage(
            category=flow_guard(praise_guard(text, category_scores), category_scores, p),
            category_scores=category_scores,
            departments=top,
            department=best_name if best_score >= p.department_threshold else UNASSIGNED,
            department_score=best_score,
            urgency=urgency,
            kb_question=kb,
            urgency_scores=urgency_scores,
        )


# --- cache --------------------------------------------------------------------------------------


# The code that turns a text into features: a change to it retrains, as a change to the data does.
FEATURE_CODE = [Path(__file__).with_name(name) for name in ("model.py", "views.py", "text.py")]


def inputs_key(files: list[Path], params: Params) -> str:
    import sklearn

    digest = hashlib.sha256(f"{MODEL_VERSION}\0{sklearn.__version__}\0{params!r}\0".encode())
    for path in [*FEATURE_CODE, *files]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _save(model: TriageModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as tmp:
        pickle.dump(model, tmp, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp.name, path)


def _cache_file(params: Params, corpus_dir: Path | None, staff: Path) -> tuple[list[Path], str, Path]:
    files = training_files(corpus_dir, staff)
    key = inputs_key(files, params)
    return files, key, model_dir() / f"triage-{key}.pkl"


def build(params: Params | None = None, corpus_dir: Path | None = None, staff_file: Path | None = None) -> TriageModel:
    """The model for the current training files: loaded from the cache, or trained and cached."""
    params = params or Params()
    staff = staff_file or staff_examples_path()
    files, key, path = _cache_file(params, corpus_dir, staff)
    if path.is_file():
        try:
            with path.open("rb") as handle:
                model = pickle.load(handle)
            if isinstance(model, TriageModel) and model.key == key:
                return model
        except Exception:  # a broken or foreign cache file: train again
            log.warning("分流模型缓存无法读取，重新训练：%s", path)
    started = time.monotonic()
    model = TriageModel(params).fit(load_examples(files, staff))
    model.key = key
    try:
        _save(model, path)
    except OSError:
        log.warning("分流模型缓存无法写入：%s", path)
    log.info("分流模型已训练：%d 条，用时 %.1f 秒", model.trained_on, time.monotonic() - started)
    return model


_lock = threading.Lock()
_model: TriageModel | None = None


def get_model() -> TriageModel:
    """The process's model, built once on first use (thread-safe)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = build()
    return _model


def ensure_cached(corpus_dir: Path | None = None, staff_file: Path | None = None) -> Path:
    """The cache file of the model for the current training files, trained and written only if missing, never
    kept in this process (the launcher makes sure no server has to train it; ~70 MB it need not hold)."""
    path = _cache_file(Params(), corpus_dir, staff_file or staff_examples_path())[2]
    if not path.is_file():
        build(corpus_dir=corpus_dir, staff_file=staff_file)
    return path


def warm_up() -> threading.Thread:
    """Build the model in a background thread (process start), so the first message does not wait."""
    thread = threading.Thread(target=get_model, name="triage-warm-up", daemon=True)
    thread.start()
    return thread


def reset() -> None:
    """Forget the loaded model (the next call reloads or retrains: after new staff examples)."""
    global _model
    with _lock:
        _model = None


def triage(text: str) -> Triage:
    return get_model().predict(text or "")
