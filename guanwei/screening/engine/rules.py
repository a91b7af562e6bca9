"""Format rules per channel and pack (X-03, R-01, E-01, T-05, C-06).

Each rule is a plain function ``(spec, post) -> message | None``; a message means the rule is
violated.  Rules that depend on the platform apply only when the post names its channel kind
(``weibo``, ``wechat``, ``website`` …); picture and source rules apply to posts, not comments.

Platform figures (``/work/shared/reference/platforms.md``):

* Weibo ``statuses/share``: at most 140 Chinese characters; the text must contain at least one URL
  under the app's safe domain (安全域名); the share API refuses ``#话题#`` (mode ``forbid``),
  while columns elsewhere use the ``#topic#`` form (R-01, mode ``form``).
* WeChat ``draft/add``: title at most 32 characters.

Weibo length is counted the way Weibo counts it for the 140 limit: a Chinese (or any non-ASCII)
character counts 1, two ASCII characters count 1 (rounded up).  Links are counted as written.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .config import ConfigError, RuleSpec


@dataclass(frozen=True, slots=True)
class Post:
    """What a rule looks at."""

    text: str
    kind: str = "post"  # post | comment
    channel_kind: str | None = None
    has_picture: bool = False
    source: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class RuleFinding:
    """A violated rule, as reported in the ``rules`` list of the screening JSON."""

    rule: str
    req: str
    severity: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "req": self.req,
            "severity": self.severity,
            "message": self.message,
        }


_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'，。！？、；：（）【】《》“”‘’]+", re.IGNORECASE)
_SOURCE_IN_TEXT = re.compile(r"(?:来源|来自|信息来源|资料来源|出处|source)\s*[:：]\s*\S", re.I)
_TOPIC = re.compile(r"#([^#\n]{1,64})#")


def weibo_length(text: str) -> int:
    """Length as Weibo counts it: non-ASCII 1, ASCII ½ (rounded up)."""
    ascii_count = sum(1 for c in text if c < "\x80")
    return (len(text) - ascii_count) + math.ceil(ascii_count / 2)


def links(text: str) -> list[str]:
    return [m.group(0).rstrip(".,;:!?)") for m in _URL.finditer(text)]


def link_host(url: str) -> str:
    if not url.lower().startswith(("http://", "https://")):
        url = "http://" + url
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def host_allowed(host: str, domains: tuple[str, ...]) -> bool:
    """``host`` equals one of ``domains`` or is a subdomain of one."""
    host = host.rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (d.lower().strip(".") for d in domains))


def _max_length(spec: RuleSpec, post: Post) -> str | None:
    limit = int(spec.param("max", 140))
    length = weibo_length(post.text) if spec.param("count", "weibo") == "weibo" else len(post.text)
    if length > limit:
        return f"正文长度 {length} 超过 {limit} 字上限"
    return None


def _topics(spec: RuleSpec, post: Post) -> str | None:
    text = post.text
    if spec.param("mode", "form") == "forbid":
        if _TOPIC.search(text):
            return "该发布接口的正文不能包含 #话题#"
        return None
    stripped = _TOPIC.sub("", text)
    if "#" in stripped or "＃" in text:
        return "话题格式应为成对的 #话题#（半角 #，不跨行，1-64 字）"
    for topic in _TOPIC.findall(text):
        if not topic.strip():
            return "话题不能为空"
    return None


def _safe_link(spec: RuleSpec, post: Post) -> str | None:
    domains = tuple(spec.param("domains", ()))
    if not domains:
        return None
    if any(host_allowed(link_host(url), domains) for url in links(post.text)):
        return None
    return f"微博分享接口要求正文包含安全域名（{'、'.join(domains)}）下的链接"


def _link_domains(spec: RuleSpec, post: Post) -> str | None:
    domains = tuple(spec.param("domains", ()))
    if not domains:
        return None
    bad = [url for url in links(post.text) if not host_allowed(link_host(url), domains)]
    if bad:
        return f"链接指向未允许的域名：{'、'.join(bad[:3])}"
    return None


def _title_length(spec: RuleSpec, post: Post) -> str | None:
    limit = int(spec.param("max", 32))
    if len(post.title) > limit:
        return f"标题长度 {len(post.title)} 超过 {limit} 字上限"
    if spec.param("required", False) and not post.title.strip():
        return "缺少标题"
    return None


def _picture(spec: RuleSpec, post: Post) -> str | None:
    if post.kind != "post" or post.has_picture:
        return None
    return "本制度要求配图（图文相符）"


def _source(spec: RuleSpec, post: Post) -> str | None:
    if post.kind != "post" or post.source.strip() or _SOURCE_IN_TEXT.search(post.text):
        return None
    return "须注明信息来源"


RULES: dict[str, Callable[[RuleSpec, Post], str | None]] = {
    "max_length": _max_length,
    "weibo_topics": _topics,
    "weibo_safe_link": _safe_link,
    "link_domains": _link_domains,
    "title_length": _title_length,
    "picture_required": _picture,
    "source_required": _source,
}
POST_ONLY = frozenset({"picture_required", "source_required", "title_length", "weibo_safe_link"})


def check_rule_specs(specs: tuple[RuleSpec, ...]) -> None:
    for spec in specs:
        if spec.rule not in RULES:
            raise ConfigError(
                f"unknown screening rule {spec.rule!r} (known: {', '.join(sorted(RULES))})"
            )


def evaluate(specs: tuple[RuleSpec, ...], post: Post) -> list[RuleFinding]:
    """All violated rules for ``post``."""
    findings: list[RuleFinding] = []
    for spec in specs:
        if not spec.enabled:
            continue
        if spec.channel is not None and spec.channel != post.channel_kind:
            continue
        if spec.rule in POST_ONLY and post.kind != "post":
            continue
        message = RULES[spec.rule](spec, post)
        if message:
            findings.append(RuleFinding(spec.rule, spec.req, spec.severity, message))
    return findings
