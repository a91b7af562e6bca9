"""Loading a pack into the database: idempotent, audited, versioned (REQ X-01, X-02, W-02)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanwei.audit.models import AuditRecord
from guanwei.audit.verify import verify_chain
from guanwei.cli import main
from guanwei.core.errors import InvalidChange
from guanwei.orgs.models import PackApplication
from guanwei.orgs.permissions import SYSTEM
from guanwei.packs.actions import load_pack
from guanwei.packs.schema import PACKS_DIR, available_packs, load_pack_file
from guanwei.packs.schema import load_pack as read_pack
from guanwei.testing.personas import org, unit

pytestmark = pytest.mark.django_db


def test_it_loads_every_base_pack_into_its_own_organisation() -> None:
    """X-01: each base pack with an organisation becomes one."""
    for name in available_packs():
        pack = read_pack(name)
        if pack.organisation is not None:
            o = org(pack.organisation.key)
            assert o.units.count() == len(pack.organisation.units)


def test_it_is_idempotent() -> None:
    """X-02: loading the same pack again changes nothing and writes nothing."""
    before = AuditRecord.objects.count()
    report = load_pack(read_pack("weather-bureau"), actor=SYSTEM)
    assert report.nothing_changed
    assert AuditRecord.objects.count() == before


def test_it_applies_a_changed_pack_and_keeps_the_old_version(tmp_path: Path) -> None:
    """X-02: a changed pack updates units through audited actions and records which
    version is in force from when."""
    text = (PACKS_DIR / "weather-bureau.toml").read_text(encoding="utf-8")
    text = text.replace('name = "丙县气象局"', 'name = "丙县气象局(新)"').replace(
        'version = "1.0.0"', 'version = "1.0.1"', 1
    )
    changed = tmp_path / "weather-bureau.toml"
    changed.write_text(text, encoding="utf-8")
    report = load_pack(load_pack_file(changed), actor=SYSTEM)
    assert report.pack_changed and report.changed == {"units": 1}
    assert unit("demo_weather", "county_c").name == "丙县气象局(新)"
    versions = PackApplication.objects.filter(
        organisation__key="demo_weather", pack_name="weather-bureau"
    ).order_by("in_force_from")
    assert [v.version for v in versions] == ["1.0.0", "1.0.1"]
    assert versions[0].in_force_until is not None and versions[1].in_force_until is None
    assert verify_chain().ok


def test_it_needs_an_organisation_for_an_overlay() -> None:
    """X-07: the gov-inspection overlay applies to an existing organisation."""
    overlay = read_pack("gov-inspection")
    with pytest.raises(InvalidChange):
        load_pack(overlay, actor=SYSTEM)
    report = load_pack(overlay, actor=SYSTEM, organisation=org("demo_weather"))
    assert report.pack_changed
    assert PackApplication.objects.filter(
        organisation__key="demo_weather", pack_name="gov-inspection", in_force_until__isnull=True
    ).exists()


def test_it_refuses_a_username_of_another_organisation(tmp_path: Path) -> None:
    """X-01: a pack's demo person never silently gains roles in another organisation."""
    text = (PACKS_DIR / "college.toml").read_text(encoding="utf-8")
    changed = tmp_path / "college.toml"
    changed.write_text(text.replace('"col_admin"', '"gw_admin"'), encoding="utf-8")
    pack = load_pack_file(changed)
    with pytest.raises(InvalidChange, match="gw_admin"):
        load_pack(pack, actor=SYSTEM)


def test_the_cli_loads_and_reports_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", "load", "weather-bureau"]) == 0
    assert "already up to date" in capsys.readouterr().out


def test_the_cli_lists_six_packs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["packs", "list"]) == 0
    out = capsys.readouterr().out
    for name in [
        "weather-bureau",
        "college",
        "tourism-bureau",
        "real-estate",
        "edu-software",
        "gov-inspection",
    ]:
        assert name in out


def test_the_cli_validates_and_refuses_an_unknown_role(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A pack with an unknown role exits 1 naming the file and the key."""
    assert main(["packs", "validate", *map(str, sorted(PACKS_DIR.glob("*.toml")))]) == 0
    text = (PACKS_DIR / "weather-bureau.toml").read_text(encoding="utf-8")
    bad = tmp_path / "weather-bureau.toml"
    bad.write_text(
        text.replace('roles = ["info_officer"]', 'roles = ["info_oficer"]', 1), encoding="utf-8"
    )
    assert main(["packs", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "unit_types[" in err and ".roles[0]" in err and "info_oficer" in err


def test_the_rules_in_force_follow_a_new_version_and_an_overlay(tmp_path: Path) -> None:
    """The rules read for an organisation (kept parsed per pack version row) are those of
    the version now in force: a changed pack and an overlay show at once, nothing of the
    old version stays."""
    from guanwei.orgs.rules import rules_for

    o = org("demo_weather")
    before = rules_for(o.pk)
    assert rules_for(o.pk).packs == before.packs
    text = (PACKS_DIR / "weather-bureau.toml").read_text(encoding="utf-8")
    text = text.replace('name = "信息员"', 'name = "信息员(新)"', 1).replace(
        'version = "1.0.0"', 'version = "1.0.2"', 1
    )
    changed = tmp_path / "weather-bureau.toml"
    changed.write_text(text, encoding="utf-8")
    load_pack(load_pack_file(changed), actor=SYSTEM)
    after = rules_for(o.pk)
    assert [p["version"] for p in after.packs] == ["1.0.2"]
    assert "信息员(新)" in {r["name"] for r in after.roles.values()}
    assert "信息员(新)" not in {r["name"] for r in before.roles.values()}
    load_pack(read_pack("gov-inspection"), actor=SYSTEM, organisation=o)
    assert [p["name"] for p in rules_for(o.pk).packs] == ["weather-bureau", "gov-inspection"]
