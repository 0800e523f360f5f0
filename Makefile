# Quick start:  make run   (set up and open the app on the default library)
#               make test  (set up and run the whole test suite with lint and type checks)
VENV ?= .venv

.PHONY: setup run test lint bench clean

setup:
	@bash scripts/bootstrap.sh

run: setup
	@$(VENV)/bin/dam-desktop $(ARGS)

test: setup
	@bash scripts/test.sh

lint: setup
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/mypy && $(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf build dist .mypy_cache .ruff_cache .pytest_cache

# Installer packages (see README, "Installing a package"); they take several minutes.
.PHONY: package package-lite smoke-package
package:
	@bash packaging/build_linux.sh

package-lite:
	@bash packaging/build_linux.sh lite

smoke-package:
	@bash packaging/smoke_test.sh
