# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# `make run` and the site need only the runtime dependencies (the HCL parser among them: the
# site runs the checks on every rule's example, Terraform ones too) and the site's (docs extra);
# the dev extra (Checkov, Playwright, linters, ...) is for tests and contributors.
RUN_STAMP := $(VENV)/.installed-run
LOCK   := requirements/action.lock

.PHONY: setup run test site serve bench evals lint clean browser-deps registry-deps lock

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[docs]'
	touch $(RUN_STAMP)

# Audit the bundled, deliberately insecure demo repository (its findings are the
# point, so a non-zero audit status does not fail `make run`), then build the site.
# The site is read through `make serve`, not from disk: its links are directory URLs
# (rules/psk101/), so file:// shows folder listings, and search and instant navigation
# fetch pages, which browsers refuse on file://. A file-friendly build (Material's offline
# plugin) turns use_directory_urls off, which changes every published URL, help links too.
run: $(RUN_STAMP)
	@echo "== platform-skills audit examples/insecure-pipeline =="
	@$(BIN)/platform-skills audit examples/insecure-pipeline || \
		echo "(audit exit status $$?: expected, the demo is insecure on purpose)"
	@$(MAKE) --no-print-directory site
	@echo "Site built in site/. To read it, run 'make serve' and open http://127.0.0.1:8000/"
	@echo "(its pages use directory URLs, which a browser opening site/ from disk shows as folder listings)."

site: $(RUN_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# mkdocs.serve.yml serves the site at the server's root (http://127.0.0.1:8000/), not under
# the published site_url's /platform-skills/ path, so typed and deep links work as printed.
serve: $(RUN_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve --config-file mkdocs.serve.yml

# System packages the tests need, from apt: Debian or Ubuntu, as root or with sudo. Each is
# installed only when its command is missing, and named before apt-get runs.
APT_NEEDS = this needs Debian or Ubuntu (apt-get), and root or sudo
APT_INSTALL = command -v apt-get >/dev/null 2>&1 || { \
		echo "make test: no apt-get here; install the packages above yourself" >&2; exit 1; }; \
	sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	$$sudo apt-get update -qq && $$sudo apt-get install -y -qq

# Debian's Chromium drives the browser test; Playwright never downloads a browser.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "make test: installing chromium for the browser test; $(APT_NEEDS)"; \
		$(APT_INSTALL) chromium >/dev/null; }

# The pin tests push images to Debian's CNCF distribution registry with skopeo; htpasswd
# (apache2-utils) writes the bcrypt password file of the basic-auth registry.
registry-deps:
	@missing=""; \
	command -v docker-registry >/dev/null 2>&1 || missing="$$missing docker-registry"; \
	command -v skopeo >/dev/null 2>&1 || missing="$$missing skopeo"; \
	command -v htpasswd >/dev/null 2>&1 || missing="$$missing apache2-utils"; \
	[ -z "$$missing" ] || { \
		echo "make test: installing$$missing for the pin tests' registry; $(APT_NEEDS)"; \
		$(APT_INSTALL) $$missing >/dev/null; }

test: setup browser-deps registry-deps
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check checks tests scripts
	$(BIN)/yamllint -s .
	$(BIN)/mypy

bench: setup
	$(BIN)/python scripts/bench.py

# Skill evals, reference mode (also part of `make test`). Agent mode:
#   PLATFORM_SKILLS_AGENT_CMD='<agent command reading the prompt on stdin>' make evals EVALS_ARGS=--agent
evals: setup
	$(BIN)/python scripts/evals.py $(EVALS_ARGS)

# The GitHub Action installs its dependencies from $(LOCK) with --require-hashes: the runtime
# dependencies and the build backend of pyproject.toml, each pinned with the hash of every file
# published for that version. This regenerates it at the newest versions; review the diff.
lock: setup
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --upgrade --generate-hashes \
		--allow-unsafe --all-build-deps --strip-extras --no-emit-index-url --no-emit-find-links \
		--no-emit-trusted-host --output-file $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) site .pytest_cache
