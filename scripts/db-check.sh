#!/usr/bin/env bash
# npm run db:check — fails when src/db/schema.ts and migrations/ disagree, that is when
# `npm run db:generate` would write a migration. drizzle-kit generates into a scratch copy of migrations/,
# so the check behaves the same on a clean CI clone and on uncommitted local work, and never writes to
# the real folder (a `git diff` check would fail on every migration not yet committed).
set -euo pipefail
cd "$(dirname "$0")/.."

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -R migrations "$scratch/migrations"
# drizzle-kit resolves `out` against the working directory and refuses --out together with --config,
# so a scratch config extends the real one with a relative path to the copy.
out="$(node -p 'require("node:path").relative(".", process.argv[1])' "$scratch/migrations")"
cat >"$scratch/drizzle.config.ts" <<CONFIG
import base from '$PWD/drizzle.config.ts';
export default { ...base, out: '$out' };
CONFIG

# drizzle-kit exits 0 even when it fails (a rename it would have to ask about, a broken snapshot), so
# success is read from its output. stdin is /dev/null so that a question fails at once instead of waiting.
npx drizzle-kit check </dev/null >"$scratch/check.log" 2>&1 || true
if ! grep -q "Everything's fine" "$scratch/check.log"; then
  cat "$scratch/check.log" >&2
  echo "db:check: 'drizzle-kit check' found inconsistent migrations (see above)." >&2
  exit 1
fi
npx drizzle-kit generate --config "$scratch/drizzle.config.ts" </dev/null >"$scratch/generate.log" 2>&1 || true
if grep -q 'No schema changes' "$scratch/generate.log" && diff -r migrations "$scratch/migrations" >/dev/null; then
  echo "db:check: migrations/ match src/db/schema.ts"
  exit 0
fi
if ! diff -r migrations "$scratch/migrations" >/dev/null; then
  # -N shows a new migration's whole SQL; meta/ (snapshots, journal) would only bury it.
  diff -rN -x meta migrations "$scratch/migrations" >&2 || true
  echo "db:check: src/db/schema.ts has changes that no migration covers (the SQL above)." \
    "Run 'npm run db:generate', review the SQL and commit it with the schema." >&2
else
  cat "$scratch/generate.log" >&2
  echo "db:check: src/db/schema.ts has changes drizzle-kit could not generate unattended (see above; a" \
    "rename needs an answer). Run 'npm run db:generate' in a terminal." >&2
fi
exit 1
