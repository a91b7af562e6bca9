"""R-05 (九): the account is registered with a company mailbox and a named custodian keeps
mailbox and account credentials. The account page shows both, from what the pack and the
account record hold (the credential vault is a later issue)."""

from __future__ import annotations

import pytest
from django.test import Client

from guanwei.testing.personas import channel, person

pytestmark = pytest.mark.django_db


def test_r05_the_account_page_shows_the_company_mailbox_and_its_custodian() -> None:
    account = channel("demo_real_estate", "company_weibo")
    c = Client()
    c.force_login(person("re_admin"))
    page = c.get(f"/channels/{account.pk}/").content.decode()
    assert 'id="custody"' in page, page[:3000]
    section = page.split('id="custody"', 1)[1].split("</section>", 1)[0]
    assert account.mailbox and account.mailbox in section
    assert "杨帆" in section  # re_zz_member1, the pack's 账号保管人
    assert "账号保管人" in section
