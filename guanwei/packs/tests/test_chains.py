"""Approval chains as pack data (REQ W-14, W-15, C-07, C-09, T-04, R-04)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guanwei.packs.schema import PACKS_DIR, load_pack, validate_files


def test_it_reads_the_chains_of_every_base_pack() -> None:
    """W-15, C-09, T-04, R-04, E-01: every base pack has a post review chain with steps."""
    for name in ["weather-bureau", "college", "tourism-bureau", "real-estate", "edu-software"]:
        pack = load_pack(name)
        post_chains = [c for c in pack.chains if c.applies_to == "post"]
        assert post_chains and all(c.steps for c in post_chains), name


def test_it_models_the_college_opinion_office_and_filing() -> None:
    """C-07, C-09: sensitive posts and main-account posts go to the Opinion Office and are filed."""
    college = load_pack("college")
    sensitive = next(c for c in college.chains if c.key == "sensitive_post")
    assert sensitive.file_on_approval
    # C-07 (issue 10 §3): the author's box is one alternative; category, sub-type and the
    # screening's sensitive-event terms choose it too
    alternatives = sensitive.when_any
    assert any(w.sensitive for w in alternatives)
    assert any(w.categories == ("sensitive",) for w in alternatives)
    assert any("emergency" in w.subtypes for w in alternatives)
    assert any(w.screening == ("sensitive_event",) for w in alternatives)
    assert [s.unit for s in sensitive.steps] == ["post_unit", "opinion_office"]


def test_it_models_delegation_with_consent() -> None:
    """R-04: a deputy may review in the leader's place with the executive leader's consent."""
    review = next(c for c in load_pack("real-estate").chains if c.key == "review")
    assert review.delegation is not None
    assert (review.delegation.to_role, review.delegation.consent_role) == (
        "deputy_leader",
        "executive_leader",
    )


def _bad(tmp_path: Path, old: str, new: str) -> list[str]:
    text = (PACKS_DIR / "real-estate.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "real-estate.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return [str(e) for e in validate_files([path])]


@pytest.mark.parametrize(
    ("old", "new", "where", "what"),
    [
        (
            'roles = ["group_leader", "executive_leader"]',
            'roles = ["chairman"]',
            "chains[0].steps[0].roles[0]",
            "unknown role 'chairman'",
        ),
        (
            'unit = "management_group" }',
            'unit = "board" }',
            "chains[0].steps[0].unit",
            "unknown unit 'board'",
        ),
        (
            'step = "group_review", to_role',
            'step = "nope", to_role',
            "chains[0].delegation.step",
            "unknown step 'nope'",
        ),
        (
            'applies_to = "post"',
            'applies_to = "poster"',
            "chains[0].applies_to",
            "unknown chain subject 'poster'",
        ),
    ],
)
def test_it_refuses_a_broken_chain(
    tmp_path: Path, old: str, new: str, where: str, what: str
) -> None:
    """R-04: chain errors name the file, the key path and what is wrong."""
    errors = _bad(tmp_path, old, new)
    assert any(where in e and what in e and "real-estate.toml" in e for e in errors), errors


def test_c07_when_any_and_distinct_decider_keys_are_checked(tmp_path: Path) -> None:
    """C-07, issue 10 §3: `when_any` alternatives name existing categories and sub-types;
    `allow_previous_decider` and `owner_only` (R-02) are read."""
    text = (PACKS_DIR / "college.toml").read_text(encoding="utf-8")
    path = tmp_path / "college.toml"
    path.write_text(
        text.replace('{ subtypes = ["major_event"', '{ subtypes = ["no_such_subtype"', 1),
        encoding="utf-8",
    )
    errors = [str(e) for e in validate_files([path])]
    assert any("no_such_subtype" in e for e in errors), errors
    college = load_pack("college")
    application = next(c for c in college.chains if c.key == "account_application")
    assert [s.allow_previous_decider for s in application.steps] == [
        False,
        False,
        False,
        True,
        False,
    ]
    estate = load_pack("real-estate")
    assert all(c.owner_only for c in estate.columns if c.owner_unit)
    # R-02 "or approved by": each owning department's 专栏负责人 approves
    assert all(c.owner_review == ("column_editor",) for c in estate.columns)
