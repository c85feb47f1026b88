#!/usr/bin/env bash
# Fails if `make generate` changes anything: docs/ and the examples' format
# must be committed as generated, so the registry pages never drift from the
# schemas, examples and templates.
set -euo pipefail
cd "$(dirname "$0")/.."

make --no-print-directory generate >/dev/null
if ! git diff --exit-code --stat -- docs examples templates || [ -n "$(git status --porcelain -- docs examples templates)" ]; then
  echo >&2
  echo "make generate changed the files above: run it and commit the result." >&2
  git --no-pager diff -- docs examples templates | head -n 60 >&2
  git status --porcelain -- docs examples templates >&2
  exit 1
fi
echo "generated files are current"
