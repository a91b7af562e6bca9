"""Specification of the policy-pack format: the shipped packs and every refusal class.

Pure Python: no database, no Django settings. Bad packs are written to ``tmp_path``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guanwei.core.catalog import PERMISSIONS
from guanwei.packs.requirements import REQUIREMENT_IDS
from guanwei.packs.schema import (
    PACKS_DIR,
    Pack,
    PackError,
    PackValidationError,
    available_packs,
    load_pack,
    load_pack_file,
    validate_files,
)

SHIPPED = (
    "college",
    "edu-software",
    "gov-inspection",
    "real-estate",
    "tourism-bureau",
    "weather-bureau",
)
BASE_PACKS = tuple(name for name in SHIPPED if name != "gov-inspection")

# What the demo flows need someone in every base organisation to be able to do:
# build the tree, register and approve accounts, submit, review, publish, audit.
DEMO_PERMISSIONS = frozenset(
    {
        "unit.create",
        "role.grant",
        "channel.create",
        "channel.approve",
        "pack.load",
        "audit.view",
        "material.submit",
        "post.create",
        "post.review",
        "post.publish",
        "credential.reveal",
    }
)

MINIMAL = """\
[pack]
name = "{name}"
version = "1.0.0"
title = "测试"
kind = "base"

[[roles]]
key = "editor"
name = "编辑"
req = "W-02"
permissions = ["post.create"]

[[unit_types]]
key = "section"
name = "科室"
req = "W-02"

[[categories]]
key = "forecast"
name = "预报类"
req = "W-09"

[[channel_kinds]]
key = "weibo"
name = "微博"
platform = "weibo"
req = "W-05"

[organisation]
key = "demo"
name = "演示"

[[organisation.units]]
key = "root"
name = "根"
type = "section"
req = "X-01"

[[organisation.units]]
key = "child"
name = "子"
type = "section"
parent = "root"
req = "X-01"
"""


@pytest.fixture(autouse=True)
def _fast_passwords() -> None:
    """Shadows the project conftest's fixture of this name, which needs Django settings:
    these tests are pure Python and also run with ``-p no:django``."""


def write_pack(
    tmp_path: Path, extra: str = "", *, name: str = "demo", body: str | None = None
) -> Path:
    path = tmp_path / f"{name}.toml"
    text = body if body is not None else MINIMAL.format(name=name)
    path.write_text(text + extra, encoding="utf-8")
    return path


def errors_of(path: Path) -> list[PackError]:
    errors = validate_files([path])
    with pytest.raises(PackValidationError) as caught:
        load_pack_file(path)
    assert [str(e) for e in caught.value.errors] == [str(e) for e in errors]
    return errors


def assert_refused(path: Path, key_path: str, *words: str) -> PackError:
    errors = errors_of(path)
    matching = [e for e in errors if e.key_path == key_path]
    assert matching, f"no error at {key_path!r}; got: {[str(e) for e in errors]}"
    error = matching[0]
    assert error.file == str(path)
    text = str(error)
    assert text.startswith(f"{path}: {key_path}: ")
    for word in words:
        assert word in error.message
    return error


def shipped() -> list[Pack]:
    return [load_pack(name) for name in SHIPPED]


# ------------------------------------------------------------------ the shipped packs


def test_it_ships_six_packs_that_validate() -> None:
    """REQUIREMENTS.md: the five rule books plus the X-07 inspection overlay are packs."""
    packs = available_packs()
    assert tuple(packs) == SHIPPED
    assert all(path.parent == PACKS_DIR for path in packs.values())
    assert validate_files(packs.values()) == []


def test_it_loads_every_pack_with_its_hash_and_kind() -> None:
    """X-07: gov-inspection is an overlay without an organisation; the rest are base packs."""
    for pack in shipped():
        assert pack.path.endswith(f"{pack.name}.toml")
        assert len(pack.sha256) == 64
        assert pack.version == "1.0.0"
        if pack.name == "gov-inspection":
            assert pack.kind == "overlay" and pack.organisation is None
        else:
            assert pack.kind == "base" and pack.organisation is not None


def test_it_cites_a_known_requirement_on_every_shipped_rule() -> None:
    """Every rule of every pack cites at least one ID of REQUIREMENTS.md."""
    for pack in shipped():
        for path, req in pack.rules():
            assert req, f"{pack.name}: {path} cites nothing"
            assert set(req) <= REQUIREMENT_IDS, f"{pack.name}: {path}: {req}"
        assert pack.requirement_ids() <= REQUIREMENT_IDS


def test_it_covers_every_requirement_of_each_rule_book() -> None:
    """W-01..W-21, C-01..C-12, T-01..T-10, R-01..R-06, E-01..E-07 and X-07 are each cited."""
    prefixes = {
        "weather-bureau": "W",
        "college": "C",
        "tourism-bureau": "T",
        "real-estate": "R",
        "edu-software": "E",
    }
    for name, prefix in prefixes.items():
        wanted = {rid for rid in REQUIREMENT_IDS if rid.startswith(prefix)}
        assert wanted <= load_pack(name).requirement_ids(), name
    assert load_pack("gov-inspection").requirement_ids() == {"X-07"}


def test_it_has_the_five_weather_categories_with_their_subtypes() -> None:
    """W-09: forecast 6, science 5, service 4, interaction 3, chat 3 sub-types (第六条)."""
    pack = load_pack("weather-bureau")
    counts = {c.key: (c.name, len(c.subtypes)) for c in pack.categories}
    assert counts == {
        "forecast": ("预报类", 6),
        "science": ("科普宣传类", 5),
        "service": ("重点服务类", 4),
        "interaction": ("互动类", 3),
        "chat": ("聊天类", 3),
    }
    assert "气象灾害预警信息" in [s.name for s in pack.category("forecast").subtypes]


def test_it_records_the_weather_principles() -> None:
    """W-01 and W-17: the publishing principles of 第二条 and 第十三条."""
    principles = {p.text: p.req for p in load_pack("weather-bureau").principles}
    for text in ("贴近民生", "准确及时", "科学权威", "分级负责"):
        assert principles[text] == ("W-01",)
    for text in ("有重点", "有把关", "重科学", "重安全"):
        assert principles[text] == ("W-17",)


def test_it_gives_the_business_section_account_and_category_approval() -> None:
    """W-04: opening/closing accounts and category changes need Business Section approval."""
    pack = load_pack("weather-bureau")
    duty = pack.unit_type("business_section").duty("approve_accounts_categories")
    assert {"channel.approve", "category.approve"} <= set(duty.permissions)
    assert duty.scope == "organisation"
    granted = pack.permissions_for("section_head", "business_section")
    assert "channel.approve" in granted
    assert "channel.approve" not in pack.permissions_for("section_head", "observatory")


def test_it_wires_the_weather_demo_accounts_and_follows() -> None:
    """W-05 and W-07: city and two county accounts; the third county is served by the city;
    the city follows the province, each county follows the province and the city."""
    org = load_pack("weather-bureau").organisation
    assert org is not None
    assert org.root.key == "province"
    weibo_units = {c.unit for c in org.channels if c.kind == "weibo"}
    counties = [u.key for u in org.units if u.type == "county_bureau"]
    assert len(counties) == 3
    assert len([c for c in counties if c in weibo_units]) == 2
    follows = {(f.follower, f.followee) for f in org.follows}
    assert ("city_weibo", "province_weibo") in follows
    for county in ("county_a_weibo", "county_b_weibo"):
        assert {(county, "province_weibo"), (county, "city_weibo")} <= follows
    city = org.channel("city_weibo")
    assert city.status == "active" and city.verified


def test_it_has_the_real_estate_columns_and_owning_units() -> None:
    """R-01 and R-02: five hashtag columns, each with the department that supplies it."""
    pack = load_pack("real-estate")
    owners = {c.hashtag: c.owner_unit for c in pack.columns}
    assert owners == {
        "#XX新闻#": "project_team",
        "#文化地产#": "investment_planning",
        "#行业资讯#": "admin_commerce",
        "#创意建筑#": "investment_planning",
        "#活力XX#": "admin_commerce",
    }
    org = pack.organisation
    assert org is not None
    assert org.unit("admin_commerce").name == "行政商务部"
    assert org.unit("investment_planning").name == "投资策划部"


def test_it_has_the_real_estate_management_group() -> None:
    """R-04: 组长, 执行组长, 副组长, 组员; R-05: a custodian of mailbox and account."""
    pack = load_pack("real-estate")
    names = {r.key: r.name for r in pack.roles}
    assert names["group_leader"] == "组长"
    assert names["executive_leader"] == "执行组长"
    assert names["deputy_leader"] == "副组长"
    assert names["group_member"] == "组员"
    assert "credential.reveal" in pack.role("custodian").permissions


def test_it_has_the_edu_software_columns() -> None:
    """E-03: the fixed columns of 第五篇 三(二) as Weibo topics."""
    hashtags = {c.hashtag for c in load_pack("edu-software").columns}
    assert {"#优趣之熊爸熊妈#", "#优信足迹#", "#下课十分钟#", "#优趣之老师也疯狂#"} <= hashtags


def test_it_lists_every_gov_inspection_rule() -> None:
    """X-07: V1-V4, P1-P8 and R1-R6 of inspection.md §6, V1 with a 14-day window."""
    extras = load_pack("gov-inspection").extras
    inspection = extras["inspection"]
    assert isinstance(inspection, dict)
    rules = {rule["id"]: rule for rule in inspection["rules"]}
    expected = [f"V{i}" for i in range(1, 5)] + [f"P{i}" for i in range(1, 9)]
    expected += [f"R{i}" for i in range(1, 7)]
    assert sorted(rules) == sorted(expected)
    assert rules["V1"]["days"] == 14 and rules["V1"]["level"] == "veto"
    assert all(rule["req"] == "X-07" for rule in rules.values())


def test_it_staffs_every_role_in_the_demo_organisations() -> None:
    """X-01: every role of a base pack is held by at least one demo person."""
    for name in BASE_PACKS:
        pack = load_pack(name)
        assert pack.organisation is not None
        held = {m.role for p in pack.organisation.people for m in p.memberships}
        assert held == {r.key for r in pack.roles}, name


def test_it_lets_someone_do_every_demo_step_in_each_base_pack() -> None:
    """X-01, X-02: the permissions a demo flow needs are held by some demo person."""
    for name in BASE_PACKS:
        pack = load_pack(name)
        org = pack.organisation
        assert org is not None
        granted: set[str] = set()
        for person in org.people:
            for m in person.memberships:
                granted |= pack.permissions_for(m.role, org.unit(m.unit).type)
        assert DEMO_PERMISSIONS <= granted, (name, DEMO_PERMISSIONS - granted)
        assert granted <= set(PERMISSIONS)


def test_it_expands_permission_wildcards() -> None:
    """X-01: 'unit.*' grants every unit permission of the catalogue."""
    admin = load_pack("weather-bureau").role("administrator")
    assert {"unit.view", "unit.create", "unit.move", "unit.change"} <= set(admin.permissions)
    security = load_pack("weather-bureau").role("security_admin")  # 三员分立 (issue #9 §9)
    assert {"role.grant", "role.revoke", "role.confirm"} <= set(security.permissions)


# ------------------------------------------------------------------ the API


def test_it_accepts_the_minimal_pack(tmp_path: Path) -> None:
    """X-01: a small valid pack loads; helpers find its parts."""
    pack = load_pack_file(write_pack(tmp_path))
    assert pack.role("editor").scope == "unit"
    assert pack.unit_type("section").name == "科室"
    with pytest.raises(KeyError):
        pack.role("nobody")
    assert pack.organisation is not None
    assert [u.key for u in pack.organisation.units_top_down()] == ["root", "child"]


def test_it_refuses_an_unknown_pack_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """X-07: loading a pack that is not shipped says which ones are."""
    monkeypatch.setenv("GUANWEI_PACKS_DIR", str(tmp_path))
    write_pack(tmp_path, name="alpha")
    assert list(available_packs()) == ["alpha"]
    with pytest.raises(PackValidationError) as caught:
        load_pack("weather")
    assert "no pack named 'weather'" in str(caught.value)
    assert "alpha" in str(caught.value)
    assert load_pack("alpha").name == "alpha"


def test_it_collects_all_errors_of_all_files(tmp_path: Path) -> None:
    """Every error is reported at once, not just the first."""
    one = write_pack(
        tmp_path,
        '\n[[roles]]\nkey = "editor"\nname = "x"\nreq = "Z-1"\npermisions = []\n',
        name="one",
    )
    two = write_pack(tmp_path, name="two", body='[pack]\nname = "zwei"\n')
    errors = validate_files([one, two])
    paths = {(Path(e.file).name, e.key_path) for e in errors}
    assert ("one.toml", "roles[1].key") in paths
    assert ("one.toml", "roles[1].req") in paths
    assert ("one.toml", "roles[1].permisions") in paths
    assert ("two.toml", "pack.name") in paths
    assert ("two.toml", "pack.version") in paths
    assert str(PackValidationError(errors)).count("\n") == len(errors) - 1


# ------------------------------------------------------------------ one test per refusal class


def test_it_refuses_an_unknown_role_in_a_duty(tmp_path: Path) -> None:
    """W-02: a duty may only name roles the pack defines."""
    path = write_pack(
        tmp_path,
        """
[[unit_types]]
key = "office"
name = "办公室"
req = "W-02"
duties = [{ key = "news", name = "通稿", req = "W-02", roles = ["editor", "wizard"] }]
""",
    )
    assert_refused(path, "unit_types[1].duties[0].roles[1]", "unknown role 'wizard'", "'editor'")


def test_it_refuses_an_unknown_role_in_a_membership(tmp_path: Path) -> None:
    """X-01: a person may only hold roles the pack defines."""
    path = write_pack(
        tmp_path,
        """
[[organisation.people]]
username = "ann"
name = "安"
memberships = [{ unit = "root", role = "editer" }]
""",
    )
    assert_refused(
        path, "organisation.people[0].memberships[0].role", "unknown role 'editer'", "'editor'"
    )


def test_it_refuses_an_unknown_permission(tmp_path: Path) -> None:
    """X-01: permissions come from catalog.PERMISSIONS only."""
    path = write_pack(
        tmp_path,
        '\n[[roles]]\nkey = "boss"\nname = "领导"\nreq = "W-14"\n'
        'permissions = ["post.review", "post.publsh"]\n',
    )
    assert_refused(
        path, "roles[1].permissions[1]", "unknown permission 'post.publsh'", "post.publish"
    )


def test_it_refuses_an_unknown_scope(tmp_path: Path) -> None:
    """X-01: a scope is unit, subtree or organisation."""
    path = write_pack(
        tmp_path, '\n[[roles]]\nkey = "boss"\nname = "领导"\nreq = "W-14"\nscope = "planet"\n'
    )
    assert_refused(path, "roles[1].scope", "unknown scope 'planet'", "'subtree'")


def test_it_refuses_a_duplicate_column(tmp_path: Path) -> None:
    """R-01: column keys are unique."""
    path = write_pack(
        tmp_path,
        """
[[columns]]
key = "news"
name = "新闻"
hashtag = "#新闻#"
req = "R-01"

[[columns]]
key = "news"
name = "新闻二"
hashtag = "#新闻二#"
req = "R-01"
""",
    )
    assert_refused(path, "columns[1].key", "duplicate column key 'news'", "columns[0]")


def test_it_refuses_a_duplicate_hashtag(tmp_path: Path) -> None:
    """R-01: two columns cannot share a hashtag."""
    path = write_pack(
        tmp_path,
        """
[[columns]]
key = "news"
name = "新闻"
hashtag = "#行业资讯#"
req = "R-01"

[[columns]]
key = "industry"
name = "行业"
hashtag = "#行业资讯#"
req = "R-01"
""",
    )
    assert_refused(path, "columns[1].hashtag", "duplicate column hashtag '#行业资讯#'")


@pytest.mark.parametrize(
    "hashtag",
    ["行业资讯", "#行业资讯", "##", "#行业 资讯#", "#行#业#", "#" + "长" * 33 + "#"],
)
def test_it_refuses_a_bad_hashtag(tmp_path: Path, hashtag: str) -> None:
    """R-01, E-03: a column hashtag is '#topic#', 1-32 characters, no '#' or space inside."""
    path = write_pack(
        tmp_path,
        f'\n[[columns]]\nkey = "news"\nname = "新闻"\nhashtag = "{hashtag}"\nreq = "R-01"\n',
    )
    assert_refused(path, "columns[0].hashtag", "invalid hashtag", "#话题#")


def test_it_refuses_a_column_with_unknown_owner_or_category(tmp_path: Path) -> None:
    """R-02: a column's owning unit and category must exist."""
    path = write_pack(
        tmp_path,
        '\n[[columns]]\nkey = "news"\nname = "新闻"\nhashtag = "#新闻#"\nreq = "R-02"\n'
        'owner_unit = "marketing"\ncategory = "gossip"\n',
    )
    assert_refused(path, "columns[0].owner_unit", "unknown unit 'marketing'")
    assert_refused(path, "columns[0].category", "unknown category 'gossip'", "'forecast'")


def test_it_refuses_an_owner_review_with_an_unknown_role_or_no_owner(tmp_path: Path) -> None:
    """R-02: the roles that approve a column for its owner must exist, and the column must
    be owner_only (owner_review says who approves what others draft)."""
    path = write_pack(
        tmp_path,
        '\n[[columns]]\nkey = "news"\nname = "新闻"\nhashtag = "#新闻#"\nreq = "R-02"\n'
        'owner_review = ["column_boss"]\n',
    )
    assert_refused(path, "columns[0].owner_review", "owner_only")
    assert_refused(path, "columns[0].owner_review[0]", "unknown role 'column_boss'")


def test_it_refuses_a_unit_cycle(tmp_path: Path) -> None:
    """X-01: units form a tree; a parent cycle is refused."""
    path = write_pack(
        tmp_path,
        """
[[organisation.units]]
key = "a"
name = "甲"
type = "section"
parent = "b"
req = "X-01"

[[organisation.units]]
key = "b"
name = "乙"
type = "section"
parent = "a"
req = "X-01"
""",
    )
    assert_refused(path, "organisation.units[2].parent", "parent cycle a -> b -> a")


def test_it_refuses_two_roots(tmp_path: Path) -> None:
    """X-01: exactly one unit has no parent."""
    path = write_pack(
        tmp_path,
        '\n[[organisation.units]]\nkey = "other"\nname = "另"\ntype = "section"\nreq = "X-01"\n',
    )
    assert_refused(path, "organisation.units[2].parent", "'root'", "exactly one unit")


def test_it_refuses_an_unknown_parent_and_unit_type(tmp_path: Path) -> None:
    """X-01: a unit's parent and type must exist."""
    path = write_pack(
        tmp_path,
        '\n[[organisation.units]]\nkey = "c"\nname = "丙"\ntype = "sectoin"\nparent = "nowhere"\n'
        'req = "X-01"\n',
    )
    assert_refused(path, "organisation.units[2].parent", "unknown parent unit 'nowhere'")
    assert_refused(path, "organisation.units[2].type", "unknown unit type 'sectoin'", "'section'")


def test_it_refuses_a_typo_in_a_key(tmp_path: Path) -> None:
    """Unknown keys are refused so typos do not silently drop a rule."""
    path = write_pack(
        tmp_path, '\n[[roles]]\nkey = "boss"\nname = "领导"\nreq = "W-14"\npermisions = []\n'
    )
    assert_refused(path, "roles[1].permisions", "unknown key 'permisions'", "'permissions'")


def test_it_refuses_an_unknown_top_level_section(tmp_path: Path) -> None:
    """Only the known and reserved top-level sections are allowed."""
    path = write_pack(tmp_path, '\n[[colums]]\nkey = "x"\n')
    assert_refused(path, "colums", "unknown key 'colums'", "'columns'")


def test_it_refuses_a_name_that_is_not_the_file_stem(tmp_path: Path) -> None:
    """The pack name is its file name, so `guanwei packs load NAME` finds it."""
    path = tmp_path / "weather.toml"
    path.write_text(MINIMAL.format(name="weather-bureau"), encoding="utf-8")
    assert_refused(path, "pack.name", "'weather-bureau'", "file stem 'weather'")


def test_it_refuses_a_bad_version_and_kind(tmp_path: Path) -> None:
    """A pack version is MAJOR.MINOR.PATCH; a kind is base or overlay."""
    body = MINIMAL.format(name="demo").replace('"1.0.0"', '"1.0"').replace('"base"', '"extra"')
    path = write_pack(tmp_path, body=body)
    assert_refused(path, "pack.version", "'1.0'", "1.0.0")
    assert_refused(path, "pack.kind", "'extra'", "'overlay'")


@pytest.mark.parametrize(
    ("req", "key_path"),
    [('"W-99"', "roles[1].req"), ('["W-02", "Q-01"]', "roles[1].req[1]"), ("[]", "roles[1].req")],
)
def test_it_refuses_a_bad_req(tmp_path: Path, req: str, key_path: str) -> None:
    """Every rule cites at least one known requirement ID."""
    path = write_pack(tmp_path, f'\n[[roles]]\nkey = "boss"\nname = "领导"\nreq = {req}\n')
    assert_refused(path, key_path, "requirement ID")


def test_it_refuses_a_rule_without_req(tmp_path: Path) -> None:
    """Every rule cites a requirement, including entries of reserved sections."""
    path = write_pack(
        tmp_path, '\n[[roles]]\nkey = "boss"\nname = "领导"\n\n[[slots]]\ntime = "07:30"\n'
    )
    assert_refused(path, "roles[1].req", "missing required key 'req'")
    assert_refused(path, "slots[0].req", "missing required key 'req'")


def test_it_checks_req_in_nested_reserved_tables(tmp_path: Path) -> None:
    """X-07: entries of [[inspection.rules]] cite known IDs."""
    path = write_pack(tmp_path, '\n[inspection]\n[[inspection.rules]]\nid = "V1"\nreq = "X-08"\n')
    assert_refused(path, "inspection.rules[0].req", "unknown requirement ID 'X-08'")


def test_it_refuses_a_toml_syntax_error(tmp_path: Path) -> None:
    """A broken file is reported with its line and column, not a traceback."""
    path = write_pack(tmp_path, body='[pack]\nname = "demo"\nversion = = "1.0.0"\n')
    error = assert_refused(path, "<toml>", "line 3")
    assert "column" in error.message


def test_it_refuses_wrong_types(tmp_path: Path) -> None:
    """Values have the documented types."""
    path = write_pack(
        tmp_path,
        '\n[[roles]]\nkey = "boss"\nname = 7\nreq = "W-14"\npermissions = "post.review"\n',
    )
    assert_refused(path, "roles[1].name", "expected a string, got an integer")
    assert_refused(path, "roles[1].permissions", "expected an array of strings")


def test_it_refuses_bad_channel_references(tmp_path: Path) -> None:
    """W-07, C-08: a channel's kind, unit, manager and responsible person exist; follows name
    known channels and not themselves."""
    path = write_pack(
        tmp_path,
        """
[[organisation.people]]
username = "ann"
name = "安"

[[organisation.channels]]
key = "main"
name = "主账号"
kind = "wechat"
unit = "attic"
manager = "bob"
responsible = "ann"
status = "open"
req = "C-01"

[[organisation.follows]]
follower = "main"
followee = "main"
req = "W-07"

[[organisation.follows]]
follower = "main"
followee = "ghost"
req = "W-07"
""",
    )
    assert_refused(path, "organisation.channels[0].kind", "unknown channel kind 'wechat'")
    assert_refused(path, "organisation.channels[0].unit", "unknown unit 'attic'")
    assert_refused(path, "organisation.channels[0].manager", "unknown manager username 'bob'")
    assert_refused(path, "organisation.channels[0].status", "'open'", "'active'")
    assert_refused(path, "organisation.follows[0].followee", "cannot follow itself")
    assert_refused(path, "organisation.follows[1].followee", "unknown channel 'ghost'")


def test_it_refuses_duplicate_keys_in_every_keyed_section(tmp_path: Path) -> None:
    """Roles, unit types, duties, categories, sub-types, kinds, units, people and channels
    each have unique keys."""
    path = write_pack(
        tmp_path,
        """
[[roles]]
key = "editor"
name = "编辑二"
req = "W-02"

[[unit_types]]
key = "section"
name = "科室二"
req = "W-02"
duties = [
  { key = "d", name = "一", req = "W-02" },
  { key = "d", name = "二", req = "W-02" },
]

[[categories]]
key = "forecast"
name = "预报类二"
req = "W-09"
subtypes = [{ key = "s", name = "一" }, { key = "s", name = "二" }]

[[channel_kinds]]
key = "weibo"
name = "微博二"
platform = "weibo"
req = "W-05"

[[organisation.units]]
key = "child"
name = "子二"
type = "section"
parent = "root"
req = "X-01"

[[organisation.people]]
username = "ann"
name = "安"

[[organisation.people]]
username = "ann"
name = "安二"

[[organisation.channels]]
key = "c"
name = "一"
kind = "weibo"
unit = "root"
req = "W-05"

[[organisation.channels]]
key = "c"
name = "二"
kind = "weibo"
unit = "root"
req = "W-05"
""",
    )
    for key_path in (
        "roles[1].key",
        "unit_types[1].key",
        "unit_types[1].duties[1].key",
        "categories[1].key",
        "categories[1].subtypes[1].key",
        "channel_kinds[1].key",
        "organisation.units[2].key",
        "organisation.people[1].username",
        "organisation.channels[1].key",
    ):
        assert_refused(path, key_path, "duplicate")


def test_it_refuses_an_organisation_in_an_overlay(tmp_path: Path) -> None:
    """X-07: an overlay adds rules to a base pack's organisation and brings none itself."""
    body = MINIMAL.format(name="demo").replace('kind = "base"', 'kind = "overlay"')
    path = write_pack(tmp_path, body=body)
    assert_refused(path, "organisation", "overlay")


def test_it_refuses_an_unknown_platform(tmp_path: Path) -> None:
    """C-01: a channel kind lives on a platform of catalog.PLATFORMS."""
    path = write_pack(
        tmp_path,
        '\n[[channel_kinds]]\nkey = "tieba"\nname = "贴吧"\nplatform = "baidu"\nreq = "C-01"\n',
    )
    assert_refused(path, "channel_kinds[1].platform", "unknown platform 'baidu'", "'other'")


def test_it_keeps_demo_usernames_unique_across_packs() -> None:
    """X-01: the loader refuses a person of one organisation in another, so the shipped
    demo organisations never share a username."""
    seen: dict[str, str] = {}
    for name in BASE_PACKS:
        org = load_pack(name).organisation
        assert org is not None
        for person in org.people:
            assert person.username not in seen, (person.username, seen.get(person.username), name)
            seen[person.username] = name


def test_it_accepts_the_example_of_the_docs(tmp_path: Path) -> None:
    """docs/packs.md: the small complete example is a valid pack."""
    docs = (PACKS_DIR.parent / "docs" / "packs.md").read_text(encoding="utf-8")
    start = docs.index('```toml\n[pack]\nname = "small-bureau"')
    body = docs[start + len("```toml\n") : docs.index("```", start + 7)]
    pack = load_pack_file(write_pack(tmp_path, name="small-bureau", body=body))
    assert pack.permissions_for("publisher", "bureau") >= {"post.create", "post.publish"}
