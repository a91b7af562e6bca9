"""Organisation lexicons edited in the UI, and stored verdicts (REQ C-06, E-01).

The shipped and pack lexicons live in files (``engine/data``, the pack's
``[screening]`` table); these rows add an organisation's own terms on top.
"""

from __future__ import annotations

from django.db import models

from guanwei.orgs.models import Organisation, User

SEVERITY_CHOICES = [("block", "禁止发布"), ("review", "提交审核")]


class LexiconTerm(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="lexicon_terms"
    )
    term = models.CharField("词语", max_length=64)
    category = models.CharField("类别", max_length=32)
    severity = models.CharField("处理", max_length=8, choices=SEVERITY_CHOICES, default="block")
    note = models.CharField("备注", max_length=200, blank=True)
    pinyin = models.BooleanField("匹配拼音", default=False)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["category", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "term", "category"], name="lexicon_term_once"
            )
        ]
        verbose_name = "敏感词"
        verbose_name_plural = "敏感词"

    def __str__(self) -> str:
        return f"{self.term} ({self.category})"


class LexiconAllowPhrase(models.Model):
    """An organisation's allow-phrase (issue 10 §5): a shipped or pack term inside one of its
    occurrences is passed (an exhibition's name, a place name).  It never masks the
    organisation's own terms."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="lexicon_allow_phrases"
    )
    phrase = models.CharField("放行词组", max_length=64)
    note = models.CharField("备注", max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["phrase"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "phrase"], name="lexicon_allow_once")
        ]
        verbose_name = "放行词组"
        verbose_name_plural = "放行词组"

    def __str__(self) -> str:
        return self.phrase


class LexiconRevision(models.Model):
    """Bumped by every lexicon action: the engine cache rebuilds when it moves."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="lexicon_revision"
    )
    revision = models.PositiveIntegerField(default=0)
    # A fresh random token per bump: a cache keyed by it can never confuse two
    # different lexicons that reached the same revision number after a rollback.
    token = models.CharField(max_length=32, default="")

    class Meta:
        verbose_name = "词库版本"
        verbose_name_plural = "词库版本"

    def __str__(self) -> str:
        return f"{self.organisation} r{self.revision}"


class ScreeningVerdict(models.Model):
    """A verdict on one object (a post revision, a drop-box item, a comment), kept with
    the lexicon version that produced it (issue 3 §7)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=32)
    object_id = models.CharField(max_length=64)
    verdict = models.CharField(max_length=8)
    hits = models.JSONField(default=list)
    rules = models.JSONField(default=list)
    lexicon_version = models.CharField(max_length=80)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = "筛查结论"
        verbose_name_plural = "筛查结论"

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} {self.verdict}"
