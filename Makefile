# guanwei — the two commands: `make run` and `make test`.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint typecheck pytest messages clean bench

$(STAMP): pyproject.toml
	@PYTHON=$$(scripts/find-python.sh) || exit 1; \
	if [ ! -x $(PY) ]; then echo "creating $(VENV) with $$PYTHON"; $$PYTHON -m venv $(VENV); fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,ocr]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/guanwei run

test: $(STAMP)
	scripts/test.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy guanwei

messages: $(STAMP)
	cd guanwei && ../$(VENV)/bin/guanwei manage makemessages -l zh_Hans --no-obsolete -i "screening/engine/*" -i "packs/*.py"
	$(PY) scripts/translate_zh.py guanwei/locale/zh_Hans/LC_MESSAGES/django.po
	cd guanwei && ../$(VENV)/bin/guanwei manage compilemessages

bench: $(STAMP)
	$(VENV)/bin/guanwei bench screening

clean:
	rm -rf $(VENV) var
