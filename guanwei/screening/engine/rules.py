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


# Secrecy markers (W-21, T-04, college 第十八条): a text marked as classified or internal.
# The bare grade words (绝密, 机密, 秘密) and 涉密 occur in ordinary prose (揭开宇宙的秘密,
# 商业秘密, 涉密不上网), so they count only as a *marker*: in brackets (not quotes), with the
# grade star, after 密级 or 标注, as a document's label (绝密文件), in 本文件涉密, or heading
# the text.  Phrases that exist only as markers (内部资料, 不得外传 …) count anywhere.
# docs/decisions/0019-secrecy-markers-and-word-boundaries.md.
_GRADE = "(?:绝密|絕密|机密|機密|秘密|涉密)"
_INTERNAL = "(?:内部资料|內部資料|内部文件|內部文件|内部材料|內部材料|内部传阅|內部傳閱)"
_OPEN = "[【\\[〔［（(]"  # not quotes: 揭开云朵的“秘密” is ordinary prose
_CLOSE = "[】\\]〕］）)]"
_SECRECY = re.compile(
    "|".join(
        [
            # 【绝密】, [机密], （内部资料）, 「秘密★10年」
            f"{_OPEN}\\s*(?:{_GRADE}|{_INTERNAL}|内部|內部)\\s*(?:[★☆*＊]\\s*[^】\\]〕］）)\\n]{{0,8}})?{_CLOSE}",
            # 机密★5年, 秘密 ★ 长期
            "(?:绝密|絕密|机密|機密|秘密)\\s*[★☆]",
            # 密级：秘密, 标注为机密, 定为绝密
            f'(?:密级|密級|标注|標注|标记|標記|标为|標為|定为|定為|列为|列為)\\s*[：:为為]?\\s*[“"「]?\\s*{_GRADE}',
            # 绝密文件, 机密资料, 涉密文件 as a label of what is being posted
            "(?:绝密|絕密|机密|機密|秘密)(?:级|級)?(?:文件|资料|資料|材料|档案|檔案|电报|電報|附件)",
            # 本文件涉密, 本材料属机密
            f"本(?:文|文件|材料|资料|資料|信息|内容|內容|通知|方案|报告|報告)?\\s*(?:涉密|属于?{_GRADE}|屬於?{_GRADE})",
            # phrases that are markers wherever they stand
            f"{_INTERNAL}",
            "(?:不得|严禁|嚴禁|禁止|请勿|請勿|切勿|不准|不许|不許)(?:对外|對外)?(?:外传|外傳)",
            "仅供内部参考|僅供內部參考|仅限内部传阅|僅限內部傳閱",
        ]
    )
)
# a grade word heading the text (绝密 / 机密 on the first line, alone or before a title)
_SECRECY_HEAD = re.compile(f"^\\s*{_GRADE}(?:\\s|[：:，,。★☆]|$)")


def secrecy_marker(text: str) -> str | None:
    """The first secrecy marker in ``text`` (as written), or None."""
    head = _SECRECY_HEAD.match(text)
    if head:
        return head.group(0).strip(" \t\r\n：:，,。")
    found = _SECRECY.search(text)
    return found.group(0).strip() if found else None


def _secrecy(spec: RuleSpec, post: Post) -> str | None:
    marker = secrecy_marker(f"{post.title}\n{post.text}" if post.title else post.text)
    if marker is None:
        return None
    return f"含密级或内部标志“{marker}”：涉密及内部信息不得发布"


RULES: dict[str, Callable[[RuleSpec, Post], str | None]] = {
    "max_length": _max_length,
    "weibo_topics": _topics,
    "weibo_safe_link": _safe_link,
    "link_domains": _link_domains,
    "title_length": _title_length,
    "picture_required": _picture,
    "source_required": _source,
    "secrecy_markers": _secrecy,
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
