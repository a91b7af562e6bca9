"""Which rules of a pack the product enforces today (issue #10 §6; the rule-book page 制度).

A pack lists rules — every entry that cites a requirement (``req``): a principle, a role, a
duty, a chain, a deadline, a quota, an assessment measure … Some are enforced by code, some
are kept for later issues (互动活动, 资料变更, 账号保管, 突发事件, 考核) and must never
be shown as in force. ``rules_of(document)`` lists a pack's rules, each with its
``Enforcement``: ``ENFORCED`` (the code that enforces it is named), ``BY_PEOPLE`` (a
principle the reviewers apply; the system records their decision but judges nothing) or
``NOT_YET`` (shown as 尚未由系统执行).

This registry cannot drift silently (``packs/tests/test_enforcement.py``):
- a rule of any pack in ``packs/`` that no entry of ``SECTIONS`` classifies fails;
- an enforced rule names functions (``code``) that must exist, and whose module must contain
  ``evidence`` (the literal by which it reads that part of the pack);
- a rule not yet enforced names ``evidence`` that no module of the product may contain: the
  day a later issue reads ``extra("assessment")`` or checks ``incident.handle``, the test
  asks for the registry to be updated;
- a permission the pack grants is enforced when some module checks it by name, else
  ``NOT_YET_PERMISSIONS`` must list it (and then no module may check it);
- a duty (``unit_types.duties``) is work, not a set of rights: it is enforced only by a
  permission that gates a change (no ``*.view`` permission: those open pages and lists
  shared by unrelated duties, and no action checks them), or by the code ``DUTY_SUBSTANCE``
  names for it. A duty whose other permissions are all not yet is not yet (W-20 服务统计分析与
  效果评价, T-09 通报表扬与批评, E-06 推广 hold only ``report.view`` besides those);
- a part of an enforced entry that no code reads (``PARTS_NOT_YET``: the tourism quota's
  ``urge_after_days``) is named on the page as not yet, and no module may read it.

Pure: imports only ``core`` and ``packs`` (the code paths are dotted names, resolved by the
test).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from guanwei.core.catalog import PERMISSIONS

ENFORCED = "enforced"
BY_PEOPLE = "by_people"
NOT_YET = "not_yet"


@dataclass(frozen=True)
class Enforcement:
    state: str  # ENFORCED | BY_PEOPLE | NOT_YET
    how: str  # what the product does with the rule, or what is still missing (Chinese)
    code: tuple[str, ...] = ()  # the functions that enforce it (dotted names)
    evidence: str = ""  # literal: in code's module (enforced) / in no module (not yet)
    pending: tuple[str, ...] = ()  # permissions of the rule not checked by any code yet
    missing: tuple[tuple[str, str], ...] = ()  # (field no code reads, what is not enforced)

    @property
    def enforced(self) -> bool:
        return self.state == ENFORCED


# Permissions of the catalogue no code checks yet: a role or duty granting only these is
# not enforced; granting some of them, enforced in part (the page names them).
NOT_YET_PERMISSIONS: dict[str, str] = {
    "category.approve": "信息类别增减的审定尚无流程",
    "assessment.manage": "考核通报待后续版本",
}


def view_only(permission: str) -> bool:
    """A permission that opens pages and lists (查看…): the deadline list, the filings, the
    unit and account pages are shared by many duties, so checking it is no duty's
    substance (the test holds that no action checks one)."""
    return permission.endswith(".view")


def _duty(entry: Mapping[str, Any]) -> Enforcement:
    """A duty is enforced by what carries out its work: a permission that gates a change,
    or the code ``DUTY_SUBSTANCE`` names — never by a view permission alone."""
    permissions = tuple(entry.get("permissions") or ())
    pending = tuple(p for p in permissions if p in NOT_YET_PERMISSIONS)
    name = str(entry.get("name") or "")
    own = DUTY_SUBSTANCE.get(name)
    if own is not None:
        return Enforcement(ENFORCED, own.how, own.code, own.evidence, pending)
    checked = [p for p in permissions if p not in NOT_YET_PERMISSIONS and not view_only(p)]
    # a duty whose work is missing (DUTY_MISSING) is not in force even when one of its
    # permissions gates a change elsewhere (E-06 推广 holds activity.approve besides)
    if checked and name not in DUTY_MISSING:
        return _grants(entry, "职责带来的权限由系统检查", _PERMISSION_CHECK)
    views = [p for p in permissions if view_only(p)]
    why = [NOT_YET_PERMISSIONS[p] for p in pending]
    besides = "、".join(PERMISSIONS.get(p, p) for p in checked)
    if views:
        work = DUTY_MISSING.get(name, "这项职责的工作尚无功能")
        seen = "、".join(PERMISSIONS.get(p, p) for p in views)
        also = f"和“{besides}”" if besides else ""
        why.insert(0, f"{work}，系统只给出查看权限（{seen}）{also}")
    elif name in DUTY_MISSING:
        also = f"，系统只给出“{besides}”权限" if besides else ""
        why.insert(0, f"{DUTY_MISSING[name]}{also}")
    return Enforcement(
        NOT_YET, "；".join(dict.fromkeys(why)) or "这项职责尚无功能", pending=pending
    )


def _grants(entry: Mapping[str, Any], how: str, code: tuple[str, ...]) -> Enforcement:
    """A role or a duty: enforced by the permission check as far as its permissions go."""
    permissions = tuple(entry.get("permissions") or ())
    pending = tuple(p for p in permissions if p in NOT_YET_PERMISSIONS)
    if permissions and len(pending) == len(permissions):
        return Enforcement(
            NOT_YET,
            "；".join(dict.fromkeys(NOT_YET_PERMISSIONS[p] for p in pending)),
            evidence="",
            pending=pending,
        )
    return Enforcement(ENFORCED, how, code, "grants_for", pending)


_PERMISSION_CHECK = ("guanwei.orgs.rules.OrgRules.grants_for", "guanwei.orgs.permissions.can")

# Duties (by their name in the pack) whose work is done by code that no permission of
# theirs names: the test holds the code to exist and to contain ``evidence``.
DUTY_SUBSTANCE: dict[str, Enforcement] = {
    # T-03: the register is the unit page's role list; changes are told to the centre
    "信息员名册": Enforcement(
        ENFORCED,
        "单位页列出信息员及其变动，授予或撤销信息员时通知管理部门",
        ("guanwei.orgs.rules.OrgRules.told_of_role_change",),
        'extra("role_changes")',
    ),
}

# What the work of a duty holding only view permissions would be, by the duty's name (the
# page says it is missing; other such duties get the general words).
DUTY_MISSING: dict[str, str] = {
    "服务统计分析与效果评价": "尚无服务统计分析与效果评价报表",  # W-20, X-05
    "通报表扬与批评": "尚无考核、通报表扬与批评的记录",  # T-09
    # T-01: the quota 县级微博定期更新 is counted and warned, nobody is urged
    "督促各单位及时更新": "尚无对长期未更新单位的督促（更新数量由“更新要求”统计提醒）",
    # E-06
    "推广:热点跟踪、目标用户与意见领袖、加V": "尚无热点、转发评论、目标用户与意见领袖的跟踪",
    # T-10: incident.handle opens the harm reports (C-10); incidents themselves are not
    # reported, timed or handled by the system yet
    "突发事件处理结果接收": "尚无突发事件的上报与处置记录",
    "突发事件24小时内处理": "尚无突发事件的上报与24小时处置时限",
}

# Parts of an entry (its fields) that no code reads yet, by section: the entry is
# enforced as far as the rest goes, and the page names what is not.
PARTS_NOT_YET: dict[str, dict[str, str]] = {
    "quotas": {
        "urge_after_days": "连续{}天未更新时督促该单位尚未由系统执行（只统计并提醒更新数量）"
    },
}


def _with_parts(
    section: str, entry: Mapping[str, Any], e: Enforcement | None
) -> Enforcement | None:
    parts = tuple(
        (field, text.format(entry[field]))
        for field, text in PARTS_NOT_YET.get(section, {}).items()
        if entry.get(field) not in (None, "", 0, False)
    )
    if e is None or not parts or e.state != ENFORCED:
        return e
    return Enforcement(e.state, e.how, e.code, e.evidence, e.pending, parts)


def _chain(entry: Mapping[str, Any]) -> Enforcement | None:
    subject = entry.get("applies_to")
    if subject == "post":
        return Enforcement(
            ENFORCED,
            "稿件提交后按此流程逐级审核，未审核通过不得发布",
            ("guanwei.workflow.chains.select_post_chain",),
            'c["applies_to"] == "post"',
        )
    if subject == "material":
        return Enforcement(
            ENFORCED,
            "报送素材先经提供单位审定",
            ("guanwei.workflow.chains.material_chain",),
            'c["applies_to"] == "material"',
        )
    if subject == "credential":
        return Enforcement(
            ENFORCED,
            "授权申请按此流程逐级审批，批准后可打印审批表",
            ("guanwei.workflow.actions.authorisation.authorisation_chain",),
            'c["applies_to"] == "credential"',
        )
    if subject == "channel" and entry.get("form") == "application":
        return Enforcement(
            ENFORCED,
            "账号申请审批表按此流程逐级签署意见，批准后打印的审批表载明各环节意见",
            ("guanwei.workflow.actions.application.application_chain",),
            'c.get("form") == "application"',
        )
    if subject == "activity":
        return Enforcement(
            ENFORCED,
            "互动活动按此流程审批，全部批准且准备就绪后方可开始",
            ("guanwei.interaction.actions.activity_chain",),
            'c["applies_to"] == "activity"',
        )
    missing = {
        "channel": "账号资料变更的审批尚未由系统执行",
    }
    if subject in missing:
        return Enforcement(NOT_YET, missing[subject], evidence=f'applies_to"] == "{subject}"')
    return None


def _deadline(entry: Mapping[str, Any]) -> Enforcement | None:
    trigger = entry.get("trigger")
    if trigger == "correction_issued":
        return Enforcement(
            ENFORCED,
            "订正发出后计时，超时提醒并升级",
            ("guanwei.oversight.queries.correction_rule",),
            '"correction_issued"',
        )
    if trigger == "harm_reported":
        return Enforcement(
            ENFORCED,
            "有害信息报告由舆情办研判、处置，超过时限显示为超时，办结结果告知报告人",
            ("guanwei.interaction.actions.harm_rule",),
            '"harm_reported"',
        )
    if trigger == "incident_reported":
        return Enforcement(
            NOT_YET, "突发事件的上报与处置时限尚未由系统执行", evidence='"incident_reported"'
        )
    return None


def _fixed(enforcement: Enforcement) -> Callable[[Mapping[str, Any]], Enforcement]:
    return lambda entry: enforcement


def _not_yet(how: str, evidence: str) -> Callable[[Mapping[str, Any]], Enforcement]:
    return _fixed(Enforcement(NOT_YET, how, evidence=evidence))


@dataclass(frozen=True)
class Section:
    path: str  # where the rule is in the pack: "chains", "unit_types.duties" …
    title: str  # the page's heading (Chinese)
    classify: Callable[[Mapping[str, Any]], Enforcement | None]
    shown: bool = True  # the organisation's own structure is shown on its pages instead


SECTIONS: tuple[Section, ...] = (
    Section(
        "principles",
        "发布原则",
        _fixed(
            Enforcement(
                BY_PEOPLE,
                "由审核人在审核环节把握；系统记录审核意见，不自动判断",
                ("guanwei.workflow.chains.select_post_chain",),
                "applies_to",
            )
        ),
    ),
    Section("roles", "角色", lambda e: _grants(e, "按角色的权限放行或拒绝操作", _PERMISSION_CHECK)),
    Section(
        "unit_types",
        "单位类型",
        _fixed(Enforcement(ENFORCED, "单位类型决定其职责与权限", _PERMISSION_CHECK, "unit_types")),
    ),
    Section(
        "unit_types.duties",
        "单位职责",
        _duty,
    ),
    Section(
        "categories",
        "信息类别",
        _fixed(
            Enforcement(
                ENFORCED,
                "稿件须选类别，类别决定审核流程",
                ("guanwei.workflow.chains.select_post_chain",),
                "categories",
            )
        ),
    ),
    Section(
        "columns",
        "专栏",
        _fixed(
            Enforcement(
                ENFORCED,
                "稿件可选专栏，专栏计入更新要求",
                ("guanwei.content.actions.create_post",),
                "rules.column(",
            )
        ),
    ),
    Section(
        "channel_kinds",
        "账号类型",
        _fixed(
            Enforcement(
                ENFORCED,
                "登记账号时只接受制度列出的类型",
                ("guanwei.channels.actions.create_channel",),
                "channel_kinds",
            )
        ),
    ),
    Section("chains", "审核流程", _chain),
    Section("deadlines", "处置时限", _deadline),
    Section(
        "slots",
        "发布时段",
        _fixed(
            Enforcement(
                ENFORCED,
                "按时段安排发布，空缺提醒",
                ("guanwei.publishing.slots.slots_for",),
                'extra("slots")',
            )
        ),
    ),
    Section(
        "quotas",
        "更新要求",
        _fixed(
            Enforcement(
                ENFORCED,
                "按周期统计发布数量，不足提醒",
                ("guanwei.oversight.quotas.ensure_quota_deadlines",),
                'extra("quotas")',
            )
        ),
    ),
    Section(
        "syndication",
        "转发要求",
        _fixed(
            Enforcement(
                ENFORCED,
                "上级发布后为下级账号生成转发时限",
                ("guanwei.oversight.scheduler.ensure_syndication_deadlines",),
                'extra("syndication")',
            )
        ),
    ),
    *(
        Section(
            f"screening.{part}",
            "内容审核规则",
            _fixed(
                Enforcement(
                    ENFORCED,
                    "提交和报送时自动筛查，拦截或提示人工审核",
                    ("guanwei.screening.engine.config.parse_screening",),
                    f'"{part}"',
                )
            ),
        )
        for part in ("rules", "terms", "categories", "lexicons", "relevance", "allow")
    ),
    Section(
        "security",
        "安全要求",
        _fixed(
            Enforcement(
                ENFORCED,
                "敏感角色的授予须第二人确认",
                ("guanwei.orgs.rules.OrgRules.sensitive_roles",),
                '"sensitive_roles"',
            )
        ),
    ),
    Section(
        "role_changes",
        "人员变动通报",
        _fixed(
            Enforcement(
                ENFORCED,
                "授予或撤销所列角色时通知管理部门，并在单位页显示",
                ("guanwei.orgs.rules.OrgRules.told_of_role_change",),
                'extra("role_changes")',
            )
        ),
    ),
    Section(
        "assessment",
        "考核通报",
        _not_yet("考核与通报尚未由系统执行", 'extra("assessment")'),
    ),
    Section(
        "activities",
        "互动活动",
        _fixed(
            Enforcement(
                ENFORCED,
                "互动活动按规定审批（重大天气过程中须上级发布单位同意），值班人员、预备答复口径和活动时间齐备后方可开始",
                ("guanwei.interaction.actions.activity_rules",),
                'extra("activities")',
            )
        ),
    ),
    Section(
        "moderation",
        "评论审核规则",
        _fixed(
            Enforcement(
                ENFORCED,
                "制度包加载时审核规则写入本单位；新评论按第一条命中的规则处理：在平台删除、隐藏、上报领导、加标签、分派、标记已审阅",
                ("guanwei.interaction.rules.load_pack_rules",),
                'extras.get("moderation")',
            )
        ),
    ),
    Section(
        "experts",
        "专家答复分工",
        _fixed(
            Enforcement(
                ENFORCED,
                "网友提问按话题分派给规定的部门和角色答复（答复人在互动台起草回复）",
                ("guanwei.interaction.experts.expert_rules",),
                'extra("experts")',
            )
        ),
    ),
    Section(
        "answering",
        "答复审定与时限",
        _fixed(
            Enforcement(
                ENFORCED,
                "提问进入时按时限生成答复时限；回复经筛查、由规定角色审定后才经平台接口发出一次；不在答复范围的提问默认给出转介口径",
                ("guanwei.interaction.experts.answering_rule",),
                'extra("answering")',
            )
        ),
    ),
    *(
        Section(
            part,
            "账号密码保管",
            _not_yet("密码更新周期与密封副本开启待保管库上线", 'extras.get("vault")'),
        )
        for part in ("vault", "vault.escrow_approvers")
    ),
    Section(
        "replies",
        "答复时限",
        _not_yet("网友留言的答复时限尚未由系统执行", 'extra("replies")'),
    ),
    Section(
        "inspection",
        "检查要求",
        _not_yet("检查与整改尚未由系统执行", 'extra("inspection")'),
    ),
    Section(
        "inspection.rules",
        "检查要求",
        _not_yet("检查与整改尚未由系统执行", 'extra("inspection")'),
    ),
    *(
        Section(
            f"organisation.{part}",
            "组织",
            _fixed(
                Enforcement(
                    ENFORCED,
                    "加载制度时建立",
                    ("guanwei.packs.actions.load_pack",),
                    f"spec.{part}",
                )
            ),
            shown=False,
        )
        for part in ("units", "people", "channels", "follows")
    ),
)

SECTION_BY_PATH: dict[str, Section] = {s.path: s for s in SECTIONS}


@dataclass(frozen=True)
class Rule:
    section: str
    title: str  # the section's heading
    name: str  # the entry's own words (its name or text)
    req: tuple[str, ...]
    enforcement: Enforcement | None  # None: nobody classified it (the test fails)
    shown: bool


def _req(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value else ()
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value if v)
    return ()


# The screening engine's format rules (``[[screening.rules]] rule = …``) by their Chinese
# names: the page shows no code (the test holds this to screening.engine.rules.RULES).
SCREENING_RULE_NAMES: dict[str, str] = {
    "max_length": "字数上限",
    "weibo_topics": "微博话题格式",
    "weibo_safe_link": "微博安全链接",
    "link_domains": "链接域名限制",
    "title_length": "标题长度",
    "picture_required": "须配图片",
    "source_required": "须注明信息来源",
    "secrecy_markers": "涉密标识",
}


def _name(entry: Mapping[str, Any]) -> str:
    """The entry's own words; never its key (a code)."""
    rule = entry.get("rule")
    if isinstance(rule, str) and rule:
        return SCREENING_RULE_NAMES.get(rule, "")
    for key in ("name", "text", "title", "hashtag", "username"):
        value = entry.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _walk(node: Any, path: tuple[str, ...]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(node, Mapping):
        if path and _req(node.get("req")):
            yield ".".join(path), node
        for key, value in node.items():
            if key in ("extras", "path", "sha256"):
                continue
            yield from _walk(value, (*path, str(key)))
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _walk(value, path)


def document(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """A pack in the shape of its TOML file, from the stored snapshot (``extras`` back at
    the top level, as ``rules_of`` reads it)."""
    out = {k: v for k, v in snapshot.items() if k != "extras"}
    out.update(snapshot.get("extras") or {})
    return out


def rules_of(doc: Mapping[str, Any]) -> list[Rule]:
    """Every rule of a pack (TOML shape: a parsed file, or ``document(snapshot)``)."""
    out = []
    for path, entry in _walk(doc, ()):
        section = SECTION_BY_PATH.get(path)
        out.append(
            Rule(
                section=path,
                title=section.title if section else path,
                name=_name(entry),
                req=_req(entry.get("req")),
                enforcement=_with_parts(path, entry, section.classify(entry)) if section else None,
                shown=section.shown if section else True,
            )
        )
    return out


def pending_text(codes: tuple[str, ...]) -> str:
    """What of a role or duty is not enforced yet, in general words (never another
    organisation's term: the permission catalogue's names are not the pack's)."""
    return "；".join(
        dict.fromkeys(NOT_YET_PERMISSIONS[c] for c in codes if c in NOT_YET_PERMISSIONS)
    )


def not_enforced_part(e: Enforcement | None) -> str:
    """What of an enforced rule is not enforced yet: its pending permissions and the parts
    no code reads (shown on the page as 尚未由系统执行：…)."""
    if e is None:
        return ""
    return "；".join(t for t in (pending_text(e.pending), *(text for _, text in e.missing)) if t)
