"""``{% load screening_labels %}``: ``{{ hit.category|category_label }}``,
``{{ verdict|verdict_label }}``, ``{{ hit.severity|severity_label }}``."""

from __future__ import annotations

from django import template

from guanwei.screening import labels

register = template.Library()
register.filter("category_label", labels.category_label)
register.filter("verdict_label", labels.verdict_label)
register.filter("severity_label", labels.severity_label)
