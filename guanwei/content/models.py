"""Drop box (submissions), posts and their immutable revisions, the asset library
(REQ W-03, W-09, W-15, T-03, T-05, E-02, E-07, R-01, E-03)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from guanwei.channels.models import Channel
from guanwei.orgs.models import Organisation, Unit, User


class Asset(models.Model):
    """A picture or attachment in the library, reusable across posts (E-02)."""

    class Kind(models.TextChoices):
        IMAGE = "image", "图片"
        FILE = "file", "附件"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="assets")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    title = models.CharField("标题", max_length=200)
    file = models.FileField(upload_to="assets/%Y/%m/")
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class TextStatus(models.TextChoices):
        """The text in a picture (C-06), read by a task after the upload (issue #9 §15)."""

        NONE = "", "—"  # not a picture, OCR off, or uploaded before the task existed
        PENDING = "pending", "文字识别中"
        DONE = "done", "已识别文字"
        FAILED = "failed", "无法识别文字"

    text_status = models.CharField(
        "图片文字", max_length=8, choices=TextStatus.choices, default="", blank=True
    )
    picture_text = models.TextField("图片中的文字", blank=True, default="")

    class Meta:
        ordering = ["-created"]
        verbose_name = "素材文件"
        verbose_name_plural = "素材文件"

    def __str__(self) -> str:
        return self.title

    def permission_unit(self) -> Unit:
        return self.unit


class Text(models.Model):
    """A text in the content library (内容库, E-02): prepared ahead (教育知识, a column's
    standing pieces), found again by a search and used to start a post draft."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="library_texts")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    source = models.CharField("信息来源", max_length=200, blank=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["unit", "created"])]
        verbose_name = "内容库文字"
        verbose_name_plural = "内容库文字"

    def __str__(self) -> str:
        return self.title

    def permission_unit(self) -> Unit:
        return self.unit


class SubmissionStatus(models.TextChoices):
    AWAITING_LEADER = "awaiting_leader", "待分管领导审定"
    RETURNED = "returned", "已退回"
    NEW = "new", "待处理"
    TAKEN = "taken", "已受理"
    USED = "used", "已采用"
    DECLINED = "declined", "不予采用"


class ExternalVia(models.TextChoices):
    """By which channel an external contribution (E-07: a student's, teacher's or parent's
    private message) reached the staff who recorded it."""

    WEIBO_DM = "weibo_dm", "微博私信"
    WECHAT = "wechat", "微信消息"
    EMAIL = "email", "电子邮件"
    PHONE = "phone", "电话"
    IN_PERSON = "in_person", "当面提交"
    OTHER = "other", "其他渠道"


class Submission(models.Model):
    """Material sent to a publishing unit's drop box (报送箱, W-03). Nothing is ever
    deleted: every item keeps a status and, when declined or returned, the reason."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    drop_box = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="drop_box_items", verbose_name="报送箱"
    )
    provider_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name="提供单位",
    )
    submitted_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    external = models.BooleanField("外部投稿", default=False)  # E-07
    external_name = models.CharField("投稿人", max_length=100, blank=True)
    external_contact = models.CharField("联系方式", max_length=200, blank=True)
    external_via = models.CharField(
        "来稿渠道", max_length=16, choices=ExternalVia.choices, blank=True, default=""
    )
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容")
    source = models.CharField("信息来源", max_length=200, blank=True)
    assets = models.ManyToManyField(Asset, blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=SubmissionStatus.choices)
    status_reason = models.TextField("原因", blank=True)
    provider_approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    provider_approved_at = models.DateTimeField(null=True, blank=True)
    taken_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        "content.Post", on_delete=models.PROTECT, null=True, blank=True, related_name="materials"
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["drop_box", "status", "created"])]
        verbose_name = "报送素材"
        verbose_name_plural = "报送素材"

    def __str__(self) -> str:
        return self.title

    def permission_unit(self) -> Unit:
        return self.provider_unit or self.drop_box


class PostStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    IN_REVIEW = "in_review", "审核中"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已退回"
    SCHEDULED = "scheduled", "已排期"
    PUBLISHED = "published", "已发布"
    EXPIRED = "expired", "已过期"
    WITHDRAWN = "withdrawn", "已撤回"


class WeekPlan(models.Model):
    """A column's week plan (R-03 周计划): the seven posts of one week (Mon–Sun, one a day)
    of one column, written on one form and submitted, reviewed and shown together."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="week_plans")
    column = models.CharField("专栏", max_length=64)
    week_start = models.DateField("周一")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-week_start", "-id"]
        indexes = [models.Index(fields=["organisation", "column", "week_start"])]
        verbose_name = "周计划"
        verbose_name_plural = "周计划"

    def __str__(self) -> str:
        return f"{self.column} {self.week_start:%m-%d} 周计划"

    def permission_unit(self) -> Unit:
        return self.unit


class Post(models.Model):
    """A piece to publish (稿件). Its content lives in immutable revisions; the post
    points at the current one and, once a review run approved it, the approved one."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="posts")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    title = models.CharField("标题", max_length=200)
    status = models.CharField(max_length=16, choices=PostStatus.choices, default=PostStatus.DRAFT)
    current_revision = models.ForeignKey(
        "content.PostRevision", on_delete=models.PROTECT, null=True, related_name="+"
    )
    approved_revision = models.ForeignKey(
        "content.PostRevision", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name="订正的稿件",
    )
    week_plan = models.ForeignKey(
        WeekPlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts",
        verbose_name="周计划",
    )
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "created"]),
            models.Index(fields=["unit", "created"]),
        ]
        constraints = [
            # An approved post's approval must be for its current content (invariant 1).
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_revision=models.F("current_revision")),
                name="approved_is_current",
            )
        ]
        verbose_name = "稿件"
        verbose_name_plural = "稿件"

    def __str__(self) -> str:
        return self.title

    def permission_unit(self) -> Unit:
        return self.unit


class PostRevision(models.Model):
    """One immutable state of a post (版本). The database refuses UPDATE (migration 0002);
    ``content_hash`` covers text, media and targets — what a review approves."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField("标题", max_length=200)
    body = models.TextField("正文")
    category = models.CharField("信息类别", max_length=64)
    subtype = models.CharField("子类", max_length=64, blank=True)
    column = models.CharField("专栏", max_length=64, blank=True)
    hashtag = models.CharField("话题", max_length=40, blank=True)
    channels = models.ManyToManyField(Channel, related_name="+")
    channel_keys = models.JSONField(default=list)
    asset_hashes = models.JSONField(default=list)
    assets = models.ManyToManyField(Asset, blank=True, related_name="+")
    source = models.CharField("信息来源", max_length=200, blank=True)
    sensitive = models.BooleanField("重大/突发/敏感", default=False)
    emergency = models.BooleanField("特殊天气", default=False)
    planned_at = models.DateTimeField("计划发布时间", null=True, blank=True)
    content_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["post_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="revision_number_once")
        ]
        verbose_name = "稿件版本"
        verbose_name_plural = "稿件版本"

    def __str__(self) -> str:
        return f"{self.post_id} v{self.number}"

    def permission_unit(self) -> Unit:
        return self.post.unit
