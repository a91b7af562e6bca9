"""Forms of the account pages: change an account, fill the authorisation form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from guanwei.channels.models import ChannelStatus
from guanwei.orgs.models import User


class AuthorisationForm(forms.Form):
    grantee = forms.CharField(label=_("Authorised person"), max_length=64)
    grantee_title = forms.CharField(label=_("Job title"), max_length=64, required=False)
    scope = forms.CharField(label=_("Scope of the authorisation"), max_length=200)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
    valid_from = forms.DateTimeField(
        label=_("Valid from"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    valid_until = forms.DateTimeField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class ApplicationForm(forms.Form):
    """The account application form (审批表, C-02): what is asked and why; the account's
    data and its people come from the account record."""

    kind = forms.ChoiceField(
        label=_("Application for"),
        choices=[
            ("open", _("Opening the account")),
            ("change", _("Change of responsible person or manager")),
        ],
    )
    purpose = forms.CharField(
        label=_("Purpose and publishing scope"), widget=forms.Textarea(attrs={"rows": 3})
    )
    other_media = forms.CharField(label=_("Other new media"), max_length=128, required=False)


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Account name"), max_length=128)
    account_id = forms.CharField(label=_("Account ID"), max_length=128, required=False)
    purpose = forms.CharField(
        label=_("Purpose and publishing scope"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    manager = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Manager"), required=False, empty_label=_("— none —")
    )
    responsible = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label=_("Responsible person"),
        required=False,
        empty_label=_("— none —"),
    )
    status = forms.ChoiceField(choices=ChannelStatus.choices, label=_("Status"))
    verified = forms.BooleanField(label=_("Real-name verified"), required=False)
    mailbox = forms.EmailField(label=_("Registration mailbox"), max_length=200, required=False)

    def __init__(
        self,
        *args: object,
        people: object,
        statuses: list[tuple[str, str]] | None = None,
        **kwargs: object,
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if statuses is not None:  # only the statuses this person may set (issue #10 §6)
            field = self.fields["status"]
            field.choices = statuses  # type: ignore[attr-defined]
            if len(statuses) == 1:
                field.disabled = True
                field.initial = statuses[0][0]
                field.help_text = _("Opening or closing the account needs the approval right.")
        self.fields["manager"].queryset = people  # type: ignore[attr-defined]
        self.fields["responsible"].queryset = people  # type: ignore[attr-defined]


class _PeopleFields(forms.Form):
    """管理人 and 责任人 of the 审批表 (C-02, C-03): chosen among the eligible people of the
    unit; their title and phone are the person's own where left empty."""

    manager = forms.ModelChoiceField(
        queryset=User.objects.none(), label="管理人姓名", empty_label="— 请选择 —"
    )
    manager_title = forms.CharField(label="管理人职务", max_length=64, required=False)
    manager_phone = forms.CharField(label="管理人联系电话", max_length=32, required=False)
    manager_qq = forms.CharField(label="管理人QQ号", max_length=32, required=False)
    responsible = forms.ModelChoiceField(
        queryset=User.objects.none(), label="责任人姓名", empty_label="— 请选择 —"
    )
    responsible_title = forms.CharField(label="责任人职务", max_length=64, required=False)
    responsible_phone = forms.CharField(label="责任人联系电话", max_length=32, required=False)

    def __init__(self, *args: object, people: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in ("manager", "responsible"):
            field = self.fields[name]
            field.queryset = people  # type: ignore[attr-defined]
            # the name with the title and phone on file (prefilled when left empty)
            field.label_from_instance = _person_label  # type: ignore[attr-defined]


def _person_label(person: User) -> str:
    known = "，".join(x for x in (person.title, person.phone) if x)
    return f"{person}（{known}）" if known else str(person)


class AccountApplyForm(_PeopleFields):
    """申请开通官方账号: every field of the 审批表 (college 第四条 附表; W-04)."""

    field_order = [
        "unit",
        "applied_on",
        "kind",
        "account_number",
        "name",
        "account_id",
        "other_media",
        "purpose",
    ]
    unit: forms.ModelChoiceField = forms.ModelChoiceField(  # type: ignore[type-arg]
        queryset=User.objects.none(), label="部门", empty_label=None
    )
    applied_on = forms.DateField(
        label="时间", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    kind = forms.ChoiceField(label="平台（账号类型）")
    account_number = forms.CharField(label="微信、微博号", max_length=128, required=False)
    name = forms.CharField(label="微信、微博、网站名称", max_length=128)
    account_id = forms.CharField(label="微信、微博ID", max_length=128, required=False)
    other_media = forms.CharField(label="其它新媒体名称", max_length=128, required=False)
    purpose = forms.CharField(
        label="申请说明（用途、信息发布范围等）", widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(
        self, *args: object, units: object, kinds: list[tuple[str, str]], **kwargs: object
    ):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["kind"].choices = kinds  # type: ignore[attr-defined]


class PeopleChangeForm(_PeopleFields):
    """申请变更负责人/管理员 (C-03): the new people on a new 审批表."""

    field_order = ["applied_on", "purpose"]
    applied_on = forms.DateField(
        label="时间", widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    purpose = forms.CharField(label="变更说明", widget=forms.Textarea(attrs={"rows": 3}))
