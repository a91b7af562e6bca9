"""API for the drop box, posts and review (issue 4 §7): the same actions the pages call."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from guanwei.api.ids import ObjectId, PathId
from guanwei.channels.models import Channel
from guanwei.content import actions as content
from guanwei.content import queries as content_queries
from guanwei.content.models import Post, Submission
from guanwei.keyset import cursor_text, parse_cursor
from guanwei.orgs import queries as org_queries
from guanwei.orgs.access import get_for
from guanwei.orgs.models import Unit, User
from guanwei.workflow import actions as wf
from guanwei.workflow import queries as wf_queries
from guanwei.workflow.models import StepRun

content_router = Router(tags=["content"])
workflow_router = Router(tags=["workflow"])


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _visible_ids(request: HttpRequest) -> set[int]:
    return {o.pk for o in org_queries.organisations_for(_user(request))}


def _unit(request: HttpRequest, pk: int) -> Unit:
    """A unit the caller may see (``orgs.access``: unit.view or a role in it), else 404."""
    return get_for(_user(request), Unit, pk)


def _drop_box(request: HttpRequest, pk: int) -> Unit:
    """A drop box of an organisation the caller belongs to: every member may send to it."""
    unit = Unit.objects.filter(pk=pk).select_related("organisation").first()
    if unit is None or unit.organisation_id not in _visible_ids(request):
        raise HttpError(404, "unit not found")
    if not content_queries.drop_boxes(unit.organisation).filter(pk=unit.pk).exists():
        raise HttpError(404, "unit not found")
    return unit


class MaterialIn(Schema):
    provider_unit_id: ObjectId
    drop_box_id: ObjectId
    title: str
    body: str
    source: str


class MaterialOut(Schema):
    id: int
    status: str
    title: str
    drop_box_id: int


@content_router.post("/materials", response={201: MaterialOut})
def submit_material(request: HttpRequest, payload: MaterialIn) -> Any:
    item = content.submit_material(
        _unit(request, payload.provider_unit_id),
        actor=_user(request),
        drop_box=_drop_box(request, payload.drop_box_id),
        title=payload.title,
        body=payload.body,
        source=payload.source,
    )
    return Status(
        201,
        {
            "id": item.pk,
            "status": item.status,
            "title": item.title,
            "drop_box_id": item.drop_box_id,
        },
    )


class PostIn(Schema):
    title: str
    body: str
    category: str
    subtype: str = ""
    column: str = ""
    channel_keys: list[str]
    source: str = ""
    sensitive: bool = False
    emergency: bool = False
    planned_at: datetime | None = None


class PostCreateIn(PostIn):
    unit_id: ObjectId
    material_ids: list[ObjectId] = []


class PostOut(Schema):
    id: int
    status: str
    title: str
    revision: int
    content_hash: str


def _post_out(post: Post) -> dict[str, Any]:
    post.refresh_from_db()
    rev = post.current_revision
    assert rev is not None
    return {
        "id": post.pk,
        "status": post.status,
        "title": post.title,
        "revision": rev.number,
        "content_hash": rev.content_hash,
    }


def _fields(request: HttpRequest, unit: Unit, payload: PostIn) -> dict[str, Any]:
    channels = list(
        Channel.objects.filter(organisation_id=unit.organisation_id, key__in=payload.channel_keys)
    )
    if len(channels) != len(set(payload.channel_keys)):
        raise HttpError(400, "unknown channel key")
    data = payload.dict(exclude={"channel_keys", "unit_id", "material_ids"})
    return {**data, "channels": channels}


@content_router.post("/posts", response={201: PostOut})
def create_post(request: HttpRequest, payload: PostCreateIn) -> Any:
    unit = _unit(request, payload.unit_id)
    materials = [
        get_for(_user(request), Submission.objects.filter(organisation_id=unit.organisation_id), i)
        for i in dict.fromkeys(payload.material_ids)
    ]
    post = content.create_post(
        unit, actor=_user(request), materials=materials, **_fields(request, unit, payload)
    )
    return Status(201, _post_out(post))


def _post(request: HttpRequest, pk: int) -> Post:
    return get_for(_user(request), Post.objects.select_related("unit"), pk)


@content_router.post("/posts/{post_id}/revisions", response={201: PostOut})
def revise_post(request: HttpRequest, post_id: PathId, payload: PostIn) -> Any:
    post = _post(request, post_id)
    content.revise_post(post, actor=_user(request), **_fields(request, post.unit, payload))
    return Status(201, _post_out(post))


@content_router.post("/posts/{post_id}/submit", response=PostOut)
def submit_for_review(request: HttpRequest, post_id: PathId) -> Any:
    post = _post(request, post_id)
    wf.submit_for_review(post, actor=_user(request))
    return _post_out(post)


class QueueOut(Schema):
    step_id: int
    step: str
    unit: str
    post_id: int | None
    submission_id: int | None
    title: str
    waiting_since: datetime
    delegated: bool
    cursor: str


@workflow_router.get("/queue", response=list[QueueOut])
def queue(request: HttpRequest, after: str = "") -> Any:
    cursor = parse_cursor(after) if after else None
    if after and cursor is None:
        raise HttpError(400, "bad cursor")
    return [
        {
            "step_id": i.step.pk,
            "step": i.step.name,
            "unit": i.step.unit.name,
            "post_id": i.run.post_id,
            "submission_id": i.run.submission_id,
            "title": i.run.post.title
            if i.run.post
            else (
                i.run.submission.title
                if i.run.submission
                else (
                    f"授权审批 · {i.run.authorisation.channel.name} · {i.run.authorisation.grantee}"
                    if i.run.authorisation
                    else (
                        f"{i.run.chain_name} · {i.run.application.channel.name}"
                        if i.run.application
                        else ""
                    )
                )
            ),
            "waiting_since": i.activated_at,
            "delegated": i.delegated,
            "cursor": cursor_text(*i.cursor),
        }
        for i in wf_queries.review_queue(_user(request), after=cursor)
    ]


class DecisionIn(Schema):
    comment: str = ""
    acknowledge_hits: bool = False


class RejectIn(Schema):
    reason: str


class RunOut(Schema):
    run_id: int
    status: str


def _step(request: HttpRequest, pk: int) -> StepRun:
    return get_for(
        _user(request),
        StepRun.objects.select_related("run", "run__post", "run__submission", "unit"),
        pk,
    )


@workflow_router.post("/steps/{step_id}/approve", response=RunOut)
def approve(request: HttpRequest, step_id: PathId, payload: DecisionIn) -> Any:
    run = wf.approve_step(
        _step(request, step_id),
        actor=_user(request),
        comment=payload.comment,
        acknowledge_hits=payload.acknowledge_hits,
    )
    run.refresh_from_db()
    return {"run_id": run.pk, "status": run.status}


@workflow_router.post("/steps/{step_id}/reject", response=RunOut)
def reject(request: HttpRequest, step_id: PathId, payload: RejectIn) -> Any:
    run = wf.reject_step(_step(request, step_id), actor=_user(request), reason=payload.reason)
    run.refresh_from_db()
    return {"run_id": run.pk, "status": run.status}
