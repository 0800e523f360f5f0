#!/usr/bin/env bash
# Autogenerate an alembic revision from the models:  scripts/new_migration.sh 0004_tags_usage "what changed"
# Builds a scratch database at the current heads, then diffs the models against it.
set -euo pipefail
cd "$(dirname "$0")/.."
rev_id="$1"; message="$2"
scratch="$(mktemp -d)/scratch.sqlite3"
.venv/bin/alembic -x db="$scratch" upgrade heads
.venv/bin/alembic -x db="$scratch" revision --autogenerate --rev-id "$rev_id" -m "$message"
.venv/bin/ruff format migrations/versions >/dev/null
rm -rf "$(dirname "$scratch")"
