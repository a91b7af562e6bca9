"""documents: the printable paper forms of the rule books, rendered as PDF from plain data.

No Django, no models, no other room: the views of the rooms that serve a form (``channels``
for an account's forms, ``workflow`` for a post's approval form) gather the data, build the
form's dataclass and call its ``*_pdf`` function. One module per form:

* :mod:`.content_approval` — 附一 发布内容审批表 (R-06), also the filing printout (C-07 / C-09);
* :mod:`.authorisation` — 附二 官方微博授权审批表 (R-05, R-06);
* :mod:`.account_application` — the college's account application form (C-02);
* :mod:`.layout` — what they share: the decision rows (:class:`~.layout.Decision`), the CJK
  font, the A4 page with its numbered footer, and the table helpers.
"""
