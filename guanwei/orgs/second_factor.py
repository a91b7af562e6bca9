"""Two factors (issue #9 §11): the rule and the read side. State changes (enrol, verify,
recovery codes, remove) are in ``orgs.actions``; the login gate is
``web.middleware.SecondFactorMiddleware``.

``GUANWEI_MFA``: ``required`` (the production default) — whoever holds a permission in
``core.catalog.SECOND_FACTOR_PERMISSIONS`` (reviewers, publishers, custodians,
administrators) and every Django staff member must enrol before doing anything else;
``optional`` (the embedded demo) — offered on 账号安全, never forced; a person who enrolled
is always asked for the code. ``off`` turns the gate off (tests, recovery).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import segno
from django.conf import settings
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from guanwei.core.catalog import SECOND_FACTOR_PERMISSIONS
from guanwei.orgs.models import Membership
from guanwei.orgs.permissions import held_permissions

if TYPE_CHECKING:
    from guanwei.orgs.models import User

RECOVERY_CODE_COUNT = 10
MODES = ("required", "optional", "off")


def mode() -> str:
    value = str(getattr(settings, "GUANWEI_MFA", "optional")).lower()
    return value if value in MODES else "required"  # an unknown value fails safe


def _covers(held: str, name: str) -> bool:
    return held == name or held == "*" or (held.endswith(".*") and name.startswith(held[:-1]))


def role_needs_second_factor(user: User) -> bool:
    """Does this person's work need a second factor (whatever the mode)?"""
    if user.is_staff or user.is_superuser:
        return True
    held = held_permissions(user)
    return any(_covers(h, name) for h in held for name in SECOND_FACTOR_PERMISSIONS)


def must_enrol(user: User) -> bool:
    return mode() == "required" and role_needs_second_factor(user)


def authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user: User) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device else 0


def qr_svg(uri: str) -> str:
    """The enrolment QR code as inline SVG, drawn on the server (no CDN, no script)."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=5, border=2)
    return svg


def pretty_secret(device: TOTPDevice) -> str:
    """The secret as an authenticator app types it: base32, in groups of four."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def home_organisation_id(user: User) -> int | None:
    """The organisation an audit record about this person's login belongs to."""
    return (
        Membership.objects.filter(user=user, revoked_at__isnull=True)
        .order_by("pk")
        .values_list("unit__organisation_id", flat=True)
        .first()
    )
