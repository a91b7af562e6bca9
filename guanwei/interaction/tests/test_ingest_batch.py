"""The batched ingest path (issue 11 figure) does what the one-at-a-time path does (W-18
rules acting, W-19 screening and triage): rules carried out on a batch leave the same
comments, audit records and notices as ``apply_rule`` one by one; the rows ``prepare``
builds equal ``Comment(**kwargs)``; the triage analyzer makes scikit-learn's n-grams; the
fast Weibo time parser agrees with strptime; a batch with a comment already stored and
a duplicate inside it stores each once."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

import pytest
from django.utils import timezone

from guanwei.audit.models import AuditRecord
from guanwei.interaction import ingest, moderation, rules, triage
from guanwei.interaction.models import Comment, ModerationRule
from guanwei.notify.models import Notice
from guanwei.publishing.adapters.base import RemoteComment
from guanwei.publishing.adapters.weibo import TIME_FORMAT, parse_time
from guanwei.publishing.fakes.comment_streams import generate
from guanwei.testing.personas import channel, org

W = "demo_weather"
_n = itertools.count(1)

TEXTS = [
    "低价代开发票，加微信",  # a review hit: escalate + label
    "代开发票 http://spam.example.com/a",  # a review hit and a link: the first rule wins
    "免费领取红包 https://t.example.cn/xyz 点击就送",  # a link: hide + label + review
    "谢谢提醒！",  # no rule
    "详情见 www.example.com 哦",
]


def _rules() -> None:
    for key, position, conditions, actions in (
        (
            "t-abuse",
            1,
            {"verdicts": ["review", "block"]},
            [
                {"do": "escalate", "roles": ["supervising_leader"]},
                {"do": "label", "label": "待研判"},
            ],
        ),
        (
            "t-link",
            2,
            {"has_link": True},
            [{"do": "hide"}, {"do": "label", "label": "广告"}, {"do": "review"}],
        ),
    ):
        ModerationRule.objects.create(
            organisation=org(W),
            key=key,
            name=key,
            position=position,
            conditions=conditions,
            actions=actions,
            req="W-18",
        )


def _store_plain(texts: list[str]) -> list[Comment]:
    """Rows as one-by-one storing makes them (``Comment.objects.create``), screened."""
    ch = channel(W, "city_weibo")
    prepared = ingest.prepare(ch, None, "comment", [_remote(t) for t in texts])
    out = []
    for c in prepared:
        fields = {f.attname: getattr(c, f.attname) for f in Comment._meta.concrete_fields}
        fields.pop("id")
        out.append(Comment.objects.create(**fields))
    return out


def _remote(text: str) -> RemoteComment:
    return RemoteComment(
        remote_id=str(9_300_000_000_000_000 + next(_n)),
        post_id="9100000000000001",
        text=text,
        author="路人甲",
        created_at=datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        author_id="2000001",
    )


def _outcome(c: Comment) -> tuple[Any, ...]:
    c.refresh_from_db()
    audit = [
        (r.action, {k: v for k, v in (r.after or {}).items()}, r.before)
        for r in AuditRecord.objects.filter(object_type="comment", object_id=str(c.pk)).order_by(
            "seq"
        )
    ]
    notices = Notice.objects.filter(body__endswith=c.text[:80]).count()
    return (
        c.rule_key,
        c.visibility,
        c.status,
        c.escalated_to_id,
        c.labels,
        sorted(audit, key=repr),
        notices,
    )


@pytest.mark.django_db
def test_w18_rules_on_a_batch_leave_what_one_at_a_time_leaves() -> None:
    """W-18: each rule's actions carried out on its comments at once (one UPDATE per
    action, one audit INSERT, the notices in one INSERT) end in the same rows, audit
    records and notices as ``moderation.apply_rule`` comment by comment."""
    _rules()
    ordered = [r for r in ModerationRule.objects.filter(organisation=org(W), enabled=True)]
    one = _store_plain(TEXTS)
    for c in one:
        found = rules.match(ordered, rules.facts_of(c, "city_weibo"))
        if found is not None:
            moderation.apply_rule(c, found)
    before = Notice.objects.count()
    batch = _store_plain(TEXTS)
    rules.apply_many(batch)
    assert Notice.objects.count() - before == 2  # the two escalated, one leader each
    got = [_outcome(c) for c in batch]
    want = [_outcome(c) for c in one]
    # the notices' bodies are the same texts: each comment's count covers both runs
    assert got == want
    assert [g[0] for g in got] == ["t-abuse", "t-abuse", "t-link", "", "t-link"]
    assert got[0][2] == "escalated" and got[0][3] and got[0][4] == ["待研判"]
    assert got[2][4] == ["广告", "已审阅"] and got[2][1] == "hidden"


@pytest.mark.django_db
def test_w19_prepare_builds_the_rows_the_model_constructor_builds() -> None:
    """W-19: the screened and triaged rows of ``prepare`` (built without
    ``Model.__init__``) equal ``Comment(**kwargs)`` of the same values."""
    ch = channel(W, "city_weibo")
    texts = [g["text"] for g in generate(60, seed=4)]
    prepared = ingest.prepare(ch, None, "comment", [_remote(t) for t in texts])
    assert len(prepared) == 60
    for c in prepared:
        values = {f.attname: getattr(c, f.attname) for f in Comment._meta.concrete_fields}
        plain = Comment(**values)
        assert {f: getattr(plain, f) for f in values} == values
        assert c._state.adding and c.channel == ch and c.unit == ch.unit
    assert any(c.is_question for c in prepared) and any(c.verdict == "review" for c in prepared)
    assert prepared[0].labels is not prepared[1].labels


@pytest.mark.django_db
def test_w18_a_batch_stores_each_comment_once() -> None:
    """W-18: a batch holding a comment stored before and a duplicate of its own stores
    the others once each (PostgreSQL: COPY + ON CONFLICT DO NOTHING; SQLite: bulk
    INSERT)."""
    ch = channel(W, "city_weibo")
    first = [_remote("谢谢提醒！"), _remote("收到")]
    from django.db import transaction

    with transaction.atomic():
        stored = ingest.store(ch, "comment", ingest.prepare(ch, None, "comment", first))
    assert len(stored) == 2 and all(c.pk for c in stored)
    again = [first[0], _remote("明天会下雨吗？"), _remote("明天会下雨吗？")]
    with transaction.atomic():
        prepared = ingest.prepare(ch, None, "comment", again)
        twin = ingest.prepare(ch, None, "comment", [again[1]])[0]  # the same remote id
        stored = ingest.store(ch, "comment", [*prepared, twin])
    assert [c.remote_id for c in stored] == [again[1].remote_id, again[2].remote_id]
    rows = Comment.objects.filter(channel=ch, remote_id__in=[r.remote_id for r in again])
    assert rows.count() == 3 and {c.pk for c in stored} <= set(rows.values_list("pk", flat=True))
    fetched = Comment.objects.get(pk=stored[0].pk)
    assert fetched.text == "明天会下雨吗？" and fetched.is_question
    assert fetched.fetched_at <= timezone.now()


def test_w19_triage_analyzer_makes_scikit_learns_char_wb_ngrams() -> None:
    """W-19: the faster ``char_wb`` analyzer makes the same n-grams, in the same order, as
    scikit-learn's on every pack's examples, a generated stream and edge cases."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [r["text"] for p in ("weather-bureau", "college") for r in triage.load_examples(p)]
    texts += [g["text"] for g in generate(400, seed=9)]
    texts += ["", " ", "a", "ab", "a b  c", "x\ty\nz", "长 短 句子  👍 ok?", "\u3000全角 空格"]
    ours = triage._vectorizer_class()(analyzer="char_wb", ngram_range=(1, 3)).build_analyzer()
    theirs = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3)).build_analyzer()
    assert all(ours(t) == theirs(t) for t in texts)


def test_w18_weibo_created_at_parsed_as_strptime_parses_it() -> None:
    """W-18: ``created_at`` read without strptime gives what strptime gives (and None for
    what it refuses)."""
    samples = [
        "Tue May 31 17:46:55 +0800 2011",
        "Wed Dec 02 01:02:03 -0530 2026",
        "Thu Feb 29 00:00:00 +0000 2024",
        "Fri Feb 30 00:00:00 +0800 2024",
        "Tue May 31 17:46:55 +0800 2011 ",
        "tue may 31 17:46:55 +0800 2011",
        "2026-12-01 08:00:00",
    ]
    for text in samples:
        try:
            want: datetime | None = datetime.strptime(text, TIME_FORMAT)
        except ValueError:
            want = None
        got = parse_time(text)
        assert got == want, text
        assert got is None or want is None or got.utcoffset() == want.utcoffset(), text
