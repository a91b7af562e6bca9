"""Helpers every page uses; they live with `orgs` (who the person is, which organisation)."""

from guanwei.orgs.pages import actor, current_org, org_people, organisations, page_context, visible

__all__ = ["actor", "current_org", "org_people", "organisations", "page_context", "visible"]
