"""schemathesis against the whole API (issue #9 acceptance; REQ X-01, X-02): every operation
of the NinjaAPI's OpenAPI schema, in-process through the WSGI app, as three roles (an
editor, a reviewer, the administrator) of two organisations (the weather bureau and the
college, loaded as separate tenants), each with an API token made the ordinary way
(`guanwei token create`). Generated requests, valid and invalid, with path and body values
drawn also from both organisations' real objects (units, posts, review steps, notices,
channel keys, people), must never

- answer 5xx, and
- carry another organisation's objects: every `organisation_id` / `organisation` in an
  answer, every `*_id` naming a unit, post, material, step, run or notice, every `id` of an
  answer whose schema is known (UnitOut → Unit …) and every `username` belongs to the
  caller's organisation.

Bounded for `make test` (GUANWEI_FUZZ_EXAMPLES per operation and caller, default 10; no
shrinking; a fixed seed per operation and caller, so a failure reproduces)."""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from guanwei.channels.models import Channel
from guanwei.cli import main
from guanwei.content.models import Post, Submission
from guanwei.notify.models import Notice
from guanwei.orgs.models import Membership, Organisation, PendingGrant, Unit, User
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow.models import StepRun, WorkflowRun
from guanwei.wsgi import application

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("GUANWEI_FUZZ_EXAMPLES", "10"))
W, C = "demo_weather", "demo_college"
# three roles of each organisation: who writes, who reviews, who administers
CALLERS = {
    W: ["kj_editor", "kj_leader", "gw_admin"],
    C: ["col_jwc_manager", "col_jwc_head", "col_admin"],
}

# a field naming an object → the model whose organisation it must share with the caller
FIELD_MODELS: dict[str, type[Any]] = {
    "unit_id": Unit,
    "parent_id": Unit,
    "drop_box_id": Unit,
    "provider_unit_id": Unit,
    "post_id": Post,
    "submission_id": Submission,
    "material_id": Submission,
    "step_id": StepRun,
    "run_id": WorkflowRun,
    "channel_id": Channel,
    "notice_id": Notice,
    "membership_id": Membership,
}
# the `id` of an answer's object, by the answer's schema name
SCHEMA_MODELS: dict[str, type[Any]] = {
    "UnitOut": Unit,
    "ChannelOut": Channel,
    "MembershipOut": Membership,
    "PendingGrantOut": PendingGrant,
    "PostOut": Post,
    "MaterialOut": Submission,
    "NoticeOut": Notice,
}


def _organisation_of(model: type[Any], pk: int) -> int | None:
    """The organisation an object belongs to (None: no such object, nothing to leak)."""
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        return None
    if model is Organisation:
        return int(obj.pk)
    if model is Membership or model is PendingGrant:
        return int(obj.unit.organisation_id)
    if model is StepRun:
        return int(obj.run.organisation_id)
    if model is Notice:
        return int(obj.organisation_id) if obj.organisation_id else None
    return int(obj.organisation_id)


def _user_organisations(username: str) -> set[int]:
    return set(
        Membership.objects.filter(user__username=username).values_list(
            "unit__organisation_id", flat=True
        )
    )


def _objects(data: Any, schema: str | None) -> Iterator[tuple[dict[str, Any], str | None]]:
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, schema)
    elif isinstance(data, dict):
        yield data, schema
        for value in data.values():
            yield from _objects(value, None)


def _leaks(data: Any, schema: str | None, org: Organisation, caller: User) -> list[str]:
    found = []
    for obj, name in _objects(data, schema):
        for key, value in obj.items():
            where = f"{key}={value!r}"
            if key in ("organisation", "organisation_key", "org") and isinstance(value, str):
                if value != org.key:
                    found.append(where)
            elif key == "organisation_id" and isinstance(value, int):
                if value != org.pk:
                    found.append(where)
            elif key in FIELD_MODELS and isinstance(value, int):
                owner = _organisation_of(FIELD_MODELS[key], value)
                if owner is not None and owner != org.pk:
                    found.append(where)
            elif key == "id" and name in SCHEMA_MODELS and isinstance(value, int):
                owner = _organisation_of(SCHEMA_MODELS[name], value)
                if owner is not None and owner != org.pk:
                    found.append(f"{name}.{where}")
            elif key == "username" and isinstance(value, str) and value != caller.username:
                theirs = _user_organisations(value)
                if theirs and org.pk not in theirs:
                    found.append(where)
    return found


def _answer_schemas(raw: dict[str, Any]) -> dict[tuple[str, str], dict[int, str]]:
    """(METHOD, path) → {2xx status: the component name of that answer (items of a list
    too)}: one operation may answer different objects (201 a membership, 202 a pending
    grant)."""
    names: dict[tuple[str, str], dict[int, str]] = {}
    for path, methods in raw["paths"].items():
        for method, op in methods.items():
            by_status: dict[int, str] = {}
            for status, answer in op.get("responses", {}).items():
                if not str(status).startswith("2"):
                    continue
                body = answer.get("content", {}).get("application/json", {}).get("schema", {})
                ref = body.get("$ref") or body.get("items", {}).get("$ref", "")
                if ref:
                    by_status[int(status)] = ref.rsplit("/", 1)[-1]
            names[(method.upper(), path)] = by_status
    return names


def _token(username: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["token", "create", username, "--name", "fuzz"]) == 0
    return out.getvalue().strip().splitlines()[-1]


def _seed(client: Any) -> None:
    """Objects of both organisations for the generated requests to aim at: a material and a
    post in review (steps, runs, notices) in each."""
    for org_key, editor, unit_key, box, channel_key, category in (
        (W, "kj_editor", "city_tech_centre", "city_tech_centre", "city_weibo", "forecast"),
        (C, "col_jwc_manager", "academic_affairs", "academic_affairs", "school_wechat", "news"),
    ):
        headers = {"authorization": f"Bearer {_token(editor)}"}
        client.post(
            "/api/v1/content/materials",
            {
                "provider_unit_id": unit(org_key, unit_key).pk,
                "drop_box_id": unit(org_key, box).pk,
                "title": "素材",
                "body": "明天多云转晴。",
                "source": "本单位",
            },
            content_type="application/json",
            headers=headers,
        )
        made = client.post(
            "/api/v1/content/posts",
            {
                "unit_id": unit(org_key, unit_key).pk,
                "title": "通知",
                "body": "明天多云转晴，气温12到20摄氏度。",
                "category": category,
                "channel_keys": [channel(org_key, channel_key).key],
                "source": "本单位",
            },
            content_type="application/json",
            headers=headers,
        )
        assert made.status_code == 201, made.content
        submitted = client.post(
            f"/api/v1/content/posts/{made.json()['id']}/submit", headers=headers
        )
        assert submitted.status_code == 200, submitted.content


def _real_values() -> dict[str, list[Any]]:
    """Values of both organisations (and none) for the fields the API takes."""
    orgs = [Organisation.objects.get(key=k) for k in (W, C)]
    units = list(Unit.objects.filter(organisation__in=orgs).values_list("pk", flat=True))
    values: dict[str, list[Any]] = {
        "key": [o.key for o in orgs],
        "organisation": [o.key for o in orgs],
        "post_id": list(Post.objects.values_list("pk", flat=True)),
        "step_id": list(StepRun.objects.values_list("pk", flat=True)),
        "notice_id": list(Notice.objects.values_list("pk", flat=True)),
        "material_ids": [list(Submission.objects.values_list("pk", flat=True))],
        "channel_keys": [
            [k] for k in Channel.objects.filter(organisation__in=orgs).values_list("key", flat=True)
        ],
        "username": list(
            User.objects.filter(memberships__unit__organisation__in=orgs)
            .values_list("username", flat=True)
            .distinct()
        )
        + ["admin", "nobody-at-all"],
        "role": ["editor", "section_head", "publisher", "manager", "responsible_person"],
        "category": ["forecast", "news"],
    }
    for name in ("unit_id", "drop_box_id", "provider_unit_id"):
        values[name] = units
    return {k: v for k, v in values.items() if v}


@contextlib.contextmanager
def wsgi_in_test_transaction() -> Iterator[None]:
    """The WSGI handler closes the connection after each request (close_old_connections),
    which would end the test's transaction; Django's test client turns this off for its own
    requests (and back on after each), so do we, around schemathesis' requests."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@dataclass
class Caller:
    org: Organisation
    user: User
    token: str


@dataclass
class Fuzz:
    real: dict[str, list[Any]]
    failures: list[str] = field(default_factory=list)
    seen: Counter[str] = field(default_factory=Counter)

    def operation(
        self, operation: Any, answer_schema: dict[int, str], number: int, callers: list[Caller]
    ) -> None:
        strategy = st.one_of(
            operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
            operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        )
        name = f"{operation.method.upper()} {operation.path}"
        for who, caller in enumerate(callers):
            self.caller(strategy, 1000 * number + who, caller, name, answer_schema)

    def caller(
        self,
        strategy: Any,
        seed_value: int,
        caller: Caller,
        name: str,
        answer_schema: dict[int, str],
    ) -> None:
        @seed(seed_value)  # other inputs for each caller, the same every run
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, data=st.data())
        def run(case: Any, data: st.DataObject) -> None:
            self.example(case, data, caller, name, answer_schema)

        run()

    def example(
        self,
        case: Any,
        data: st.DataObject,
        caller: Caller,
        name: str,
        answer_schema: dict[int, str],
    ) -> None:
        # aim some requests at real objects of both organisations
        for container in (case.path_parameters, case.query, case.body):
            if not isinstance(container, dict):
                continue
            for key in list(container):
                if key in self.real and data.draw(st.integers(0, 4)) > 0:  # 4 in 5
                    container[key] = data.draw(st.sampled_from(self.real[key]))
        response = case.call(headers={"Authorization": f"Bearer {caller.token}"})
        label = f"{caller.user.username} {case.method} {case.formatted_path}"
        self.seen[f"{name} {response.status_code}"] += 1
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (AssertionError, BaseExceptionGroup) as exc:  # schemathesis: a 5xx
            self.failures.append(f"{label}: {response.status_code} {exc}"[:2000])
            return
        if response.status_code >= 300 or not response.content:
            return
        try:
            answer = json.loads(response.content)
        except ValueError:
            return
        leaks = _leaks(answer, answer_schema.get(response.status_code), caller.org, caller.user)
        if leaks:
            self.failures.append(f"{label}: another organisation's {leaks[:5]}")


def test_the_api_never_fails_and_never_answers_with_another_organisations_objects(
    client: Any,
) -> None:
    """X-01 (each organisation sees its own tree only), X-02 (no unaudited failure paths):
    no 5xx and no foreign object, for every operation × 3 roles × 2 organisations."""
    _seed(client)
    with wsgi_in_test_transaction():
        _fuzz_all()


def _fuzz_all() -> None:
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    answers = _answer_schemas(schema.raw_schema)
    callers = [
        Caller(Organisation.objects.get(key=org_key), person(username), _token(username))
        for org_key, usernames in CALLERS.items()
        for username in usernames
    ]
    results = list(schema.get_all_operations())
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) == len(results) >= 10, "the OpenAPI schema has invalid operations"
    fuzz = Fuzz(_real_values())
    for number, operation in enumerate(operations):
        answer = answers.get((operation.method.upper(), operation.path), {})
        fuzz.operation(operation, answer, number, callers)
    print("\n".join(f"{n:5} {what}" for what, n in sorted(fuzz.seen.items())))
    unique = sorted(set(fuzz.failures))
    assert not unique, "\n".join(unique[:30])


def test_the_leak_check_sees_another_organisations_objects() -> None:
    """The fuzz test's own check: a college unit, post author or organisation in an answer
    to a weather caller is a leak; the caller's own are not."""
    weather, college = Organisation.objects.get(key=W), Organisation.objects.get(key=C)
    caller = person("kj_editor")
    own, theirs = unit(W, "city_tech_centre"), unit(C, "academic_affairs")
    assert _leaks([{"id": own.pk, "parent_id": own.parent_id}], "UnitOut", weather, caller) == []
    assert _leaks([{"id": theirs.pk}], "UnitOut", weather, caller)
    assert _leaks({"unit_id": theirs.pk}, None, weather, caller)
    assert _leaks({"organisation_id": college.pk}, None, weather, caller)
    assert _leaks({"organisation": C}, None, weather, caller)
    assert _leaks({"username": "col_admin"}, "MembershipOut", weather, caller)
    assert _leaks({"username": "kj_leader"}, "MembershipOut", weather, caller) == []
