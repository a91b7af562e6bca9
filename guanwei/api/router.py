"""REST API (django-ninja): /api/v1/…, OpenAPI at /api/openapi.json.

Session auth for the browser (CSRF enforced), bearer tokens for scripts. Every
endpoint calls the same queries and actions the pages call.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from guanwei.api.ids import PathId
from guanwei.audit.tasks import verify_audit_chain
from guanwei.channels.models import Channel
from guanwei.orgs import actions as org_actions
from guanwei.orgs import queries as org_queries
from guanwei.orgs.access import get_for, may_see
from guanwei.orgs.errors import DomainError, PermissionDenied
from guanwei.orgs.models import ApiToken, Organisation, PendingGrant, Unit, User
from guanwei.orgs.permissions import can

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """Bearer tokens (issue #9 §14): unknown, expired, revoked or a deactivated owner → 401;
    a read-scope token on any write operation (every method but GET/HEAD/OPTIONS) → 403."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        found = ApiToken.objects.select_related("user").filter(digest=digest).first()
        if found is None or not found.user.is_active or not found.is_live(timezone.now()):
            return None
        if found.scope != ApiToken.SCOPE_WRITE and request.method not in SAFE_METHODS:
            raise HttpError(403, "只读令牌不能执行写操作。")
        org_actions.note_api_token_use(found)
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="guanwei API",
    version="1",
    urls_namespace="api",
    openapi_url="/openapi.json",
    auth=[TokenAuth(), django_auth],
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> Any:
    status = 403 if isinstance(exc, PermissionDenied) else 400
    return api.create_response(request, {"detail": exc.message}, status=status)


class UnitOut(Schema):
    id: int
    key: str
    name: str
    unit_type: str
    parent_id: int | None
    depth: int


class ChannelOut(Schema):
    id: int
    key: str
    name: str
    kind: str
    platform: str
    unit_id: int
    account_id: str
    status: str
    verified: bool
    manager: str | None
    responsible: str | None


class GrantIn(Schema):
    username: str
    role: str


class MembershipOut(Schema):
    id: int
    username: str
    unit_id: int
    role: str
    status: str = "active"  # "pending": a sensitive grant awaiting confirmation (issue #9 §9)


class PendingGrantOut(Schema):
    """A sensitive role granted, waiting for a second person (issue #9 §9): ``id`` is the
    pending grant's, not a membership's."""

    id: int
    username: str
    unit_id: int
    role: str
    status: str = "pending"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _org(request: HttpRequest, key: str) -> Organisation:
    for org in org_queries.organisations_for(_user(request)):
        if org.key == key:
            return org
    raise HttpError(404, "organisation not found")


orgs_router = Router(tags=["orgs"])
channels_router = Router(tags=["channels"])
audit_router = Router(tags=["audit"])


@orgs_router.get("/organisations/{key}/units", response=list[UnitOut])
def list_units(request: HttpRequest, key: str) -> Any:
    # the tree's names and keys, as on the unit tree page (where to send material)
    return list(_org(request, key).units.order_by("path"))


@orgs_router.post(
    "/units/{unit_id}/memberships", response={201: MembershipOut, 202: PendingGrantOut}
)
def grant(request: HttpRequest, unit_id: PathId, payload: GrantIn) -> Any:
    unit = get_for(_user(request), Unit, unit_id)
    # Only people of the unit's own organisation; one answer for unknown and foreign names
    # (no enumeration of the installation's logins, issue #9 §5).
    person = org_queries.person_in(unit.organisation, payload.username)
    if person is None:
        raise HttpError(404, "person not found in this organisation")
    m = org_actions.grant_role(person, unit, payload.role, actor=_user(request))
    # issue #9 §9: a sensitive role waits for a second person's confirmation (202).
    pending = isinstance(m, PendingGrant)
    return Status(
        202 if pending else 201,
        {
            "id": m.pk,
            "username": person.username,
            "unit_id": unit.pk,
            "role": m.role,
            "status": "pending" if pending else "active",
        },
    )


@channels_router.get("/organisations/{key}/channels", response=list[ChannelOut])
def list_channels(request: HttpRequest, key: str) -> Any:
    org = _org(request, key)
    return [
        {
            **{f: getattr(c, f) for f in ("id", "key", "name", "kind", "platform", "unit_id")},
            "account_id": c.account_id,
            "status": c.status,
            "verified": c.verified,
            "manager": c.manager.username if c.manager else None,
            "responsible": c.responsible.username if c.responsible else None,
        }
        for c in Channel.objects.filter(organisation=org).select_related(
            "manager", "responsible", "unit"
        )
        if may_see(_user(request), c)
    ]


class VerifyQueuedOut(Schema):
    task: str


class VerifyOut(Schema):
    status: str
    ok: bool | None
    count: int | None
    broken_seq: int | None
    reason: str


@audit_router.post("/organisations/{key}/verify", response={202: VerifyQueuedOut})
def audit_verify(request: HttpRequest, key: str) -> Any:
    """Queue a verification of the chain for the task worker (REQ X-02, issue #9 §6): the
    request does no O(n) work and the answer is this organisation's."""
    org = _org(request, key)
    if not can(_user(request), "audit.view", org):
        raise HttpError(404, "organisation not found")
    result = verify_audit_chain.enqueue(organisation_id=org.pk)
    return Status(202, {"task": str(result.id)})


@audit_router.get("/verify/{task_id}", response=VerifyOut)
def audit_verify_result(request: HttpRequest, task_id: str) -> Any:
    """The result of a queued verification, to people who may read that organisation's
    log; anyone else gets the same 404 as for an unknown task."""
    try:
        result = verify_audit_chain.get_result(task_id)
    except Exception:  # unknown id, pruned result, malformed id
        raise HttpError(404, "verification not found") from None
    org_id = result.kwargs.get("organisation_id")
    org = Organisation.objects.filter(pk=org_id).first() if org_id is not None else None
    if org is None or not can(_user(request), "audit.view", org):
        raise HttpError(404, "verification not found")
    status = str(result.status)
    value = result.return_value if status == "SUCCESSFUL" else {}
    return {
        "status": status,
        "ok": value.get("ok"),
        "count": value.get("count"),
        "broken_seq": value.get("broken_seq"),
        "reason": value.get("reason", ""),
    }


api.add_router("/v1/orgs", orgs_router)
api.add_router("/v1/channels", channels_router)
api.add_router("/v1/audit", audit_router)


screening_router = Router(tags=["screening"])


class ScreenIn(Schema):
    organisation: str
    text: str
    channel_kind: str | None = None
    title: str = ""
    source: str = ""
    has_picture: bool = False


@screening_router.post("/screen")
def screen(request: HttpRequest, payload: ScreenIn) -> Any:
    """The verdict JSON of `guanwei screen --json` (start/end index the original text)."""
    from guanwei.screening.queries import screen_text

    if len(payload.text) > 100_000:
        raise HttpError(413, "text longer than 100,000 characters")
    org = _org(request, payload.organisation)
    result = screen_text(
        org,
        payload.text,
        channel_kind=payload.channel_kind,
        has_picture=payload.has_picture,
        source=payload.source,
        title=payload.title,
    )
    return result.to_json()


api.add_router("/v1/screening", screening_router)


from guanwei.api.editorial import content_router, workflow_router  # noqa: E402

api.add_router("/v1/content", content_router)
api.add_router("/v1/workflow", workflow_router)

from guanwei.api.notices import notices_router  # noqa: E402

api.add_router("/v1/notices", notices_router)
