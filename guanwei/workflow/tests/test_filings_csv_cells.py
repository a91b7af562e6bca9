"""C-07 备案 export (hostile input, found in review): a title that starts like a spreadsheet
formula (=, +, -, @) is exported as text, so opening filings.csv in Excel or WPS never runs
it (CSV formula injection)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from guanwei.content import actions as content
from guanwei.testing.personas import channel, person, unit
from guanwei.workflow import actions as wf
from guanwei.workflow.models import StepRun

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://x.cn","说明")'


def test_c07_a_formula_title_is_exported_as_text() -> None:
    post = content.create_post(
        unit("demo_college", "info_college"),
        actor=person("col_xx_manager"),
        title=FORMULA,
        body="关于今日校园停电的情况说明。",
        category="news",
        channels=[channel("demo_college", "info_wechat")],
        sensitive=True,
    )
    wf.submit_for_review(post, actor=person("col_xx_manager"))
    for who in ["col_xx_secretary", "col_yq_reviewer"]:
        step = StepRun.objects.get(run__post=post, status="pending")
        wf.approve_step(step, actor=person(who), acknowledge_hits=True)
    reviewer = Client()
    reviewer.force_login(person("col_yq_reviewer"))
    answer = reviewer.get("/review/filings/?format=csv")
    text = b"".join(answer.streaming_content).decode("utf-8").lstrip("\ufeff")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    titles = [row[3] for row in rows[1:]]
    assert f"'{FORMULA}" in titles
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
