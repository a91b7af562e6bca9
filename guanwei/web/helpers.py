"""Old import path of the page helpers, which live with `orgs` (`guanwei.orgs.pages`: who the
person is, which organisation). Rooms import `guanwei.orgs.pages`: a room never imports
the shell, which sits above every room."""

from guanwei.orgs.pages import actor, current_org, org_people, organisations, page_context, visible

__all__ = ["actor", "current_org", "org_people", "organisations", "page_context", "visible"]
