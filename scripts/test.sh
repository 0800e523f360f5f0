#!/usr/bin/env bash
# The whole test suite: lint, types, then pytest (Qt offscreen). Fails if pytest collects no test.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${DAM_VENV:-.venv}"

echo "== ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
echo "== mypy"
"$VENV/bin/mypy"
echo "== import contracts (layers, see pyproject.toml)"
"$VENV/bin/lint-imports" --no-cache
echo "== pytest"
export QT_QPA_PLATFORM=offscreen
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
# pytest exits 5 when it collects nothing; that is a failure here, as any non-zero status is.
"$VENV/bin/python" -m pytest "$@"

# Second pass: the tests that touch a world again, on a shared library (a real PostgreSQL server
# the tests start themselves; see tests/pg_server.py). Skipped, saying why, where the server is
# not installed. Only `pytest` with no arguments runs it (the whole suite).
POSTGRESQL_TESTS=(
  tests/test_shared_library.py tests/test_shared_library_ui.py
  tests/test_import_service.py tests/test_import_pipeline.py tests/test_import_formats.py
  tests/test_import_bad_input.py tests/test_import_thumbnails.py
  tests/test_trash_service.py tests/test_delete_tagged_assets.py
  tests/test_tag_service.py tests/test_tag_support.py tests/test_tagging_service.py
  tests/test_tagging_review_view.py tests/test_tagging_query_terms.py
  tests/test_query_semantics.py tests/test_tag_search_api.py tests/test_name_path_search.py
  tests/test_kernel_systems.py tests/test_scheduler.py tests/test_duplicates.py
  tests/test_location_check.py tests/test_path_attacks.py tests/test_vector_index.py
  tests/test_audio_similarity.py tests/test_verify_and_heal.py tests/test_hybrid_search.py
)
if [ "$#" -eq 0 ]; then
  echo "== pytest on PostgreSQL (DAM_TEST_BACKEND=postgresql)"
  if reason=$("$VENV/bin/python" -c 'import sys; sys.path.insert(0, "."); from tests.pg_server import unavailable_reason as r; print(r() or "")') && [ -n "$reason" ]; then
    echo "skipped: $reason"
  else
    DAM_TEST_BACKEND=postgresql "$VENV/bin/python" -m pytest -q "${POSTGRESQL_TESTS[@]}"
  fi
fi
