"""Realistic Chinese comment streams for the fake platforms (issue 11 §1, W-18):
``POST /__control__ {"comment_stream": {"status_id" | "msg_data_id": …, "n": N}}`` adds N
comments to a post — thanks, in-scope questions (forecast, warnings, science), out-of-scope
questions (government affairs, complaints about other bodies), abuse, spam with links,
emoji-only, very long texts and hostile payloads (``<script>``, ``<img onerror>``, SVG
onload, U+202E right-to-left override, 10,000 characters). Deterministic per ``seed``.
Stdlib only; imports nothing of guanwei's apps."""

from __future__ import annotations

import random
from typing import Any

THANKS = [
    "谢谢提醒！",
    "辛苦了，气象台的同志们",
    "预报很准，点赞👍",
    "收到，明天出门带伞",
    "官方发布，值得信赖",
]
IN_SCOPE = [
    "请问明天会下雨吗？",
    "周末适合出游吗？气温多少度？",
    "暴雨预警什么时候解除？",
    "为什么今年冬天这么暖和？",
    "台风会不会影响我们市？",
    "请问寒潮蓝色预警是什么意思？",
    "雾霾天气怎么防护比较好？",
]
OUT_OF_SCOPE = [
    "请问拆迁补偿标准是多少？",
    "小区物业乱收费谁来管？",
    "社保什么时候能到账？",
    "为什么城管不管占道经营？",
    "户口迁移怎么办理？",
]
ABUSE = [
    "什么破预报，垃圾",
    "你们都是废物，天天报错",
    "滚吧，骗子",
]
SPAM = [
    "兼职日赚500，加微信 wx123456",
    "低价代开发票 http://spam.example.com/a",
    "免费领取红包 https://t.example.cn/xyz 点击就送",
]
EMOJI = ["👍👍👍", "😂😂", "🌧️☔", "❤️"]
PAYLOADS = [
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    '<svg onload="alert(document.cookie)"></svg>',
    "正常评论\u202e检测反转文字\u202c结束",
    '<a href="javascript:alert(1)">点我</a>',
]
KINDS: tuple[tuple[str, list[str], int], ...] = (
    ("thanks", THANKS, 25),
    ("question_in", IN_SCOPE, 25),
    ("question_out", OUT_OF_SCOPE, 12),
    ("abuse", ABUSE, 8),
    ("spam", SPAM, 8),
    ("emoji", EMOJI, 8),
    ("payload", PAYLOADS, 7),
    ("long", [], 4),
    ("huge", [], 3),
)
NAMES = ["晴天", "小雨点", "云朵朵", "追风少年", "市民王先生", "路人甲", "阿强", "李老师"]


def _long(rnd: random.Random) -> str:
    body = "".join(rnd.choice(THANKS + IN_SCOPE) for _ in range(30))
    return ("我想说几句：" + body)[:1200]


def generate(n: int, *, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` comments: ``{"text", "kind", "author"}``, a realistic mix (about half thanks
    and in-scope questions)."""
    rnd = random.Random(seed)
    weights = [w for _, _, w in KINDS]
    out: list[dict[str, Any]] = []
    for i in range(max(int(n), 0)):
        kind, texts, _ = rnd.choices(KINDS, weights=weights)[0]
        if kind == "long":
            text = _long(rnd)
        elif kind == "huge":
            text = ("长" * 9_990) + "<script>x</script>"[: 10_000 - 9_990]
        else:
            text = rnd.choice(texts)
            if kind != "emoji" and rnd.random() < 0.3:
                text = f"{text}{'' if rnd.random() < 0.5 else '！'}"
        author = f"{rnd.choice(NAMES)}{rnd.randint(1, 999)}"
        out.append({"text": text, "kind": kind, "author": author, "n": i})
    return out
