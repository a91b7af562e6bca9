"""The moderation rules page (评论处理规则, W-18): the organisation's rules in the order they
are tried (first match wins), enable/disable, move up/down, add or change one with a form
in Chinese words. For who holds ``comment.moderate`` over the whole organisation
(decision 0023); the actions are in interaction.actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from guanwei.channels.models import Channel
from guanwei.core.errors import DomainError
from guanwei.interaction import actions
from guanwei.interaction.models import ModerationRule, Scope, Source
from guanwei.interaction.rules import ACTION_NAMES
from guanwei.orgs.models import Membership, Organisation
from guanwei.orgs.pages import actor, current_org, page_context
from guanwei.orgs.permissions import can
from guanwei.orgs.rules import rules_for
from guanwei.screening.labels import category_label

SEVERITY_WORDS = {"block": "严重（筛查结论为禁止发布）", "review": "一般（筛查结论为需人工审核）"}
YES_NO = {"": "不限", "yes": "是", "no": "否"}


def _org(request: HttpRequest) -> Organisation:
    org = current_org(request)
    if org is None or not actions.may_edit_rules(actor(request), org):
        raise Http404
    return org


def _rule(org: Organisation, pk: int) -> ModerationRule:
    return get_object_or_404(ModerationRule, pk=pk, organisation=org)


def _moderators(org: Organisation) -> list[tuple[str, str]]:
    """Whom a rule may assign to: people who handle some account's comments
    (``moderation.assign_by_rule`` refuses anyone else), as (username, name)."""
    seen: dict[int, tuple[str, str]] = {}
    for m in Membership.objects.filter(
        unit__organisation=org, revoked_at__isnull=True, user__is_active=True
    ).select_related("user", "unit"):
        if m.user_id not in seen and can(m.user, "comment.moderate", m.unit):
            seen[m.user_id] = (m.user.username, str(m.user))
    return sorted(seen.values())


def _choices(org: Organisation) -> dict[str, Any]:
    from guanwei.screening.engine.lexicon import CATEGORIES

    rb = rules_for(org.pk)
    return {
        "categories": [(k, category_label(k)) for k in CATEGORIES],
        "severities": list(SEVERITY_WORDS.items()),
        "sources": list(Source.choices),
        "scopes": list(Scope.choices),
        "channels": list(
            Channel.objects.filter(organisation=org).order_by("pk").values_list("key", "name")
        ),
        "roles": [(k, r.get("name", k)) for k, r in rb.roles.items()],
        "people": _moderators(org),
        "yes_no": list(YES_NO.items()),
    }


def describe(rule: ModerationRule, org: Organisation) -> tuple[list[str], list[str]]:
    """The rule's conditions and actions in words (no codes)."""
    c = rule.conditions or {}
    ch = _choices(org)
    names = {
        "categories": dict(ch["categories"]),
        "verdicts": SEVERITY_WORDS,
        "sources": dict(ch["sources"]),
        "scopes": dict(ch["scopes"]),
        "channels": dict(ch["channels"]),
    }
    words = {
        "categories": "筛查类别",
        "verdicts": "严重程度",
        "sources": "来源",
        "scopes": "提问",
        "channels": "账号",
        "keywords": "含关键词",
        "authors": "作者",
        "posts": "所属稿件",
    }
    out: list[str] = []
    for key, label in words.items():
        if c.get(key):
            n = names.get(key, {})
            out.append(f"{label}：" + "、".join(n.get(v, v) for v in c[key]))
    if "has_link" in c:
        out.append("含链接" if c["has_link"] else "不含链接")
    if "only_emoji" in c:
        out.append("仅表情" if c["only_emoji"] else "不是仅表情")
    if "min_length" in c:
        out.append(f"不少于{c['min_length']}字")
    if "max_length" in c:
        out.append(f"不多于{c['max_length']}字")
    roles = dict(ch["roles"])
    acts: list[str] = []
    for step in rule.actions or []:
        do = step.get("do", "")
        text = ACTION_NAMES.get(do, do)
        if do == "escalate":
            whom = [roles.get(r, r) for r in step.get("roles") or []]
            # moderation._leaders: one person, the first of these roles found
            text += (
                f"（通知{whom[0]}）"
                if len(whom) == 1
                else "（通知一人：按顺序找到的第一位 " + "、".join(whom) + "）"
            )
        elif do == "label":
            text += f"“{step.get('label', '')}”"
        elif do == "assign":
            text += "给" + dict(ch["people"]).get(step.get("to", ""), "（已不能处理评论的人）")
        acts.append(text)
    return out or ["所有评论留言"], acts


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    rules = [(r, *describe(r, org)) for r in ModerationRule.objects.filter(organisation=org)]
    return render(request, "interaction/rule_list.html", page_context(request, org, rules=rules))


def _from_post(request: HttpRequest) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    p = request.POST
    cond: dict[str, Any] = {}
    for key in ("categories", "verdicts", "sources", "scopes", "channels"):
        if p.getlist(key):
            cond[key] = p.getlist(key)
    for key in ("keywords", "authors"):
        items = [w.strip() for w in p.get(key, "").replace("，", ",").split(",") if w.strip()]
        if items:
            cond[key] = items
    for key in ("has_link", "only_emoji"):
        if p.get(key) in ("yes", "no"):
            cond[key] = p.get(key) == "yes"
    for key in ("min_length", "max_length"):
        raw = p.get(key, "").strip()
        if raw:
            if not (raw.isascii() and raw.isdigit()):
                raise DomainError("字数请填写整数。")
            cond[key] = int(raw)
    acts: list[dict[str, Any]] = []
    chosen = p.getlist("do")
    for do in ACTION_NAMES:
        if do not in chosen:
            continue
        step: dict[str, Any] = {"do": do}
        if do == "escalate":
            step["roles"] = p.getlist("roles")
        elif do == "label":
            step["label"] = p.get("label", "").strip()
        elif do == "assign":
            step["to"] = p.get("assign_to", "")
            if not step["to"]:
                raise DomainError("请选择分派给谁。")
        acts.append(step)
    return cond, acts


def _form(request: HttpRequest, org: Organisation, rule: ModerationRule | None) -> HttpResponse:
    user = actor(request)
    if request.method == "POST":
        try:
            cond, acts = _from_post(request)
            if rule is not None and rule.conditions.get("posts"):
                cond["posts"] = rule.conditions["posts"]  # kept: not edited on this form
            actions.save_rule(
                org,
                actor=user,
                name=request.POST.get("name", ""),
                conditions=cond,
                actions=acts,
                enabled=request.POST.get("enabled") == "on",
                rule=rule,
            )
        except DomainError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "规则已保存。")
            return redirect("rule_list")
        shown = ModerationRule(
            organisation=org,
            name=request.POST.get("name", ""),
            enabled=request.POST.get("enabled") == "on",
        )
        try:
            shown.conditions, shown.actions = _from_post(request)
        except DomainError:
            pass
    else:
        shown = rule or ModerationRule(organisation=org, enabled=True)
    steps = {s.get("do"): s for s in shown.actions or []}
    return render(
        request,
        "interaction/rule_form.html",
        page_context(
            request,
            org,
            rule=rule,
            shown=shown,
            c=shown.conditions or {},
            steps=steps,
            action_names=list(ACTION_NAMES.items()),
            **_choices(org),
        ),
    )


@login_required
def rule_new(request: HttpRequest) -> HttpResponse:
    return _form(request, _org(request), None)


@login_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org(request)
    return _form(request, org, _rule(org, pk))


@login_required
@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org(request)
    r = _rule(org, pk)
    try:
        # The state the person saw and asked for, not a flip: a double submit is harmless.
        wanted = request.POST.get("enabled")
        enabled = (wanted == "1") if wanted in ("0", "1") else not r.enabled
        actions.set_rule_enabled(r, actor=actor(request), enabled=enabled)
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("rule_list")


@login_required
@require_POST
def rule_move(request: HttpRequest, pk: int) -> HttpResponse:
    org = _org(request)
    try:
        actions.move_rule(
            _rule(org, pk), actor=actor(request), up=request.POST.get("dir") != "down"
        )
    except DomainError as e:
        messages.error(request, e.message)
    return redirect("rule_list")
