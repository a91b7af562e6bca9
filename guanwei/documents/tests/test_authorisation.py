"""Specification of 附二 官方微博授权审批表 (guanwei.documents.authorisation).

Pure Python: no database, no Django settings; runs with ``-p no:django``. Each form is
rendered to bytes, opened with pypdf, and its text extracted again.
"""

from __future__ import annotations

from guanwei.documents.authorisation import authorisation_pdf
from guanwei.documents.layout import Decision
from guanwei.documents.tests.samples import GENERATED, authorisation, pdf_text


def test_it_renders_the_authorisation_form() -> None:
    """R-06 附二 官方微博授权审批表 (R-05): account, grantee, scope, validity, approvers."""
    pages, text = pdf_text(authorisation_pdf(authorisation()))
    assert pages == 1
    for expected in (
        "广东省XX房地产有限公司",
        "官方微博授权审批表",
        "XX房地产",
        "新浪微博",
        "陈七",
        "行政商务部主管",
        "日常发布、评论回复",
        "组长出差期间代为发布行业资讯专栏",
        "2024-05-0108:00至撤销为止",
        "孙执行",
        "同意",
        "2024-05-0610:30",
        "组长审批签字：年月日",
    ):
        assert expected in text, expected


def test_it_prints_delegation_on_the_authorisation_form() -> None:
    """R-04: a delegated approval of an authorisation prints "代 <name>"."""
    deputy = Decision("组长审批", "钱副组长", "副组长", "approve", "", GENERATED, "代 张组长")
    _, text = pdf_text(authorisation_pdf(authorisation(decisions=(deputy,))))
    assert "钱副组长（副组长）代张组长" in text
    assert "代代" not in text
