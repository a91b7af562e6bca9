"""The pack rules in force for an organisation, read from its PackApplication rows.

The rules are the parsed pack snapshot (``dataclasses.asdict`` of the schema's
``Pack``); base pack first, overlays after it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guanwei.core.catalog import SENSITIVE_PERMISSIONS
from guanwei.orgs.models import PackApplication


@dataclass(frozen=True)
class Grant:
    permission: str
    scope: str  # unit | subtree | organisation


@dataclass
class OrgRules:
    packs: list[dict[str, Any]] = field(default_factory=list)

    def requirement_ids(self) -> set[str]:
        """Every requirement ID the organisation's packs cite (``req`` anywhere in them)."""
        out: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "req":
                        out.update([value] if isinstance(value, str) else value or [])
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(self.packs)
        return out

    def _entries(self, section: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for pack in self.packs:
            out.extend(pack.get(section) or [])
        return out

    @property
    def roles(self) -> dict[str, dict[str, Any]]:
        return {r["key"]: r for r in self._entries("roles")}

    @property
    def unit_types(self) -> dict[str, dict[str, Any]]:
        return {t["key"]: t for t in self._entries("unit_types")}

    @property
    def categories(self) -> list[dict[str, Any]]:
        return self._entries("categories")

    @property
    def columns(self) -> list[dict[str, Any]]:
        return self._entries("columns")

    @property
    def channel_kinds(self) -> dict[str, dict[str, Any]]:
        return {k["key"]: k for k in self._entries("channel_kinds")}

    def extra(self, section: str) -> list[dict[str, Any]]:
        """Entries of a section the pack schema keeps raw (slots, quotas, deadlines …)."""
        out: list[dict[str, Any]] = []
        for pack in self.packs:
            value = (pack.get("extras") or {}).get(section)
            if isinstance(value, list):
                out.extend(v for v in value if isinstance(v, dict))
        return out

    @property
    def chains(self) -> list[dict[str, Any]]:
        return self._entries("chains")

    def flag_label(self, flag: str) -> str:
        """The box an author ticks to ask for the pack's ``when.<flag>`` post chain (issue
        #10 §2): the chain's ``label`` (特殊天气（随时发布）), else its name; "" when the
        pack has no such chain, and then there is no box."""
        for chain in self.chains:
            conditions = [chain.get("when") or {}, *(chain.get("when_any") or [])]
            if chain.get("applies_to") == "post" and any(w.get(flag) for w in conditions):
                return str(chain.get("label") or chain["name"])
        return ""

    def flag_permission(self, flag: str) -> str:
        """The permission the pack's ``when.<flag>`` post chain names (``permission``,
        W-12: ``post.emergency``): only who holds it may tick the box. "" when the chain
        names none (then every writer may) or the pack has no such chain."""
        for chain in self.chains:
            conditions = [chain.get("when") or {}, *(chain.get("when_any") or [])]
            if chain.get("applies_to") == "post" and any(w.get(flag) for w in conditions):
                return str(chain.get("permission") or "")
        return ""

    def form_chain(self, form: str) -> dict[str, Any] | None:
        """The chain whose printed form is ``form`` (application, authorisation), if any."""
        return next((c for c in self.chains if c.get("form") == form), None)

    def category(self, key: str) -> dict[str, Any] | None:
        return next((c for c in self.categories if c["key"] == key), None)

    def category_name(self, key: str) -> str:
        """The pack's name of a content category (预报类), the key only if the pack has none."""
        category = self.category(key)
        return category["name"] if category else key

    def contribution_name(self) -> str:
        """E-07: the pack's own name for contributions from outside (the category citing
        E-07: the edu-software pack's 学生、老师、家长投稿); "" when the pack names none, and
        the pages use the neutral 外部投稿 (issue 10 §2: no other organisation's words)."""
        for category in self.categories:
            req = category.get("req") or ()
            if "E-07" in ((req,) if isinstance(req, str) else tuple(req)):
                return str(category["name"])
        return ""

    def subtype_name(self, category_key: str, key: str) -> str:
        """The pack's name of a category's sub-type (最新城市预报 for city_forecast)."""
        for sub in (self.category(category_key) or {}).get("subtypes", []):
            if sub["key"] == key:
                return str(sub["name"])
        return key

    def column(self, key: str) -> dict[str, Any] | None:
        return next((c for c in self.columns if c["key"] == key), None)

    @property
    def principles(self) -> list[dict[str, Any]]:
        return self._entries("principles")

    def told_of_role_change(self, role: str) -> list[tuple[str, list[str]]]:
        """T-03: who is told when ``role`` is granted or revoked, as (unit type, roles):
        the holders of the duty a ``[[role_changes]]`` entry names (``tell_duty``)."""
        out: list[tuple[str, list[str]]] = []
        for entry in self.extra("role_changes"):
            if role not in (entry.get("roles") or []):
                continue
            for type_key, type_def in self.unit_types.items():
                for duty in type_def.get("duties", []):
                    if duty.get("key") == entry.get("tell_duty"):
                        out.append((type_key, list(duty.get("roles") or [])))
        return out

    @property
    def announced_roles(self) -> list[str]:
        """The roles whose changes are told (T-03), in pack order."""
        out: list[str] = []
        for entry in self.extra("role_changes"):
            out += [r for r in entry.get("roles") or [] if r not in out]
        return out

    def role_name(self, key: str) -> str:
        role = self.roles.get(key)
        return role["name"] if role else key

    def unit_type_name(self, key: str) -> str:
        unit_type = self.unit_types.get(key)
        return unit_type["name"] if unit_type else key

    @property
    def custody_roles(self) -> set[str]:
        """Roles that keep an account's password (C-08, W-16, T-08, R-05): those carrying
        ``credential.reveal`` or ``credential.manage`` by themselves or through a duty."""
        custody = {"credential.reveal", "credential.manage", "credential.*", "*"}
        out = {k for k, r in self.roles.items() if custody & set(r["permissions"])}
        for unit_type in self.unit_types.values():
            for duty in unit_type.get("duties", []):
                if custody & set(duty["permissions"]):
                    out.update(duty["roles"])
        return out

    @property
    def sensitive_roles(self) -> set[str]:
        """Roles whose grant needs a second person's confirmation (issue #9 §9): those the
        packs list under ``[security]``, and any role carrying a sensitive permission by
        itself or through a duty (so a pack that forgets one is still safe)."""
        listed = {
            key
            for pack in self.packs
            for key in ((pack.get("security") or {}).get("sensitive_roles") or [])
        }
        for key, role in self.roles.items():
            if SENSITIVE_PERMISSIONS & set(role["permissions"]):
                listed.add(key)
        for unit_type in self.unit_types.values():
            for duty in unit_type.get("duties", []):
                if SENSITIVE_PERMISSIONS & set(duty["permissions"]):
                    listed.update(duty["roles"])
        return listed

    def grants_for(self, role: str, unit_type: str) -> list[Grant]:
        """What holding ``role`` in a unit of ``unit_type`` allows (W-02, W-14):
        the role's own permissions plus those of the unit type's duties the
        role carries."""
        grants: list[Grant] = []
        role_def = self.roles.get(role)
        if role_def is None:
            return grants
        grants.extend(Grant(p, role_def["scope"]) for p in role_def["permissions"])
        type_def = self.unit_types.get(unit_type)
        for duty in (type_def or {}).get("duties", []):
            if role in duty["roles"]:
                grants.extend(Grant(p, duty["scope"]) for p in duty["permissions"])
        return grants


# The parsed rules of each PackApplication row, by what identifies the row's content.
# A row is never changed once written (a new version is a new row, the old one gets
# ``in_force_until``), so what the row's identity names cannot go stale; reading the
# snapshot (tens of kB of JSON per pack) on every ``rules_for`` cost a tenth of every page.
_parsed: dict[tuple[Any, ...], dict[str, Any]] = {}
_PARSED_MAX = 256


def rules_for(organisation_id: int) -> OrgRules:
    in_force = PackApplication.objects.filter(
        organisation_id=organisation_id, in_force_until__isnull=True
    )
    heads = list(
        in_force.values_list("pk", "kind", "pack_name", "version", "sha256", "in_force_from")
    )
    keys = {pk: (organisation_id, pk, *rest) for pk, *rest in heads}
    missing = [pk for pk, key in keys.items() if key not in _parsed]
    if missing:
        if len(_parsed) > _PARSED_MAX:
            _parsed.clear()
        # by pk alone: a row superseded since the first read is still the one it named
        rows = PackApplication.objects.filter(pk__in=missing).values_list("pk", "rules")
        for pk, rules in rows:
            if pk in keys:
                _parsed[keys[pk]] = rules
    ordered = sorted(heads, key=lambda row: 0 if row[1] == "base" else 1)
    packs = [_parsed.get(keys[row[0]]) for row in ordered]
    return OrgRules(packs=[p for p in packs if p is not None])
