"""Django's own msgids that its zh_Hans catalogue leaves untranslated; listed here so that
``make messages`` puts them in ours (issue #10 §2: no English on a page). Never imported."""

from django.utils.translation import gettext_noop

DJANGO_MSGIDS = (
    gettext_noop("- Select an option -"),  # the empty choice of a required select (Django 6)
)
