"""Drop box, posts and revisions (REQ W-03, W-09, W-15, T-03, T-05, E-02, E-07, R-01, E-03).

Each function checks permission, enforces the invariants and writes the audit record
in one transaction. This room owns ``Post.status``: the rooms above change it only through
the guarded ``mark_*`` transitions below. Content never imports the rooms above it: review
runs (workflow) and publications (publishing) react to an edit or a submission through the
hooks they register in ``content.hooks`` at start-up (DESIGN invariant 1; issue #8 §7).
"""

from __future__ import annotations

import hashlib
import uuid
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from guanwei.audit.actions import record, record_many
from guanwei.audit.events import AuditAction
from guanwei.channels import scope
from guanwei.channels.models import Channel, ChannelStatus
from guanwei.content.hashing import content_hash
from guanwei.content.models import (
    Asset,
    ExternalVia,
    Post,
    PostRevision,
    PostStatus,
    Submission,
    SubmissionStatus,
    Text,
    WeekPlan,
)
from guanwei.content.queries import decided_on_material
from guanwei.core import files
from guanwei.core.actors import is_system
from guanwei.core.catalog import PERMISSIONS
from guanwei.notify.actions import notify
from guanwei.orgs.errors import InvalidChange, PermissionDenied
from guanwei.orgs.models import Unit, User
from guanwei.orgs.permissions import SYSTEM, Actor, can, require
from guanwei.orgs.rules import rules_for

MAX_ASSET_BYTES = 20 * 1024 * 1024
EDITABLE_FIELDS = (
    "title",
    "body",
    "category",
    "subtype",
    "column",
    "channels",
    "assets",
    "source",
    "sensitive",
    "emergency",
    "planned_at",
)


def _submission_snapshot(s: Submission) -> dict[str, Any]:
    return {
        "title": s.title,
        "status": s.status,
        "drop_box": s.drop_box.key,
        "provider_unit": s.provider_unit.key if s.provider_unit else None,
        "external": s.external,
        "external_via": s.external_via,
        "source": s.source,
    }


def screened_text(title: str, body: str) -> str:
    """What is screened of a submission: title, line break, body (verdict offsets index it)."""
    return f"{title}\n{body}"


def _screen_submission(submission: Submission, *, actor: Actor | None, refuse: bool) -> str:
    """Screen material with the organisation's engine and packs, like a post (C-06); the
    verdict is kept for the leader's and the editor's pages. ``refuse``: a block-severity
    hit refuses the material (the caller's transaction rolls back)."""
    from guanwei.screening.actions import screen_object
    from guanwei.screening.queries import block_reasons

    text = screened_text(submission.title, submission.body)
    result, _ = screen_object(
        submission.organisation,
        actor=actor,
        object_type="submission",
        object_id=submission.pk,
        text=text,
        source=submission.source,
        title=submission.title,
        has_picture=submission.assets.exists(),  # E-01: its pictures count
    )
    if refuse and result.verdict == "block":
        reasons = "；".join(block_reasons(text, result))
        raise InvalidChange(f"素材筛查未通过，不能报送：{reasons}。请修改后再发送。")
    return result.verdict


def _require_text(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidChange(f"{label}不能为空。")
    return value


def _check_same_org(unit: Unit, other: Unit) -> None:
    if unit.organisation_id != other.organisation_id:
        raise InvalidChange("报送箱不属于本单位。")


# ------------------------------------------------------------------ assets (E-02)


def video_allowed(organisation_id: int) -> bool:
    """MP4 is taken only where a pack in force says so: ``[[uploads]] video = true``."""
    return any(e.get("video") is True for e in rules_for(organisation_id).extra("uploads"))


def _checked_upload(organisation_id: int, upload: UploadedFile) -> tuple[files.Kind, bytes]:
    """What the file is by its bytes, and the bytes to store (pictures re-encoded)."""
    data = b"".join(upload.chunks())
    upload.seek(0)
    kind = files.sniff(data)
    video = video_allowed(organisation_id)
    if kind is None or (kind is files.MP4 and not video):
        raise InvalidChange(
            "不支持这种文件（按文件内容判断，与文件名和扩展名无关）。"
            f"可以上传：{files.allowed_labels(video=video)}。"
        )
    if kind.picture:
        try:
            data = files.reencode(data, kind, max_pixels=settings.GUANWEI_MAX_IMAGE_PIXELS)
        except files.Refused as e:
            raise InvalidChange(str(e)) from e
    return kind, data


@dataclass(frozen=True)
class CheckedUpload:
    """A file whose bytes were checked (and a picture re-encoded) outside any transaction,
    ready to be stored by an action that writes it with the rest of its work
    (:func:`check_upload`; the R-03 week plan's pictures)."""

    unit: Unit
    upload: UploadedFile
    kind: files.Kind
    data: bytes


def check_upload(unit: Unit, *, actor: User, upload: UploadedFile) -> CheckedUpload:
    """Who may put a file into the library of ``unit``, and what it is by its bytes (issue
    #9 §2) — everything :func:`upload_asset` checks, nothing written. Decoding a large
    picture takes seconds: done before the transaction (on SQLite it holds the write lock,
    §15)."""
    if not (can(actor, "material.submit", unit) or can(actor, "post.create", unit)):
        raise PermissionDenied("您没有向该部门素材库上传文件的权限。")
    if upload.size is None or upload.size > MAX_ASSET_BYTES:
        raise InvalidChange("文件不能超过 20 MB。")
    kind, data = _checked_upload(unit.organisation_id, upload)
    return CheckedUpload(unit, upload, kind, data)


def store_upload(checked: CheckedUpload, *, actor: User, title: str = "") -> Asset:
    """Store a file :func:`check_upload` accepted, in the caller's transaction."""
    if not (can(actor, "material.submit", checked.unit) or can(actor, "post.create", checked.unit)):
        raise PermissionDenied("您没有向该部门素材库上传文件的权限。")
    return _store_asset(
        checked.unit,
        actor=actor,
        upload=checked.upload,
        title=title,
        kind=checked.kind,
        data=checked.data,
    )


def upload_asset(unit: Unit, *, actor: User, upload: UploadedFile, title: str = "") -> Asset:
    """Put a picture or file into the library of ``unit`` for reuse (E-02).

    The type is decided from the bytes (issue #9 §2): only pictures (JPEG, PNG, GIF, WebP,
    decoded and re-encoded: no polyglot, no metadata), PDF/DOCX/XLSX attachments and, where
    a pack allows video, MP4. The file is stored under a generated name with the sniffed
    extension; the uploader's file name is only the title (display text)."""
    # the bytes are checked and a picture written again before the transaction (§15)
    return store_upload(check_upload(unit, actor=actor, upload=upload), actor=actor, title=title)


class _KeepOnCommit:
    """A file written inside a transaction that must not outlive its rollback (E-02).

    Django has no rollback hook, but it runs an ``on_commit`` callback when the transaction
    commits and drops it, unrun, when the transaction or the savepoint it was registered in
    rolls back (or the connection closes). This callback marks the file kept when run; its
    finalizer, called when the callback is dropped, deletes the file unless it was kept.
    (Were an earlier non-robust on_commit callback to fail, the file of a committed row
    would be deleted too; ours is robust and the content room registers no other.)"""

    def __init__(self, storage: Any, name: str) -> None:
        self.kept = {"kept": False}
        weakref.finalize(self, _delete_unless_kept, self.kept, storage, name)

    def __call__(self) -> None:
        self.kept["kept"] = True


def _delete_unless_kept(kept: dict[str, bool], storage: Any, name: str) -> None:
    if not kept["kept"]:
        try:
            storage.delete(name)
        except OSError:
            pass


@transaction.atomic
def _store_asset(
    unit: Unit, *, actor: User, upload: UploadedFile, title: str, kind: files.Kind, data: bytes
) -> Asset:
    """``upload_asset``'s one transaction: the row, the file, the OCR task, the audit."""
    name = (upload.name or "").rsplit("/", 1)[-1].strip() or "file"
    asset = Asset(
        organisation_id=unit.organisation_id,
        unit=unit,
        kind=Asset.Kind.IMAGE if kind.picture else Asset.Kind.FILE,
        title=(title.strip() or name)[:200],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        uploaded_by=actor,
    )
    asset.file.save(f"{uuid.uuid4().hex}.{kind.extension}", ContentFile(data), save=True)
    # The file is on disk before the transaction ends: removed again if it rolls back
    # (a refused week plan, post or material keeps no picture).
    transaction.on_commit(_KeepOnCommit(asset.file.storage, str(asset.file.name)), robust=True)
    if kind.picture and getattr(settings, "GUANWEI_OCR", False):
        # C-06: the text in the picture is read by the task worker, never in a request
        # (issue #9 §15). Enqueued in this transaction: with the database backend the task
        # row commits (or rolls back) with the asset.
        from guanwei.content.tasks import read_picture_text

        Asset.objects.filter(pk=asset.pk).update(text_status=Asset.TextStatus.PENDING)
        asset.text_status = Asset.TextStatus.PENDING
        read_picture_text.enqueue(asset.pk)
        asset.refresh_from_db(fields=["text_status", "picture_text"])
    record(
        AuditAction.ASSET_UPLOADED,
        actor=actor,
        object_type="asset",
        object_id=asset.pk,
        object_repr=asset.title,
        organisation_id=unit.organisation_id,
        after={
            "title": asset.title,
            "sha256": asset.sha256,
            "size": asset.size,
            "type": kind.content_type,
            "uploaded_size": upload.size,
        },
    )
    return asset


@transaction.atomic
def record_picture_text(asset_id: int, *, text: str, status: str) -> str:
    """The OCR task's result for a library picture (C-06, issue #9 §15): the text the
    submission screens. System work, from the task worker; audited."""
    updated = Asset.objects.filter(pk=asset_id).update(
        picture_text=text[:20000], text_status=status
    )
    if updated:
        asset = Asset.objects.get(pk=asset_id)
        record(
            AuditAction.ASSET_TEXT_READ,
            actor=SYSTEM,
            object_type="asset",
            object_id=asset.pk,
            object_repr=asset.title,
            organisation_id=asset.organisation_id,
            after={"picture_text": status, "characters": len(text)},
        )
    return status


@transaction.atomic
def save_library_text(unit: Unit, *, actor: User, title: str, body: str, source: str = "") -> Text:
    """Put a text prepared ahead into the content library of ``unit`` (内容库, E-02), for
    reuse in posts. Who writes or provides for the unit may; screened when a post uses it."""
    if not (can(actor, "post.create", unit) or can(actor, "material.submit", unit)):
        raise PermissionDenied("只有本单位的编辑或供稿人可以向内容库添加文字。")
    text = Text.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        title=_require_text(title, "标题"),
        body=_require_text(body, "正文"),
        source=(source or "").strip(),
        created_by=actor,
    )
    record(
        AuditAction.LIBRARY_TEXT_SAVED,
        actor=actor,
        object_type="library_text",
        object_id=text.pk,
        object_repr=text.title,
        organisation_id=unit.organisation_id,
        after={"title": text.title, "unit": unit.key, "characters": len(text.body)},
    )
    return text


def _assets_of(
    unit: Unit,
    assets: Iterable[Asset],
    *,
    actor: Actor | None = None,
    perm: str = "",
    also: Iterable[int] = (),
) -> list[Asset]:
    """The files a post or material may carry (E-02, decision 0017: the library is per
    unit): those of ``unit``'s own library, of a library the actor may use for ``perm``
    (the units he writes or provides for — what the form offers), and ``also`` (the files
    of the material a post is written from, or those its current version already carries).
    Never another organisation's, never another unit's by a forged form."""
    out = list(assets)
    allowed = set(also)
    for a in out:
        if a.organisation_id != unit.organisation_id:
            raise InvalidChange("只能使用本单位素材库中的文件。")
        if a.unit_id == unit.pk or a.pk in allowed:
            continue
        if perm and actor is not None and not is_system(actor) and can(actor, perm, a.unit):
            continue
        raise InvalidChange(f"“{a.title}”不在本部门素材库中，不能使用其他部门素材库的文件。")
    return out


# ------------------------------------------------------------------ drop box (W-03, W-15)


@transaction.atomic
def submit_material(
    provider_unit: Unit,
    *,
    actor: User,
    drop_box: Unit,
    title: str,
    body: str,
    source: str,
    assets: Sequence[Asset] = (),
) -> Submission:
    """An information officer sends material to a publishing unit's drop box (W-03, T-03).

    The pack's material chain (W-15: the provider's supervising leader approves first)
    decides whether it waits for the leader or lands in the box at once. A source is
    required (T-05)."""
    require(actor, "material.submit", provider_unit)
    _check_same_org(provider_unit, drop_box)
    submission = Submission.objects.create(
        organisation_id=provider_unit.organisation_id,
        drop_box=drop_box,
        provider_unit=provider_unit,
        submitted_by=actor,
        title=_require_text(title, "标题"),
        body=_require_text(body, "内容"),
        source=_require_text(source, "信息来源（T-05：来源不明的信息不予发布）"),
        status=SubmissionStatus.NEW,
    )
    submission.assets.set(_assets_of(provider_unit, assets, actor=actor, perm="material.submit"))
    _screen_submission(submission, actor=actor, refuse=True)
    record(
        AuditAction.MATERIAL_SUBMITTED,
        actor=actor,
        object_type="submission",
        object_id=submission.pk,
        object_repr=submission.title,
        organisation_id=submission.organisation_id,
        after=_submission_snapshot(submission),
    )
    from guanwei.content.hooks import run_material_hooks

    run_material_hooks(submission, actor)  # W-15: workflow starts the provider's chain
    submission.refresh_from_db()
    return submission


@transaction.atomic
def submit_external(
    drop_box: Unit,
    *,
    actor: Actor | None,
    name: str,
    contact: str,
    title: str,
    body: str,
    via: str = ExternalVia.WEIBO_DM,
    assets: Sequence[Asset] = (),
) -> Submission:
    """A contribution from the public (students, teachers, parents) by private message
    lands in the same drop box, marked external (E-07): who sent it, by which channel.
    ``actor`` is the staff member who recorded it (who runs that drop box), or ``SYSTEM``
    when it arrived through a platform adapter. ``assets``: the pictures it came with,
    put in the box's library first."""
    if not is_system(actor):
        require(actor, "dropbox.manage", drop_box)
    if via not in ExternalVia.values:
        raise InvalidChange("请选择来稿渠道。")
    submission = Submission.objects.create(
        organisation_id=drop_box.organisation_id,
        drop_box=drop_box,
        external=True,
        external_name=_require_text(name, "投稿人"),
        external_contact=contact.strip(),
        external_via=via,
        title=_require_text(title, "标题"),
        body=_require_text(body, "内容"),
        source=f"外部投稿（{ExternalVia(via).label}）：{name.strip()}",
        status=SubmissionStatus.NEW,
    )
    submission.assets.set(_assets_of(drop_box, assets, actor=actor, perm="dropbox.manage"))
    # A contribution from the public is kept whatever it says; the editor sees the hits.
    _screen_submission(submission, actor=actor, refuse=False)
    record(
        AuditAction.MATERIAL_SUBMITTED,
        actor=actor,
        object_type="submission",
        object_id=submission.pk,
        object_repr=submission.title,
        organisation_id=submission.organisation_id,
        after=_submission_snapshot(submission),
    )
    return submission


def _transition(
    submission: Submission,
    allowed: set[str],
    to: str,
    *,
    actor: Actor | None,
    action: AuditAction,
    reason: str = "",
    **fields: Any,
) -> Submission:
    """Conditional UPDATE: exactly one caller moves an item out of a status."""
    before = _submission_snapshot(submission)
    changed = Submission.objects.filter(pk=submission.pk, status__in=allowed).update(
        status=to, status_reason=reason, updated=timezone.now(), **fields
    )
    if changed != 1:
        submission.refresh_from_db()
        raise InvalidChange(
            f"该素材当前状态为“{submission.get_status_display()}”，不能执行此操作。"
        )
    submission.refresh_from_db()
    record(
        action,
        actor=actor,
        object_type="submission",
        object_id=submission.pk,
        object_repr=submission.title,
        organisation_id=submission.organisation_id,
        before=before,
        after={**_submission_snapshot(submission), "reason": reason},
    )
    return submission


@transaction.atomic
def take_submission(submission: Submission, *, actor: User) -> Submission:
    """The publishing unit accepts an item from its drop box (W-03)."""
    require(actor, "dropbox.manage", submission.drop_box)
    return _transition(
        submission,
        {SubmissionStatus.NEW},
        SubmissionStatus.TAKEN,
        actor=actor,
        action=AuditAction.MATERIAL_TAKEN,
        taken_by=actor,
    )


@transaction.atomic
def decline_submission(submission: Submission, *, actor: User, reason: str) -> Submission:
    """Decline with a reason the provider sees (W-03: nothing silently dropped)."""
    require(actor, "dropbox.manage", submission.drop_box)
    submission = _transition(
        submission,
        {SubmissionStatus.NEW, SubmissionStatus.TAKEN},
        SubmissionStatus.DECLINED,
        actor=actor,
        action=AuditAction.MATERIAL_DECLINED,
        reason=_require_text(reason, "不予采用的原因"),
    )
    if submission.submitted_by_id:  # the officer is told why, in their notices
        notify(
            [submission.submitted_by_id],
            organisation_id=submission.organisation_id,
            title=f"素材《{submission.title}》不予采用",
            body=f"{submission.drop_box.name}：{submission.status_reason}",
            link=f"/content/materials/{submission.pk}/",
        )
    return submission


def mark_provider_decision(
    submission: Submission, *, actor: User, approved: bool, reason: str = ""
) -> Submission:
    """Called by the workflow room when the material chain finishes (W-15)."""
    if approved:
        return _transition(
            submission,
            {SubmissionStatus.AWAITING_LEADER},
            SubmissionStatus.NEW,
            actor=actor,
            action=AuditAction.MATERIAL_APPROVED_BY_PROVIDER,
            provider_approved_by=actor,
            provider_approved_at=timezone.now(),
        )
    return _transition(
        submission,
        {SubmissionStatus.AWAITING_LEADER},
        SubmissionStatus.RETURNED,
        actor=actor,
        action=AuditAction.MATERIAL_RETURNED,
        reason=reason,
    )


@transaction.atomic
def resubmit_material(
    submission: Submission, *, actor: User, title: str, body: str, source: str
) -> Submission:
    """The provider edits material their leader returned (退回) and sends it again (W-15):
    screened again as at the first send (a block-severity hit refuses it, nothing changes),
    audited with the text before and after, and the pack's material chain started again
    (the leader decides anew). Only returned material, only by its provider unit."""
    if submission.provider_unit is None:
        raise InvalidChange("只有本单位报送的素材可以修改后重新报送。")
    require(actor, "material.submit", submission.provider_unit)
    if decided_on_material(actor, submission):
        raise PermissionDenied("退回素材的领导不能代为修改重新报送，请由报送人修改后重新报送。")
    before = {**_submission_snapshot(submission), "body": submission.body}
    reason = submission.status_reason
    changed = Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.RETURNED).update(
        title=_require_text(title, "标题"),
        body=_require_text(body, "内容"),
        source=_require_text(source, "信息来源（T-05：来源不明的信息不予发布）"),
        status=SubmissionStatus.NEW,
        status_reason="",
        submitted_by=actor,
        provider_approved_by=None,
        provider_approved_at=None,
        updated=timezone.now(),
    )
    if changed != 1:
        submission.refresh_from_db()
        raise InvalidChange(
            f"素材当前状态为“{submission.get_status_display()}”，只有已退回的素材可以修改后重新报送。"
        )
    submission.refresh_from_db()
    _screen_submission(submission, actor=actor, refuse=True)
    record(
        AuditAction.MATERIAL_RESUBMITTED,
        actor=actor,
        object_type="submission",
        object_id=submission.pk,
        object_repr=submission.title,
        organisation_id=submission.organisation_id,
        before={**before, "reason": reason},
        after={**_submission_snapshot(submission), "body": submission.body},
    )
    from guanwei.content.hooks import run_material_hooks

    run_material_hooks(submission, actor)  # W-15: the leader's chain again
    submission.refresh_from_db()
    return submission


def mark_awaiting_leader(submission: Submission) -> bool:
    """A material chain started for a new item (workflow, W-15): it waits for the
    provider's supervising leader before it reaches the drop box."""
    won = Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.NEW).update(
        status=SubmissionStatus.AWAITING_LEADER, updated=timezone.now()
    )
    if won == 1:
        record(
            AuditAction.MATERIAL_AWAITING_LEADER,
            actor=SYSTEM,
            object_type="submission",
            object_id=submission.pk,
            object_repr=submission.title,
            organisation_id=submission.organisation_id,
            before={"status": SubmissionStatus.NEW},
            after={"status": SubmissionStatus.AWAITING_LEADER},
        )
    return won == 1


# ------------------------------------------------------------------ posts and revisions


def _validated(
    unit: Unit, data: dict[str, Any], *, actor: User, also_assets: Iterable[int] = ()
) -> dict[str, Any]:
    """Check the editorial fields against the pack (W-09, R-01, E-03) and the org."""
    rules = rules_for(unit.organisation_id)
    title = _require_text(data.get("title", ""), "标题")
    body = _require_text(data.get("body", ""), "正文")
    category_key = data.get("category", "")
    category = rules.category(category_key)
    if category is None:
        raise InvalidChange("请选择制度规定的信息类别。")
    subtype = data.get("subtype", "") or ""
    if subtype and subtype not in {s["key"] for s in category.get("subtypes", [])}:
        raise InvalidChange(f"子类“{subtype}”不属于类别“{category['name']}”。")
    column_key = data.get("column", "") or ""
    hashtag = ""
    if column_key:
        column = rules.column(column_key)
        if column is None:
            raise InvalidChange(f"专栏“{column_key}”不在制度包中。")
        hashtag = column["hashtag"]
    channels: list[Channel] = list(data.get("channels") or [])
    if not channels:
        raise InvalidChange("请至少选择一个发布账号。")
    for channel in channels:
        if channel.organisation_id != unit.organisation_id:
            raise InvalidChange("只能选择本单位的账号。")
        if channel.status != ChannelStatus.ACTIVE:
            raise InvalidChange(f"账号“{channel.name}”不在运行中，不能发布。")
        if not scope.may_address(unit, channel):
            raise InvalidChange(
                f"{unit.name}的稿件不能发布到“{channel.name}”（{channel.unit.name}的账号，"
                "制度包未向本单位开放）。"
            )
    assets = _assets_of(
        unit, data.get("assets") or [], actor=actor, perm="post.create", also=also_assets
    )
    planned_at: datetime | None = data.get("planned_at")
    if planned_at is not None and timezone.is_naive(planned_at):
        raise InvalidChange("计划发布时间缺少时区。")
    if planned_at is not None and planned_at <= timezone.now():
        raise InvalidChange(
            f"计划发布时间已过（{timezone.localtime(planned_at):%m-%d %H:%M}）："
            "请选择将来的时间，或清空计划时间。"
        )
    return {
        "title": title,
        "body": body,
        "category": category_key,
        "subtype": subtype,
        "column": column_key,
        "hashtag": hashtag,
        "channels": channels,
        "assets": assets,
        "source": (data.get("source") or "").strip(),
        "sensitive": bool(data.get("sensitive")),
        "emergency": bool(data.get("emergency")),
        "planned_at": planned_at,
    }


def _check_flag_permission(unit: Unit, actor: Actor, data: dict[str, Any], was: bool) -> None:
    """W-12: the fast-path box (特殊天气（随时发布）) is for who holds the permission the
    pack's chain names (``post.emergency``); ticking it without is refused. An edit that
    keeps a box already ticked (by who held it) is not a new tick."""
    if not data["emergency"] or was:
        return
    rules = rules_for(unit.organisation_id)
    permission = rules.flag_permission("emergency")
    if permission and not can(actor, permission, unit):
        raise PermissionDenied(
            f"您不能勾选“{rules.flag_label('emergency')}”：这需要在{unit.name}具有"
            f"“{PERMISSIONS.get(permission, permission)}”的权限。请取消勾选后保存，"
            "按一般流程提交审核，或请有此权限的发布人员处理。"
        )


def column_writers(unit: Unit, column: dict[str, Any]) -> bool:
    """R-02: whether ``unit`` may draft in ``column`` — always, unless the pack says the
    column is its owning department's (``owner_only``): then the owner and units under it."""
    if not column.get("owner_only") or not column.get("owner_unit"):
        return True
    owner = Unit.objects.filter(
        organisation_id=unit.organisation_id, key=column["owner_unit"]
    ).first()
    return owner is not None and unit.is_within(owner)


def _check_column_owner(unit: Unit, column_key: str, providers: Sequence[Unit | None]) -> None:
    """R-02: a post in an owned column is drafted by the owning department, or made from
    drop-box material that department supplied — or, where the column names the roles
    that approve it (``owner_review``), drafted elsewhere and approved by that department
    (its step is added to the chain at submission: ``workflow.chains.with_column_owner``)."""
    if not column_key:
        return
    column = rules_for(unit.organisation_id).column(column_key)
    if column is None or column_writers(unit, column) or column.get("owner_review"):
        return
    if any(p is not None and column_writers(p, column) for p in providers):
        return
    owner = Unit.objects.filter(
        organisation_id=unit.organisation_id, key=column["owner_unit"]
    ).first()
    owner_name = owner.name if owner else column["owner_unit"]
    raise InvalidChange(
        f"专栏“{column['hashtag']} {column['name']}”由{owner_name}负责（R-02）：只有{owner_name}"
        f"及其下属单位可以在该专栏撰稿，或据{owner_name}报送的素材撰写。"
    )


def _hash_of(data: dict[str, Any]) -> str:
    return content_hash(
        title=data["title"],
        body=data["body"],
        category=data["category"],
        subtype=data["subtype"],
        column=data["column"],
        hashtag=data["hashtag"],
        channel_keys=sorted(c.key for c in data["channels"]),
        asset_hashes=sorted(a.sha256 for a in data["assets"]),
        source=data["source"],
    )


def _new_revision(post: Post, number: int, data: dict[str, Any], actor: User) -> PostRevision:
    channel_keys = sorted(c.key for c in data["channels"])
    asset_hashes = sorted(a.sha256 for a in data["assets"])
    revision = PostRevision.objects.create(
        post=post,
        number=number,
        title=data["title"],
        body=data["body"],
        category=data["category"],
        subtype=data["subtype"],
        column=data["column"],
        hashtag=data["hashtag"],
        channel_keys=channel_keys,
        asset_hashes=asset_hashes,
        source=data["source"],
        sensitive=data["sensitive"],
        emergency=data["emergency"],
        planned_at=data["planned_at"],
        created_by=actor,
        content_hash=_hash_of(data),
    )
    revision.channels.set(data["channels"])
    revision.assets.set(data["assets"])
    return revision


def revision_fields(r: PostRevision) -> dict[str, Any]:
    """A revision's editable fields, as ``create_post`` / ``revise_post`` take them (and as
    the edit form starts from)."""
    return {
        "title": r.title,
        "body": r.body,
        "category": r.category,
        "subtype": r.subtype,
        "column": r.column,
        "channels": list(r.channels.all()),
        "assets": list(r.assets.all()),
        "source": r.source,
        "sensitive": r.sensitive,
        "emergency": r.emergency,
        "planned_at": r.planned_at,
    }


def revision_snapshot(r: PostRevision) -> dict[str, Any]:
    return {
        "number": r.number,
        "title": r.title,
        "category": r.category,
        "subtype": r.subtype,
        "column": r.column,
        "channels": r.channel_keys,
        "content_hash": r.content_hash,
        "sensitive": r.sensitive,
        "emergency": r.emergency,
    }


@transaction.atomic
def create_post(
    unit: Unit,
    *,
    actor: User,
    materials: Sequence[Submission] = (),
    corrects: Post | None = None,
    **fields: Any,
) -> Post:
    """An editor writes a post in ``unit``, from scratch or from drop-box items (W-03). A
    correction (W-11) is a new post that ``corrects`` a published one of the same unit: a
    published post is never revised (Weibo cannot edit either)."""
    require(actor, "post.create", unit)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidChange(f"未知字段：{', '.join(sorted(unknown))}")
    if corrects is not None and (
        corrects.unit_id != unit.pk or corrects.status != PostStatus.PUBLISHED
    ):
        raise InvalidChange("只能订正本部门已发布的稿件。")
    # E-01: the pictures of the material it is written from, and of the post it corrects
    sent = [a.pk for m in materials for a in m.assets.all()]
    if corrects is not None and corrects.current_revision is not None:
        sent += [a.pk for a in corrects.current_revision.assets.all()]
    data = _validated(unit, fields, actor=actor, also_assets=sent)
    _check_column_owner(unit, data["column"], [m.provider_unit for m in materials])
    _check_flag_permission(unit, actor, data, was=False)
    post = Post.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        created_by=actor,
        title=data["title"],
        corrects=corrects,
    )
    revision = _new_revision(post, 1, data, actor)
    post.current_revision = revision
    post.save(update_fields=["current_revision"])
    for material in materials:
        if material.organisation_id != unit.organisation_id:
            raise InvalidChange("素材不属于本单位。")
        require(actor, "dropbox.manage", material.drop_box)
        _transition(
            material,
            {SubmissionStatus.NEW, SubmissionStatus.TAKEN},
            SubmissionStatus.USED,
            actor=actor,
            action=AuditAction.MATERIAL_TAKEN,
            reason=f"采用为稿件 {post.pk}",
            post=post,
            taken_by=actor,
        )
    record(
        AuditAction.POST_CREATED,
        actor=actor,
        object_type="post",
        object_id=post.pk,
        object_repr=post.title,
        organisation_id=post.organisation_id,
        after={
            **revision_snapshot(revision),
            "materials": [m.pk for m in materials],
            "corrects": corrects.pk if corrects else None,
        },
    )
    return post


@transaction.atomic
def revise_post(post: Post, *, actor: User, **fields: Any) -> PostRevision:
    """Every edit makes a new immutable revision. An edit while in review or after
    approval cancels that review: the new content must be approved again (invariant 1)."""
    require(actor, "post.create", post.unit)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.status in (PostStatus.PUBLISHED, PostStatus.WITHDRAWN):
        raise InvalidChange("已发布或已撤回的稿件不能修改。")
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidChange(f"未知字段：{', '.join(sorted(unknown))}")
    current = post.current_revision
    assert current is not None
    merged = {**revision_fields(current), **fields}
    kept = [a.pk for a in current.assets.all()]
    kept += [a.pk for m in post.materials.all() for a in m.assets.all()]
    data = _validated(post.unit, merged, actor=actor, also_assets=kept)
    _check_flag_permission(post.unit, actor, data, was=current.emergency)
    if data["column"] != current.column:
        _check_column_owner(
            post.unit,
            data["column"],
            [m.provider_unit for m in post.materials.select_related("provider_unit")],
        )
    unchanged = (
        _hash_of(data) == current.content_hash
        and data["planned_at"] == current.planned_at
        and data["sensitive"] == current.sensitive
        and data["emergency"] == current.emergency
    )
    if unchanged:
        raise InvalidChange("内容没有变化，未生成新版本。")
    # Rooms above react first (publishing cancels what is scheduled, or refuses while a
    # send is in flight; workflow cancels the open review), in this transaction.
    from guanwei.content.hooks import run_revise_hooks

    run_revise_hooks(post, actor, f"稿件修改为第 {current.number + 1} 版，需重新审核")
    revision = _new_revision(post, current.number + 1, data, actor)
    before_status = post.status
    post.current_revision = revision
    post.approved_revision = None
    post.title = revision.title
    post.status = PostStatus.DRAFT
    post.save(update_fields=["current_revision", "approved_revision", "title", "status", "updated"])
    record(
        AuditAction.POST_REVISED,
        actor=actor,
        object_type="post",
        object_id=post.pk,
        object_repr=post.title,
        organisation_id=post.organisation_id,
        before={**revision_snapshot(current), "status": before_status},
        after={**revision_snapshot(revision), "status": post.status},
    )
    return revision


# ------------------------------------------------------------------ a post's state
#
# ``Post.status`` belongs to this room. The rooms above change it only through these
# guarded transitions, each one conditional UPDATE that names the revision it is about:
# a late event about an older revision changes nothing (issue #8 §1).


def _move_post(
    post: Post,
    allowed: Iterable[str],
    *,
    audit_into: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> bool:
    """One guarded transition of a post's state, audited (before → after, the revision
    it is about). ``audit_into``: append the record for a caller that writes all of its
    transaction's records last (the dispatcher)."""
    where = fields.pop("where", {})
    before = Post.objects.filter(pk=post.pk).values_list("status", flat=True).first() or post.status
    won = (
        Post.objects.filter(pk=post.pk, status__in=list(allowed))
        .filter(**where)
        .update(updated=timezone.now(), **fields)
    )
    if won != 1:
        return False
    revision = where.get("current_revision") or fields.get("approved_revision")
    entry: dict[str, Any] = {
        "action": AuditAction.POST_STATUS_CHANGED,
        "actor": None,
        "object_type": "post",
        "object_id": post.pk,
        "object_repr": post.title,
        "organisation_id": post.organisation_id,
        "before": {"status": before},
        "after": {
            "status": fields.get("status", before),
            "revision": getattr(revision, "number", None),
        },
    }
    if audit_into is not None:
        audit_into.append(entry)
    else:
        record(**entry)
    return True


def mark_in_review(post: Post, *, revision: PostRevision) -> bool:
    """A review run started for the current revision (workflow)."""
    return _move_post(
        post,
        (PostStatus.DRAFT, PostStatus.REJECTED, PostStatus.EXPIRED),
        where={"current_revision": revision},
        status=PostStatus.IN_REVIEW,
        approved_revision=None,
    )


def mark_reviewed(post: Post, *, revision: PostRevision, approved: bool) -> bool:
    """The run for ``revision`` finished (workflow). Nothing happens when the post has
    moved on to a newer revision meanwhile."""
    return _move_post(
        post,
        (PostStatus.IN_REVIEW,),
        where={"current_revision": revision},
        status=PostStatus.APPROVED if approved else PostStatus.REJECTED,
        approved_revision=revision if approved else None,
    )


def mark_scheduled(post: Post, *, revision: PostRevision) -> bool:
    """The approved current revision has a publication waiting (publishing)."""
    return _move_post(
        post,
        (PostStatus.APPROVED, PostStatus.SCHEDULED),
        where={"current_revision": revision, "approved_revision": revision},
        status=PostStatus.SCHEDULED,
    )


def mark_unscheduled(post: Post, *, revision: PostRevision) -> bool:
    """Its last waiting publication was cancelled: approved, nothing planned."""
    return _move_post(
        post,
        (PostStatus.SCHEDULED,),
        where={"current_revision": revision, "approved_revision": revision},
        status=PostStatus.APPROVED,
    )


def mark_published(
    post: Post, *, revision: PostRevision, audit_into: list[dict[str, Any]] | None = None
) -> bool:
    """``revision`` is out on every account it was scheduled for (publishing). The post
    shows it as published only while it is the current revision: the publication of an
    older one is recorded on its intent and never sets the post back."""
    return bool(mark_published_many([(post, revision)], audit_into=audit_into))


def mark_published_many(
    pairs: Iterable[tuple[Post, PostRevision]], *, audit_into: list[dict[str, Any]] | None = None
) -> set[int]:
    """:func:`mark_published` for a dispatcher's batch, set-based: one locking read of the
    posts still showing ``revision`` as current and approved, one UPDATE, one audit entry
    per post that moved. Returns the ids of the posts that moved."""
    by_pk = {post.pk: (post, revision) for post, revision in pairs}
    if not by_pk:
        return set()
    allowed = (PostStatus.APPROVED, PostStatus.SCHEDULED)
    with transaction.atomic(savepoint=False):  # the dispatcher's transaction, no savepoint
        query = Post.objects.filter(pk__in=list(by_pk), status__in=allowed)
        if connection.vendor == "postgresql":
            query = query.select_for_update(of=("self",))
        rows = query.order_by("pk").values_list(
            "pk", "status", "current_revision_id", "approved_revision_id"
        )
        won = {
            pk: status
            for pk, status, current, approved in rows
            if current == approved == by_pk[pk][1].pk
        }
        if not won:
            return set()
        Post.objects.filter(pk__in=list(won)).update(
            status=PostStatus.PUBLISHED, updated=timezone.now()
        )
        entries = [
            {
                "action": AuditAction.POST_STATUS_CHANGED,
                "actor": None,
                "object_type": "post",
                "object_id": pk,
                "object_repr": by_pk[pk][0].title,
                "organisation_id": by_pk[pk][0].organisation_id,
                "before": {"status": before},
                "after": {"status": PostStatus.PUBLISHED, "revision": by_pk[pk][1].number},
            }
            for pk, before in won.items()
        ]
        for pk in won:
            by_pk[pk][0].status = PostStatus.PUBLISHED
        if audit_into is not None:
            audit_into.extend(entries)
        else:
            record_many(entries)
    return set(won)


def mark_expired(post: Post, *, reason: str) -> bool:
    """The post cannot go at its planned time (publishing's scheduler: the approval came
    after the slot, or the day's maximum is reached, E-04): not published silently, the
    post waits for a person (issue 5 §3); ``reason`` is recorded and shown."""
    won = _move_post(post, (PostStatus.APPROVED,), status=PostStatus.EXPIRED)
    if won:
        record(
            AuditAction.POST_EXPIRED,
            actor=SYSTEM,
            object_type="post",
            object_id=post.pk,
            object_repr=post.title,
            organisation_id=post.organisation_id,
            after={"reason": reason},
        )
    return won


def mark_reinstated(post: Post) -> bool:
    """An expired post whose content did not change goes back to approved (one click)."""
    return _move_post(
        post,
        (PostStatus.EXPIRED,),
        where={"approved_revision": F("current_revision")},
        status=PostStatus.APPROVED,
    )


WEEK = 7
WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


@transaction.atomic
def create_week_plan(
    unit: Unit,
    *,
    actor: User,
    column: str,
    week_start: date,
    channels: Sequence[Channel],
    days: Sequence[Mapping[str, Any]],
) -> WeekPlan:
    """R-03 周计划: one column's posts for one week (Monday to Sunday, one a day), written
    on one form: seven posts with their text, pictures and planned time, tied together as
    one plan. ``days``: seven rows ``{"body", "at" (a time of day), "assets", "pictures"
    (:class:`CheckedUpload`, stored here)}`` in order from Monday. Every day needs its
    text and time (the column's rule: 每天至少一条). The review is started by
    ``workflow.actions.submit_week_plan``, which calls this."""
    require(actor, "post.create", unit)
    rules = rules_for(unit.organisation_id)
    found = rules.column(column)
    if found is None:
        raise InvalidChange("请选择制度规定的专栏。")
    if week_start.weekday() != 0:
        raise InvalidChange("周计划从周一开始。")
    if len(days) != WEEK:
        raise InvalidChange("周计划须包含周一至周日七天。")
    tz = timezone.get_current_timezone()
    missing = [
        WEEKDAY_NAMES[i]
        for i, row in enumerate(days)
        if not str(row.get("body") or "").strip() or row.get("at") is None
    ]
    if missing:
        raise InvalidChange(f"每天至少一条：{'、'.join(missing)}还没有填写正文或发布时间。")
    plan = WeekPlan.objects.create(
        organisation_id=unit.organisation_id,
        unit=unit,
        column=column,
        week_start=week_start,
        created_by=actor,
    )
    for i, row in enumerate(days):
        day = week_start + timedelta(days=i)
        # the day's pictures (checked before the transaction) are stored with the plan:
        # a refused plan keeps none of them
        pictures = [
            store_upload(c, actor=actor, title=f"{found['hashtag']} {WEEKDAY_NAMES[i]}")
            for c in row.get("pictures") or []
        ]
        post = create_post(
            unit,
            actor=actor,
            title=f"{found['hashtag']} {day:%m-%d}（{WEEKDAY_NAMES[i]}）",
            body=str(row["body"]),
            category=found.get("category") or "",
            column=column,
            channels=list(channels),
            assets=[*(row.get("assets") or []), *pictures],
            planned_at=datetime.combine(day, row["at"], tzinfo=tz),
        )
        Post.objects.filter(pk=post.pk).update(week_plan=plan)
    record(
        AuditAction.WEEK_PLAN_CREATED,
        actor=actor,
        object_type="week_plan",
        object_id=plan.pk,
        object_repr=str(plan),
        organisation_id=plan.organisation_id,
        after={"column": column, "week_start": week_start.isoformat(), "posts": WEEK},
    )
    return plan
