"""The rule-book page says, rule by rule, whether the product enforces it (issue #10 §6).

The registry (``guanwei.packs.enforcement``) is checked against the packs and the code, so
that it cannot drift: every rule of every pack is classified; an enforced rule names code
that exists and reads that part of the pack; a rule not yet enforced is read by no code; a
permission is either checked somewhere or listed as not yet; a duty is enforced by the code
that does its work, never by a view permission that unrelated pages share; a part of an
entry that no code reads is named as not yet. And the page, walked over HTTP as the
tourism bureau's staff, marks 互动活动, 资料变更, 突发事件 and 考核 as 尚未由系统执行.
"""

from __future__ import annotations

import importlib
import inspect
import re
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from django.test import Client
from django.urls import reverse

from guanwei.core.catalog import PERMISSIONS
from guanwei.packs.enforcement import (
    DUTY_MISSING,
    DUTY_SUBSTANCE,
    ENFORCED,
    NOT_YET,
    NOT_YET_PERMISSIONS,
    PARTS_NOT_YET,
    SCREENING_RULE_NAMES,
    SECTION_BY_PATH,
    SECTIONS,
    rules_of,
    view_only,
)
from guanwei.testing.personas import person

ROOT = Path(__file__).resolve().parents[3]
PACKS = sorted((ROOT / "packs").glob("*.toml"))
PRODUCT = ROOT / "guanwei"
# where a permission or a section is only named, never enforced
NOT_CODE = (
    "/tests/",
    "/migrations/",
    "guanwei/core/catalog.py",
    "guanwei/packs/schema.py",
    "guanwei/packs/checker.py",
    "guanwei/packs/enforcement.py",
    "guanwei/packs/validate",
    "guanwei/testing/",
)


def _product_sources() -> dict[str, str]:
    out = {}
    for path in PRODUCT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if not any(part in f"/{rel}" for part in NOT_CODE):
            out[rel] = path.read_text(encoding="utf-8")
    return out


def _resolve(dotted: str) -> tuple[ModuleType, object]:
    parts = dotted.split(".")
    for i in range(len(parts) - 1, 0, -1):
        try:
            module = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        obj: object = module
        for attr in parts[i:]:
            obj = getattr(obj, attr)
        return module, obj
    raise ImportError(dotted)


@pytest.mark.parametrize("pack", PACKS, ids=[p.stem for p in PACKS])
def test_every_pack_rule_is_enforced_or_marked_not_yet(pack: Path) -> None:
    rules = rules_of(tomllib.loads(pack.read_text(encoding="utf-8")))
    assert rules
    unclassified = [f"{r.section}: {r.name} {r.req}" for r in rules if r.enforcement is None]
    assert unclassified == [], "add the section to guanwei/packs/enforcement.py SECTIONS"


def test_enforced_rules_name_code_that_reads_them() -> None:
    for section in SECTIONS:
        for pack in PACKS:
            doc = tomllib.loads(pack.read_text(encoding="utf-8"))
            for rule in rules_of(doc):
                e = rule.enforcement
                if rule.section != section.path or e is None or e.state == NOT_YET:
                    continue
                assert e.code, f"{rule.section} {rule.name}: no code named"
                sources = []
                for dotted in e.code:
                    module, obj = _resolve(dotted)
                    assert callable(obj) or isinstance(obj, property), dotted
                    sources.append(inspect.getsource(module))
                assert any(e.evidence in s for s in sources), (
                    f"{rule.section} {rule.name}: none of {e.code} contains {e.evidence!r}"
                )


def test_rules_not_yet_enforced_are_read_by_no_code() -> None:
    sources = _product_sources()
    for pack in PACKS:
        for rule in rules_of(tomllib.loads(pack.read_text(encoding="utf-8"))):
            e = rule.enforcement
            if e is None or e.state != NOT_YET or not e.evidence:
                continue
            readers = [path for path, text in sources.items() if e.evidence in text]
            assert readers == [], (
                f"{rule.section} {rule.name} is marked 尚未由系统执行 but {readers} read "
                f"{e.evidence!r}: say in guanwei/packs/enforcement.py what enforces it now"
            )


# A chain's ``permission`` (W-12: ``post.emergency``) is checked by the code that reads
# it from the chain: at submission, and when the box is ticked (form and action).
CHAIN_PERMISSION_READERS = ('require(actor, chain["permission"]', "flag_permission(")


def _chain_permissions() -> set[str]:
    return {
        str(c["permission"])
        for pack in PACKS
        for c in tomllib.loads(pack.read_text(encoding="utf-8")).get("chains", [])
        if c.get("permission")
    }


def test_every_permission_is_checked_by_code_or_listed_as_not_yet() -> None:
    text = "\n".join(_product_sources().values())
    by_chain = _chain_permissions() if all(r in text for r in CHAIN_PERMISSION_READERS) else set()
    for permission in PERMISSIONS:
        checked = permission in by_chain
        checked |= re.search(rf"[\"']{re.escape(permission)}[\"']", text) is not None
        if permission in NOT_YET_PERMISSIONS:
            assert not checked, f"{permission} is checked now: remove it from NOT_YET_PERMISSIONS"
        else:
            assert checked, f"no code checks {permission}: list it in NOT_YET_PERMISSIONS"


def test_every_screening_rule_has_a_chinese_name() -> None:
    from guanwei.screening.engine.rules import RULES

    assert set(SCREENING_RULE_NAMES) == set(RULES)


def test_t06_t07_t09_t10_the_tourism_pack_lists_its_rules_for_later_issues_as_not_yet() -> None:
    doc = tomllib.loads((ROOT / "packs" / "tourism-bureau.toml").read_text(encoding="utf-8"))
    states = {(r.section, r.name): r.enforcement for r in rules_of(doc)}
    not_yet = {k for k, e in states.items() if e is not None and e.state == NOT_YET}
    # T-06 activities: enforced since issue 11 (interaction.actions.activity_chain)
    assert states[("chains", "网上互动及实时活动审批")].state == ENFORCED  # type: ignore[union-attr]
    assert ("chains", "官方微博资料变更审批") in not_yet  # T-07 profile changes
    assert ("deadlines", "突发事件处置") in not_yet  # T-10 incidents
    assert {k for k in not_yet if k[0] == "assessment"}  # T-09 assessment
    assert states[("chains", "本单位微博发布审核")].state == ENFORCED  # type: ignore[union-attr]


@pytest.mark.django_db
def test_t06_t07_t10_the_rule_book_page_marks_what_is_not_enforced_yet() -> None:
    """The tourism bureau's officer opens 制度: every rule with its state; those of later
    issues marked 尚未由系统执行, never shown as in force; headings in Chinese."""
    c = Client()
    c.force_login(person("ly_xa_officer"))
    page = c.get(reverse("pack_page")).content.decode()
    rows = re.findall(
        r'<tr class="rule rule-(\w+)"[^>]*>\s*<td>(.*?)</td>\s*<td>(.*?)</td>', page, re.S
    )
    assert rows
    marked = {re.sub(r"<[^>]+>", "", name).strip(): state for state, _section, name in rows}
    for name in ("官方微博资料变更审批", "突发事件处置"):
        assert marked[name] == NOT_YET, name
    assert marked["网上互动及实时活动审批"] == ENFORCED  # T-06, issue 11
    assert marked["本单位微博发布审核"] == ENFORCED
    assert page.count("尚未由系统执行") >= 3
    for english in ("Principles", "Roles", "Versions", "Rule book", "Title"):
        assert f">{english}<" not in page


def _docs() -> list[tuple[str, list]]:
    return [(p.stem, rules_of(tomllib.loads(p.read_text(encoding="utf-8")))) for p in PACKS]


def test_no_action_checks_a_view_permission() -> None:
    """A ``*.view`` permission opens pages and lists (the deadline list, the filings …),
    shared by unrelated duties; no state change checks it, so it is no duty's work."""
    views = [p for p in PERMISSIONS if view_only(p)]
    assert "report.view" in views
    for path, text in _product_sources().items():
        if path.endswith("/actions.py") or "/actions/" in path:
            checked = [p for p in views if re.search(rf"[\"']{re.escape(p)}[\"']", text)]
            assert checked == [], f"{path} checks {checked}: then it is not view-only"


def test_w20_t09_e06_a_duty_is_enforced_by_its_work_never_by_a_view_permission_alone() -> None:
    """Every enforced duty names the code of its work (``DUTY_SUBSTANCE``) or holds a
    permission that gates a change and is checked; view permissions and permissions not
    yet checked are no evidence. A duty with only those is 尚未由系统执行."""
    duties = SECTION_BY_PATH["unit_types.duties"]
    for permissions in (["report.view"], ["assessment.manage", "report.view"], []):
        e = duties.classify({"name": "某项职责", "permissions": permissions})
        assert e is not None and e.state == NOT_YET, permissions
    e = duties.classify({"name": "某项职责", "permissions": ["report.view", "post.publish"]})
    assert e is not None and e.state == ENFORCED
    for stem, rules in _docs():
        for r in rules:
            e = r.enforcement
            if r.section != "unit_types.duties" or e is None or e.state != ENFORCED:
                continue
            if r.name in DUTY_SUBSTANCE:
                continue
            work = [
                p
                for p in _permissions_of(stem, r.name)
                if not view_only(p) and p not in NOT_YET_PERMISSIONS
            ]
            assert work, f"{stem} duty {r.name}: enforced by view permissions alone"
    names = {r.name for _, rules in _docs() for r in rules if r.section == "unit_types.duties"}
    assert set(DUTY_SUBSTANCE) | set(DUTY_MISSING) <= names, "names a duty no pack has"
    states = {(stem, r.name): r.enforcement for stem, rules in _docs() for r in rules}
    for key in (
        ("weather-bureau", "服务统计分析与效果评价"),  # W-20: no statistics report
        ("tourism-bureau", "通报表扬与批评"),  # T-09: no assessment
        ("tourism-bureau", "督促各单位及时更新"),  # T-01: nobody is urged
        ("edu-software", "推广:热点跟踪、目标用户与意见领袖、加V"),  # E-06: no tracking
    ):
        e = states[key]
        assert e is not None and e.state == NOT_YET, key


def _permissions_of(stem: str, duty_name: str) -> list[str]:
    doc = tomllib.loads((ROOT / "packs" / f"{stem}.toml").read_text(encoding="utf-8"))
    return [
        p
        for t in doc.get("unit_types", [])
        for d in t.get("duties", [])
        if d.get("name") == duty_name
        for p in d.get("permissions", [])
    ]


def test_t01_parts_no_code_reads_are_named_and_read_by_no_code() -> None:
    """The tourism quota 县级微博定期更新 is enforced (counted and warned), but its
    ``urge_after_days`` is read by no code: the rule says so, and the day code reads it
    the test asks for the registry to be updated."""
    sources = _product_sources()
    for fields in PARTS_NOT_YET.values():
        for field in fields:
            readers = [path for path, text in sources.items() if field in text]
            assert readers == [], f"{readers} read {field}: remove it from PARTS_NOT_YET"
    tourism = dict(_docs())["tourism-bureau"]
    quota = next(r for r in tourism if r.name == "县级微博定期更新")
    assert quota.enforcement is not None and quota.enforcement.state == ENFORCED
    assert [f for f, _ in quota.enforcement.missing] == ["urge_after_days"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "name", "part"),
    [
        ("kj_leader", "服务统计分析与效果评价", ""),  # W-20
        ("ly_xa_officer", "通报表扬与批评", ""),  # T-09
        ("ly_xa_officer", "督促各单位及时更新", ""),  # T-01
        ("edu_yy_lead", "推广:热点跟踪、目标用户与意见领袖、加V", ""),  # E-06
        ("ly_xa_officer", "县级微博定期更新", "连续7天未更新时督促该单位尚未由系统执行"),  # T-01
    ],
)
def test_w20_t09_t01_e06_the_rule_book_page_says_what_is_not_enforced(
    username: str, name: str, part: str
) -> None:
    c = Client()
    c.force_login(person(username))
    page = c.get(reverse("pack_page")).content.decode()
    rows = re.findall(
        r'<tr class="rule rule-(\w+)"[^>]*>\s*<td>.*?</td>\s*<td>(.*?)</td>(.*?)</tr>', page, re.S
    )
    found = [(state, rest) for state, n, rest in rows if re.sub(r"<[^>]+>", "", n).strip() == name]
    assert found, name
    for state, rest in found:
        if part:
            assert state == ENFORCED and part in rest, name
        else:
            assert state == NOT_YET and "尚无" in rest and "系统只给出查看权限" in rest, name


def test_w20_t09_t01_e06_a_duty_holding_only_a_view_permission_is_not_enforced() -> None:
    """W-20 服务统计分析与效果评价, T-09 通报表扬与批评, T-01 督促各单位及时更新 and E-06 推广
    hold report.view (besides permissions not checked yet): no statistics report,
    assessment, urging or promotion tracking exists, so none of them is in force."""
    states = {}
    for pack in PACKS:
        for r in rules_of(tomllib.loads(pack.read_text(encoding="utf-8"))):
            states[(pack.stem, r.name)] = r.enforcement
    for key in (
        ("weather-bureau", "服务统计分析与效果评价"),
        ("tourism-bureau", "通报表扬与批评"),
        ("tourism-bureau", "督促各单位及时更新"),
        ("edu-software", "推广:热点跟踪、目标用户与意见领袖、加V"),
    ):
        e = states[key]
        assert e is not None and e.state == NOT_YET, key


@pytest.mark.django_db
def test_t01_the_rule_book_page_says_the_urging_after_7_days_is_not_enforced() -> None:
    c = Client()
    c.force_login(person("ly_xa_officer"))
    page = c.get(reverse("pack_page")).content.decode()
    assert "连续7天未更新时督促该单位尚未由系统执行" in page


@pytest.mark.django_db
def test_t01_c01_the_rule_book_page_names_the_rule_book_not_its_file() -> None:
    """T-01, C-01: 制度 names the rule book in force by its title (市旅游官方微博管理办法),
    not by the pack's file name (tourism-bureau); the college, whose rule book has no
    columns, gets no 专栏 section saying 无。"""
    c = Client()
    c.force_login(person("ly_xa_officer"))
    page = c.get(reverse("pack_page")).content.decode()
    assert "市旅游官方微博管理办法" in page
    assert "tourism-bureau" not in page
    c.force_login(person("col_xcb_manager"))
    page = c.get(reverse("pack_page")).content.decode()
    assert "college" not in re.sub(r"<[^>]+>", " ", page).split()
    assert "<h2>专栏</h2>" not in page
