"""Question triage (W-19): is a comment a question, and is it in the pack's answer scope?

Interface (stable; the ingest pipeline, the inbox and ``guanwei triage`` call it):
``classify_many(organisation_id, texts) -> list[Triage]``. The classifier is a character
n-gram TF-IDF (char_wb, 1–3) + logistic regression, trained lazily per pack (cached per
process) from the labelled examples the pack ships (``packs/triage/<pack>.jsonl``); the
keyword floor below is what it falls back to when it is unsure or the pack ships none."""

from __future__ import annotations

import json
import random
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

_QUESTION = re.compile(r"[?？]|请问|吗[。！!]*$|怎么|如何|为什么|什么时候|是否|能否|会不会|有没有")

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "packs" / "triage"
SEED = 20261201
HELD_OUT = 0.2
# Below this probability of its best label the model is "unsure": the keyword floor answers.
UNSURE = 0.35
# Only the head of a text is triaged: a question is said in its first sentences (Weibo
# comments are at most 140 characters), and the character n-grams of a 10,000-character
# paste cost as much as a thousand comments.
TRIAGE_CHARS = 200

# The topics' names as people read them (互动统计, W-20): the in-scope topics of each rule
# book's examples (packs/triage/*.jsonl), then the out-of-scope and chatter topics they share.
TOPIC_LABELS = {
    "forecast": "天气预报",
    "warning": "预警信息",
    "science": "气象科普",
    "admissions": "招生考试",
    "campus": "校园生活",
    "study": "教学学习",
    "scenic": "景区景点",
    "tickets": "门票优惠",
    "travel": "出行服务",
    "housing": "房源销售",
    "property": "物业服务",
    "contract": "合同手续",
    "product": "产品使用",
    "learning": "学习辅导",
    "activity": "活动咨询",
    "government": "政务事项",
    "other_body": "其他单位事务",
    "abuse": "辱骂攻击",
    "chatter": "闲聊致谢",
    "": "未分类",
}


def topic_label(topic: str) -> str:
    """The topic's name; a topic no rule book names yet is 其他话题 (never its code)."""
    return TOPIC_LABELS.get(topic, "其他话题")


@dataclass(frozen=True)
class Triage:
    question: bool
    scope: str  # "in" | "out" | "none"
    topic: str
    confidence: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def keyword_floor(text: str) -> Triage:
    """A question by its marks and words; scope unknown here ("in" until a pack says)."""
    if _QUESTION.search(text or ""):
        return Triage(True, "in", "", 0.5)
    return Triage(False, "none", "", 0.5)


def load_examples(pack: str) -> list[dict[str, Any]]:
    path = EXAMPLES_DIR / f"{pack}.jsonl"
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rows.append(json.loads(line))
    return rows


def _label(row: dict[str, Any]) -> str:
    return f"{row['scope']}|{row['topic']}|{int(bool(row['question']))}"


def split(pack: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The fixed-seed train / held-out split of a pack's examples."""
    rows = load_examples(pack)
    order = list(range(len(rows)))
    random.Random(f"{SEED}-{pack}").shuffle(order)
    cut = int(len(rows) * HELD_OUT)
    held = [rows[i] for i in order[:cut]]
    train = [rows[i] for i in order[cut:]]
    return train, held


def _vectorizer_class() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    class CharWB(TfidfVectorizer):  # type: ignore[misc]
        """scikit-learn's ``char_wb`` analyzer, the same n-grams in the same order, built
        with slices in a comprehension instead of a loop per n-gram (half the time of
        triaging a comment; tests compare it with scikit-learn's own)."""

        def _char_wb_ngrams(self, text_document: str) -> list[str]:
            text_document = self._white_spaces.sub(" ", text_document)
            min_n, max_n = self.ngram_range
            ngrams: list[str] = []
            for w in text_document.split():
                w = " " + w + " "
                w_len = len(w)
                for n in range(min_n, max_n + 1):
                    if w_len <= n:  # a short word counts once
                        ngrams.append(w[:n])
                        break
                    ngrams.extend([w[i : i + n] for i in range(w_len - n + 1)])
            return ngrams

    return CharWB


def _fit(rows: list[dict[str, Any]]) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from threadpoolctl import threadpool_limits

    model = make_pipeline(
        _vectorizer_class()(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True),
        LogisticRegression(max_iter=1000, C=10.0),
    )
    # one BLAS thread: on a busy machine a pool of threads made a 0.2 s fit take 7 s
    with threadpool_limits(limits=1):
        model.fit([r["text"] for r in rows], [_label(r) for r in rows])
    return model


@lru_cache(maxsize=16)
def model_for(pack: str) -> Any | None:
    """The pack's classifier trained on all its examples (None when it ships none)."""
    rows = load_examples(pack)
    if len(rows) < 10:
        return None
    return _fit(rows)


def _predict(model: Any, texts: list[str]) -> list[Triage]:
    if not texts:
        return []
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        probs = model.predict_proba(texts)
    labels = model.classes_
    out: list[Triage] = []
    for text, row in zip(texts, probs, strict=True):
        best = int(row.argmax())
        confidence = float(row[best])
        if confidence < UNSURE:
            floor = keyword_floor(text)
            out.append(Triage(floor.question, floor.scope, "", round(confidence, 3)))
            continue
        scope, topic, question = str(labels[best]).split("|")
        out.append(Triage(question == "1", scope, topic, round(confidence, 3)))
    return out


def classify_pack(pack: str, texts: list[str]) -> list[Triage]:
    """Each text triaged (its first ``TRIAGE_CHARS`` characters), in one model call."""
    heads = [(t or "")[:TRIAGE_CHARS] for t in texts]
    model = model_for(pack)
    if model is None:
        return [keyword_floor(t) for t in heads]
    return _predict(model, heads)


@lru_cache(maxsize=16)
def held_out_accuracy(pack: str) -> float:
    """Share of the held-out examples whose question, scope and topic the model trained on
    the rest gets right (fixed seed)."""
    train, held = split(pack)
    if not held:
        return 0.0
    model = _fit(train)
    got = _predict(model, [r["text"] for r in held])
    right = sum(
        1
        for row, t in zip(held, got, strict=True)
        if t.scope == row["scope"] and t.topic == row["topic"] and t.question == row["question"]
    )
    return right / len(held)


def pack_of(organisation_id: int) -> str:
    """The organisation's base pack's name ("" when it has none)."""
    from guanwei.orgs.rules import rules_for

    for pack in rules_for(organisation_id).packs:
        if pack.get("kind") != "overlay" and pack.get("name"):
            return str(pack["name"])
    return ""


def classify_many(organisation_id: int, texts: list[str]) -> list[Triage]:
    pack = pack_of(organisation_id)
    if not pack:
        return [keyword_floor(t) for t in texts]
    return classify_pack(pack, texts)
