#!/usr/bin/env bash
# The one test command: installs dependencies if missing, type-checks and builds (tests are
# TypeScript too), then runs every unit, integration and CLI/end-to-end test with node's runner.
# Usage: ./test.sh [test-file-filter]   e.g. ./test.sh sse-parser
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	echo "== installing dependencies (npm ci)"
	npm ci --no-audit --no-fund --ignore-scripts
fi

echo "== type-check and build (tsc)"
npx tsc -p tsconfig.json
# Drop compiled tests whose source is gone, so a deleted test never runs from a stale build.
find dist/test -name '*.test.js' | while read -r compiled; do
	base="${compiled#dist/}"; base="${base%.js}"
	[ -f "$base.ts" ] || [ -f "$base.tsx" ] || rm -f "$compiled"
done

filter="${1:-}"
mapfile -t files < <(find dist/test -name '*.test.js' | sort | grep -- "${filter}")
if [ "${#files[@]}" -eq 0 ]; then
	echo "no test files match '${filter}'" >&2
	exit 1
fi

echo "== tests (${#files[@]} files)"
# Two files at a time: the machine has two cores and the integration tests hold real sockets.
NODE_ENV=production node --test --test-concurrency=2 --test-timeout=120000 "${files[@]}"
