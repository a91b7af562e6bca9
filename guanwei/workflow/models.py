"""Approval chains at run time, like Wagtail's workflows: a run per subject bound to one
immutable revision, step runs, decisions, delegations and filings
(REQ W-14, W-15, C-07, C-09, T-04, R-04)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from guanwei.content.models import Post, PostRevision, Submission
from guanwei.orgs.models import Organisation, Unit, User


class RunStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "审核中"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已退回"
    CANCELLED = "cancelled", "已撤销"


class AuthorisationStatus(models.TextChoices):
    IN_REVIEW = "in_review", "审批中"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class AuthorisationRequest(models.Model):
    """附二 官方微博授权审批表 (R-05, R-06): who is authorised on an account, for what and
    for how long. Recorded when requested; it goes through the pack's ``authorisation``
    chain (``applies_to = "credential"``) and prints once approved, with its opinions."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.PROTECT, related_name="authorisations"
    )
    grantee = models.CharField("被授权人", max_length=64)
    grantee_title = models.CharField("职务", max_length=64, blank=True)
    scope = models.CharField("授权范围", max_length=200)
    reason = models.TextField("授权事由")
    valid_from = models.DateTimeField("有效期自", null=True, blank=True)
    valid_until = models.DateTimeField("有效期至", null=True, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=AuthorisationStatus.choices, default=AuthorisationStatus.IN_REVIEW
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "授权审批"
        verbose_name_plural = "授权审批"

    def __str__(self) -> str:
        return f"授权 {self.grantee}"


class ApplicationKind(models.TextChoices):
    OPEN = "open", "开通"
    CHANGE = "change", "负责人、管理人员变更"


class AccountApplication(models.Model):
    """The account application form (审批表; college 第四条, C-02/C-03; the weather
    bureau's 开通审批表 alike): an account to open, or its responsible person or manager
    changed. Recorded with the people as they stand when asked, it goes through the pack's
    chain with ``applies_to = "channel"`` and ``form = "application"`` and prints each
    step's decider, opinion and date from that run."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.PROTECT, related_name="applications"
    )
    kind = models.CharField(
        "申请事项", max_length=16, choices=ApplicationKind.choices, default=ApplicationKind.OPEN
    )
    purpose = models.TextField("申请说明")
    other_media = models.CharField("其它新媒体名称", max_length=128, blank=True)
    manager_name = models.CharField(max_length=64, blank=True)
    manager_title = models.CharField(max_length=64, blank=True)
    manager_phone = models.CharField(max_length=32, blank=True)
    manager_qq = models.CharField("QQ号", max_length=32, blank=True)
    responsible_name = models.CharField(max_length=64, blank=True)
    responsible_title = models.CharField(max_length=64, blank=True)
    responsible_phone = models.CharField(max_length=32, blank=True)
    # the people the form names (decision 0033): for an opening, the account's first
    # manager and responsible person; for a change (C-03), the new ones, set on the account
    # by the channels action once the chain approves
    manager = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    responsible = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    account_number = models.CharField("微信、微博号", max_length=128, blank=True)
    applied_on = models.DateField("申请时间", null=True, blank=True)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=AuthorisationStatus.choices, default=AuthorisationStatus.IN_REVIEW
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # 此表一式两份 (decision 0033): the approved form printed and filed, how many copies and
    # by whom (the FORM_PRINTED audit keeps each print; this is the filing itself)
    archived_copies = models.PositiveSmallIntegerField("存档份数", default=0)
    archived_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = "账号申请审批"
        verbose_name_plural = "账号申请审批"

    def __str__(self) -> str:
        return f"审批表 {self.get_kind_display()}"


class WorkflowRun(models.Model):
    """One pass of a subject through its chain. At most one run in progress per post
    and per submission (conditional unique constraints)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(max_length=16)  # post | material | credential | application
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    revision = models.ForeignKey(
        PostRevision, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    content_hash = models.CharField(max_length=64, blank=True)
    submission = models.ForeignKey(
        Submission, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    authorisation = models.ForeignKey(
        AuthorisationRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    application = models.ForeignKey(
        AccountApplication, on_delete=models.PROTECT, null=True, blank=True, related_name="runs"
    )
    chain_key = models.CharField(max_length=64)
    chain_name = models.CharField(max_length=128)
    chain = models.JSONField()  # the chain as in force when the run started
    pack_version = models.CharField(max_length=64)
    screening_verdict = models.CharField(max_length=8, blank=True)
    # C-07: why this chain was chosen, in words naming the pack's rule (the post page shows it)
    chain_reason = models.TextField("选用理由", blank=True)
    status = models.CharField(
        max_length=16, choices=RunStatus.choices, default=RunStatus.IN_PROGRESS
    )
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(status="in_progress"), name="one_run_per_post"
            ),
            models.UniqueConstraint(
                fields=["submission"],
                condition=Q(status="in_progress"),
                name="one_run_per_submission",
            ),
        ]
        verbose_name = "审核流程"
        verbose_name_plural = "审核流程"

    def __str__(self) -> str:
        return f"{self.chain_name} #{self.pk}"


class StepStatus(models.TextChoices):
    WAITING = "waiting", "未开始"
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已同意"
    REJECTED = "rejected", "不同意"
    CANCELLED = "cancelled", "已撤销"


class StepRun(models.Model):
    run = models.ForeignKey(WorkflowRun, on_delete=models.PROTECT, related_name="steps")
    index = models.PositiveSmallIntegerField()
    key = models.CharField(max_length=64)
    name = models.CharField(max_length=128)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    roles = models.JSONField(default=list)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    mode = models.CharField(max_length=8, default="any")
    required_user_ids = models.JSONField(default=list)  # mode "all": who must approve
    # distinct deciders (issue 10 §3): the pack lets someone who decided an earlier step
    # of the run decide this one too
    allow_previous_decider = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=StepStatus.choices, default=StepStatus.WAITING)
    activated_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run_id", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="step_index_once")]
        verbose_name = "审核环节"
        verbose_name_plural = "审核环节"

    def __str__(self) -> str:
        return f"{self.run_id}/{self.index} {self.name}"

    def permission_unit(self) -> Unit:
        return self.unit


class Eligibility(models.Model):
    """Who may decide an open step, denormalised for the review queue: one row per
    (unit, role) or named user. ``open`` flips off when the step is decided; the queue
    is one index range scan ordered by ``activated_at``."""

    step = models.ForeignKey(StepRun, on_delete=models.CASCADE, related_name="eligibility")
    organisation_id_copy = models.BigIntegerField(db_index=True)
    unit_id_copy = models.BigIntegerField(null=True)
    role = models.CharField(max_length=64, blank=True)
    user_id_copy = models.BigIntegerField(null=True)
    delegated = models.BooleanField(default=False)
    open = models.BooleanField(default=True)
    activated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                fields=["unit_id_copy", "role", "activated_at", "id"],
                condition=Q(open=True),
                name="queue_by_role",
            ),
            models.Index(
                fields=["user_id_copy", "activated_at", "id"],
                condition=Q(open=True),
                name="queue_by_user",
            ),
            models.Index(
                fields=["organisation_id_copy", "activated_at", "id"],
                condition=Q(open=True),
                name="queue_by_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.step_id}: {self.unit_id_copy}/{self.role} {self.user_id_copy}"


class Decision(models.Model):
    class Verdict(models.TextChoices):
        APPROVE = "approve", "同意"
        REJECT = "reject", "不同意"

    step = models.ForeignKey(StepRun, on_delete=models.PROTECT, related_name="decisions")
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=8, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    acknowledged_hits = models.BooleanField(default=False)
    on_behalf_of = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delegation = models.ForeignKey(
        "workflow.Delegation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created = models.DateTimeField()

    class Meta:
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "actor"], name="one_decision_per_person")
        ]
        verbose_name = "审核意见"
        verbose_name_plural = "审核意见"

    def __str__(self) -> str:
        return f"{self.actor} {self.verdict}"


class Delegation(models.Model):
    """A deputy decides a chain step in the usual decider's place, with the recorded
    consent of the executive leader (R-04)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    chain_key = models.CharField(max_length=64)
    step_key = models.CharField(max_length=64)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    delegate = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    absent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    consent_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "代审授权"
        verbose_name_plural = "代审授权"

    def __str__(self) -> str:
        return f"{self.delegate} 代 {self.absent}"


class Filing(models.Model):
    """A frozen record of what was approved and by whom (备案, C-07)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="filings")
    revision = models.ForeignKey(PostRevision, on_delete=models.PROTECT, related_name="+")
    run = models.OneToOneField(WorkflowRun, on_delete=models.PROTECT, related_name="filing")
    content_hash = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField()
    chain_name = models.CharField(max_length=128)
    approvers = models.JSONField()  # [{step, name, username, decided_at, comment, on_behalf_of}]
    filed_at = models.DateTimeField()

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = "备案记录"
        verbose_name_plural = "备案记录"

    def __str__(self) -> str:
        return f"备案 {self.title}"
