"""The workflow room's actions, split by concern (issue 8 §7), are still reached as
``guanwei.workflow.actions.<name>``: the same public names as before the split, each
defined in the module its concern names (W-14, W-15, C-07, R-04)."""

from __future__ import annotations

import inspect

from guanwei.workflow import actions

# The public names of guanwei/workflow/actions.py before the split (as of aecd729).
BEFORE = {
    "ReviewError": "guanwei.workflow.errors",
    "approve_step": "guanwei.workflow.actions.decisions",
    "cancel_open_review": "guanwei.workflow.actions.runs",
    "check_decider": "guanwei.workflow.actions.decisions",
    "grant_delegation": "guanwei.workflow.actions.delegation",
    "reject_step": "guanwei.workflow.actions.decisions",
    "revoke_delegation": "guanwei.workflow.actions.delegation",
    "select_post_chain": "guanwei.workflow.chains",
    "start_material_review": "guanwei.workflow.actions.runs",
    "submit_for_review": "guanwei.workflow.actions.runs",
    # added since: the 附二 authorisation through its chain (issue 10 §4, R-06)
    "request_authorisation": "guanwei.workflow.actions.authorisation",
    # the week plan submitted and reviewed together (issue 10 §4, R-03)
    "approve_week_plan": "guanwei.workflow.actions.week_plans",
    "pending_steps": "guanwei.workflow.actions.week_plans",
    "submit_week_plan": "guanwei.workflow.actions.week_plans",
    "submit_week_plan_days": "guanwei.workflow.actions.week_plans",
    # the college's account application form as a run (issue 10 §3, C-02/C-03)
    "request_application": "guanwei.workflow.actions.application",
    # opening an account and changing its people by the 审批表 (issue 12 §1-2, C-02/C-03)
    "apply_for_account": "guanwei.workflow.actions.application",
    "record_archived_copies": "guanwei.workflow.actions.application",
    "request_people_change": "guanwei.workflow.actions.application",
}


def test_it_exports_the_same_public_names_from_their_concern_modules() -> None:
    """W-14 / R-04: callers keep ``from guanwei.workflow import actions``; each name lives
    where its concern says (runs, decisions, delegation, chains)."""
    assert sorted(actions.__all__) == sorted(BEFORE)
    for name, module in BEFORE.items():
        obj = getattr(actions, name)
        assert obj.__module__ == module, name
        assert inspect.isfunction(obj) or inspect.isclass(obj), name
