"""Review along approval chains (REQ W-14, W-15, C-07, C-09, T-04, R-04): the workflow
room's state changes, one module per concern.

* :mod:`.runs` — starting a run for material (W-15) or a post (T-04), opening a step,
  cancelling an open review when the text changes;
* :mod:`.screening` — screening the text and the pictures' text at submission (C-06);
* :mod:`.decisions` — who may decide a step, approve, reject, finishing the run;
* :mod:`.filing` — freezing an approved post with its approvers (C-07, C-09);
* :mod:`.delegation` — a deputy reviewing with the leader's consent (R-04);
* :mod:`.authorisation` — the 附二 authorisation form through its chain (R-06);
* :mod:`.application` — the account application form (审批表) through its chain (C-02);
* :mod:`.week_plans` — a column's week submitted and reviewed together (R-03).

Which chain applies is read in :mod:`guanwei.workflow.chains` (a query). A run is bound to
one immutable revision (its content hash). Guards sit at the top of each action and raise
a domain error; competing reviewers are settled by a conditional UPDATE (exactly one wins).
Nothing here writes the content room's tables: it calls the content actions for status
changes. Import the actions from here (``from guanwei.workflow import actions``).
"""

from __future__ import annotations

from guanwei.workflow.actions.application import (
    apply_for_account,
    record_archived_copies,
    request_application,
    request_people_change,
)
from guanwei.workflow.actions.authorisation import request_authorisation
from guanwei.workflow.actions.decisions import approve_step, check_decider, reject_step
from guanwei.workflow.actions.delegation import grant_delegation, revoke_delegation
from guanwei.workflow.actions.runs import (
    cancel_open_review,
    start_material_review,
    submit_for_review,
)
from guanwei.workflow.actions.week_plans import (
    approve_week_plan,
    pending_steps,
    submit_week_plan,
    submit_week_plan_days,
)
from guanwei.workflow.chains import select_post_chain
from guanwei.workflow.errors import ReviewError

__all__ = [
    "ReviewError",
    "approve_step",
    "approve_week_plan",
    "cancel_open_review",
    "check_decider",
    "grant_delegation",
    "pending_steps",
    "reject_step",
    "apply_for_account",
    "record_archived_copies",
    "request_application",
    "request_people_change",
    "request_authorisation",
    "revoke_delegation",
    "select_post_chain",
    "start_material_review",
    "submit_for_review",
    "submit_week_plan",
    "submit_week_plan_days",
]
