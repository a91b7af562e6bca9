"""The interaction desk (互动台): comments and messages fetched from the platforms, the
moderation rules that act on them, replies and their approval, feedback, activities and
reports of harmful content (REQ W-08, W-18, W-19, W-20, T-06, E-05, E-06, C-10).

A fetch cursor is a row (DESIGN invariant 5): fetching resumes where it stopped after a
restart, never fetching one comment twice (unique per account, source and remote id)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from guanwei.channels.models import Channel
from guanwei.content.models import Post
from guanwei.orgs.models import Organisation, Unit, User
from guanwei.publishing.models import PublishIntent


class Source(models.TextChoices):
    COMMENT = "comment", "评论"
    MESSAGE = "message", "私信"
    MENTION = "mention", "提及"


class FetchCursor(models.Model):
    """Where fetching one published post's comments (or an account's messages and mentions,
    ``intent`` empty) stands: the platform's cursor (Weibo ``since_id``, WeChat's next
    0-based ``index``), and the backoff after a failure (rate limit, expired token, 5xx)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    intent = models.ForeignKey(
        PublishIntent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.COMMENT)
    remote_post_id = models.CharField(max_length=128, blank=True)
    cursor = models.CharField(max_length=128, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    next_fetch_at = models.DateTimeField(null=True, blank=True, db_index=True)
    failures = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    # Fetching stops after this (a post's comments are watched for the pack's window).
    watch_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source", "remote_post_id"], name="one_cursor_per_stream"
            )
        ]

    def __str__(self) -> str:
        return str(f"{self.channel_id}:{self.source}:{self.remote_post_id}")


class Visibility(models.TextChoices):
    VISIBLE = "visible", "显示中"
    HIDDEN = "hidden", "已隐藏"
    DELETED = "deleted", "已删除"


class ItemStatus(models.TextChoices):
    OPEN = "open", "待处理"
    ESCALATED = "escalated", "已上报领导"
    DONE = "done", "已处理"


class Scope(models.TextChoices):
    NONE = "none", "非提问"
    IN = "in", "答复范围内"
    OUT = "out", "不予答复"


class Comment(models.Model):
    """One comment, message or mention as the platform gave it (hostile input: shown inert),
    with what screening, triage and the rules made of it and what people did with it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")  # the account's
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    intent = models.ForeignKey(
        PublishIntent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.COMMENT)
    remote_id = models.CharField(max_length=128)
    remote_post_id = models.CharField(max_length=128, blank=True)
    reply_to = models.CharField(max_length=128, blank=True)  # the remote comment it answers
    author_id = models.CharField(max_length=128, blank=True)
    author_name = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    created_at = models.DateTimeField(null=True, blank=True)  # the platform's time
    fetched_at = models.DateTimeField()
    # Screening (kind=comment) and triage (W-19)
    verdict = models.CharField(max_length=8, blank=True)
    hits = models.JSONField(default=list)
    is_question = models.BooleanField(default=False)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.NONE)
    topic = models.CharField(max_length=64, blank=True)
    confidence = models.FloatField(default=0.0)
    # Moderation
    rule_key = models.CharField(max_length=64, blank=True)  # the first rule that matched
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.VISIBLE
    )
    status = models.CharField(max_length=16, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    labels = models.JSONField(default=list)
    assignee = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    escalated_to = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    activity = models.ForeignKey(
        "Activity", on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    reply_due_at = models.DateTimeField(null=True, blank=True)  # the pack's reply deadline
    first_response_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    is_representative = models.BooleanField(default=False)  # E-05: chosen to show
    # A rule's platform call (hide, delete), decided in the batch's transaction and carried
    # out after it commits (interaction.moderation.carry_out): never a call inside it.
    platform_todo = models.CharField(max_length=8, blank=True)
    platform_reason = models.CharField(max_length=200, blank=True)
    platform_todo_at = models.DateTimeField(null=True, blank=True)  # queued, or last tried

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "source", "remote_id"], name="comment_once")
        ]
        indexes = [
            models.Index(fields=["unit", "status", "-created_at"], name="inbox_by_unit"),
            models.Index(fields=["organisation", "-created_at"], name="inbox_by_org"),
            models.Index(
                fields=["platform_todo_at"],
                name="comment_platform_todo",
                condition=~models.Q(platform_todo=""),
            ),
        ]
        verbose_name = "评论留言"
        verbose_name_plural = "评论留言"

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.remote_id}"


class CommentNote(models.Model):
    """An internal note on a comment (never sent to the platform)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(self.text[:40])


class ModerationRule(models.Model):
    """A rule (Agorapulse-style): conditions → actions, first match wins by ``position``.
    Loaded from the pack (``from_pack``) and overridden per organisation on the rules
    page; ``conditions`` and ``actions`` are plain data (``interaction.rules``)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    key = models.SlugField(max_length=64)
    name = models.CharField("规则名称", max_length=200)
    position = models.PositiveIntegerField(default=100)
    conditions = models.JSONField(default=dict)
    actions = models.JSONField(default=list)
    enabled = models.BooleanField("启用", default=True)
    from_pack = models.BooleanField(default=False)
    req = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "key"], name="one_rule_key")]

    def __str__(self) -> str:
        return str(self.name)


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "待审核"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已退回"
    SENT = "sent", "已回复"
    FAILED = "failed", "回复失败"
    # W-20, decision 0026: claimed before the platform call; a call whose outcome is not
    # known (timeout after sending) waits to be checked on the platform, never resent blind
    SENDING = "sending", "发送中"
    UNKNOWN = "unknown", "发送结果待核实"


class Reply(models.Model):
    """A reply to a comment (W-19, W-20): drafted (by the expert a question was assigned
    to, or the publisher), screened, approved where the pack says, then sent once through
    the adapter as a reply to that comment."""

    comment = models.ForeignKey(Comment, on_delete=models.PROTECT, related_name="replies")
    text = models.TextField("回复内容")
    drafted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    verdict = models.CharField(max_length=8, blank=True)
    flags = models.JSONField(default=list)  # argues / government affairs …, before sending
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    remote_id = models.CharField(max_length=128, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # W-20: who approves it (the pack's [[answering]]: roles in a unit), fixed at submission
    approval_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approval_roles = models.JSONField(default=list)
    submitted_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)  # SENDING since

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment"],
                condition=Q(status__in=["draft", "in_review", "approved", "sending", "unknown"]),
                name="one_open_reply",
            ),
            models.UniqueConstraint(
                fields=["comment"], condition=Q(status="sent"), name="one_sent_reply"
            ),
        ]

    def __str__(self) -> str:
        return str(self.text[:40])


class Feedback(models.Model):
    """A feedback item (W-09 chat, 第四条(四)) captured from a comment or entered by hand,
    tagged, tallied per month, account and topic."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    comment = models.OneToOneField(
        Comment, on_delete=models.PROTECT, null=True, blank=True, related_name="feedback"
    )
    text = models.TextField("反馈内容")
    topic = models.CharField("主题", max_length=64, blank=True)
    tags = models.JSONField(default=list)
    satisfaction = models.SmallIntegerField(null=True, blank=True)  # 1..5, when stated
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.text[:40])


class ActivityStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "审批中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "已退回"
    RUNNING = "running", "进行中"
    FINISHED = "finished", "已结束"
    CANCELLED = "cancelled", "已取消"


class Activity(models.Model):
    """A poll, topic or online interview (W-08, T-06, 第十七条): its own approval steps
    (the pack's ``[[activities]]``), a readiness checklist that must be complete before it
    may start, and the comments it gathers."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    rule_key = models.CharField(max_length=64)  # the pack's [[activities]] key
    kind = models.CharField("活动类型", max_length=16)  # vote | topic | interview
    title = models.CharField("活动名称", max_length=200)
    description = models.TextField("活动内容", blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    major_weather = models.BooleanField("重大天气过程期间", default=False)
    staff = models.ManyToManyField(User, related_name="+", blank=True)  # on duty, by name
    prepared_answers = models.TextField("预备答复口径", blank=True)
    checklist = models.JSONField(default=dict)  # item key → done (bool)
    status = models.CharField(
        max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.DRAFT
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "互动活动"
        verbose_name_plural = "互动活动"

    def __str__(self) -> str:
        return str(self.title)


class ActivityStep(models.Model):
    """One approval an activity needs (the unit's leader, the provincial publisher's
    consent in major weather events …), decided by one person."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    roles = models.JSONField(default=list)
    status = models.CharField(max_length=16, default="pending")  # pending|approved|rejected
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return str(self.name)


class ReportStatus(models.TextChoices):
    NEW = "new", "待研判"
    HANDLING = "handling", "处置中"
    CLOSED = "closed", "已办结"
    DISMISSED = "dismissed", "不予处置"


class HarmReport(models.Model):
    """A report of illegal or damaging content found online (C-10): anyone in the
    organisation reports it, the opinion office triages and tracks it to closure by a
    deadline, the reporter sees the outcome."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    reporter = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reporter_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    link = models.URLField("链接", max_length=1000, blank=True)
    description = models.TextField("情况说明")
    screenshot = models.FileField("截图", upload_to="reports/%Y/%m/", blank=True)
    screenshot_type = models.CharField(max_length=32, blank=True)  # decided from the bytes
    status = models.CharField(max_length=16, choices=ReportStatus.choices, default=ReportStatus.NEW)
    handler = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField("处置结果", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "有害信息报告"
        verbose_name_plural = "有害信息报告"

    def __str__(self) -> str:
        return str(self.description[:40])


class WatchTopic(models.Model):
    """A topic or hashtag the organisation watches (E-06): volume of comments and reposts
    on its posts over time."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("话题", max_length=100)
    keywords = models.JSONField(default=list)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="one_watch_topic")
        ]

    def __str__(self) -> str:
        return str(self.name)


class AccountCheck(models.Model):
    """What the platform says of an account (E-06): verification (加V) and followers, as
    last read through the adapter."""

    channel = models.OneToOneField(Channel, on_delete=models.CASCADE, related_name="+")
    verified = models.BooleanField(default=False)
    verified_type = models.SmallIntegerField(null=True, blank=True)  # Weibo: -1, 0, 1..7
    verified_reason = models.CharField(max_length=200, blank=True)
    followers = models.PositiveIntegerField(null=True, blank=True)
    checked_at = models.DateTimeField()

    def __str__(self) -> str:
        return str(f"{self.channel_id}")


class AuthorCheck(models.Model):
    """What the platform says of a commenter on an account's posts (E-06): verification
    and followers, read through the adapter for the most active commenters (an opinion
    leader is verified or draws replies: docs/decisions, "opinion leaders")."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="+")
    author_id = models.CharField(max_length=128)
    name = models.CharField(max_length=200, blank=True)
    verified = models.BooleanField(default=False)
    verified_type = models.SmallIntegerField(null=True, blank=True)
    verified_reason = models.CharField(max_length=200, blank=True)
    followers = models.PositiveIntegerField(null=True, blank=True)
    checked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "author_id"], name="one_author_check")
        ]

    def __str__(self) -> str:
        return str(f"{self.channel_id}:{self.author_id}")


class PostMetrics(models.Model):
    """One reading of a published post's figures (E-06): comments, reposts and likes as
    the platform counted them at ``taken_at``; the watchlist's volume per day is the rise
    between the day's last reading and the one before it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    intent = models.ForeignKey(PublishIntent, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField()
    comments = models.PositiveIntegerField(default=0)
    reposts = models.PositiveIntegerField(default=0)
    likes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["intent", "taken_at", "id"]
        indexes = [
            models.Index(fields=["intent", "taken_at"], name="metrics_by_intent"),
            models.Index(fields=["organisation", "taken_at"], name="metrics_by_org"),
        ]

    def __str__(self) -> str:
        return str(f"{self.intent_id}@{self.taken_at:%Y-%m-%d %H:%M}")
