#!/usr/bin/env bash
# npm run codegen:check — fails when the generated folders (src/generated, dashboard/src/generated) are not
# what `npm run codegen` makes of schema/, the dashboard's operations and codegen.yml as committed: a stale
# file shows as a diff, a new one as untracked. It compares with git, so run it on committed work (CI does);
# test/graphql/schema.test.ts checks the same thing without git.
set -euo pipefail
cd "$(dirname "$0")/.."

generated=(src/generated dashboard/src/generated)
npm run --silent codegen
if ! git diff --exit-code -- "${generated[@]}"; then
  echo "codegen:check: ${generated[*]} differ from what is committed (diff above). Commit the regenerated files." >&2
  exit 1
fi
untracked="$(git ls-files --others --exclude-standard -- "${generated[@]}")"
if [ -n "$untracked" ]; then
  echo "codegen:check: generated files git does not track; add and commit them:" >&2
  echo "$untracked" >&2
  exit 1
fi
echo "codegen:check: ${generated[*]} are up to date"
