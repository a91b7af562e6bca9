"""core: the bottom of the house, what every room shares and nothing above it may change.

Pure Python, no models, no imports of any other room (``tests/test_layering.py`` holds it):

* :mod:`.errors` — ``DomainError`` and its kinds (``PermissionDenied``, ``InvalidChange``):
  every rule that refuses raises one, with a Chinese message the page shows;
* :mod:`.catalog` — the closed vocabularies packs may use: permission names with their
  Chinese labels, scopes, platforms, channel statuses;
* :mod:`.admin_mixins` — ``ViewOnlyAdmin``: the Django admin shows domain rows, never
  changes them (they change only through actions).
"""
