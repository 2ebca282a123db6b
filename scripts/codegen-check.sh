#!/usr/bin/env bash
# npm run codegen:check — fails when src/generated is not what `npm run codegen` makes of schema/ and
# codegen.yml as committed: a stale file shows as a diff, a new one as untracked. It compares with git, so
# run it on committed work (CI does); test/graphql/schema.test.ts checks the same thing without git.
set -euo pipefail
cd "$(dirname "$0")/.."

npm run --silent codegen
if ! git diff --exit-code -- src/generated; then
  echo "codegen:check: src/generated differs from what is committed (diff above). Commit the regenerated files." >&2
  exit 1
fi
untracked="$(git ls-files --others --exclude-standard -- src/generated)"
if [ -n "$untracked" ]; then
  echo "codegen:check: src/generated has files git does not track; add and commit them:" >&2
  echo "$untracked" >&2
  exit 1
fi
echo "codegen:check: src/generated is up to date"
