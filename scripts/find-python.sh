#!/bin/sh
# Print the path of a Python >= 3.12: first on PATH, then pyenv's versions. 3.12 is
# preferred (every pinned wheel, OCR included, exists for it).
# Exit 1 with a clear message when there is none.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for name in python3.12 python3.13 python3 python; do
  p=$(command -v "$name" 2>/dev/null) && ok "$p" && { echo "$p"; exit 0; }
done
for p in $(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
  ok "$p" && { echo "$p"; exit 0; }
done
echo "guanwei needs Python 3.12 or newer (Django 6). None was found on PATH or in pyenv;" >&2
echo "install one (e.g. 'pyenv install 3.12') and run make again." >&2
exit 1
