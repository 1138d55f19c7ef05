#!/usr/bin/env bash
# The whole test suite: types, lint (with import cycles), unit + integration tests against
# PGlite and against the real PostgreSQL, and the browser tests in Chromium.
# Real servers: PostgreSQL (TEST_DATABASE_URL), Redis (TEST_REDIS_URL), Neo4j (TEST_NEO4J_URI).
set -euo pipefail
cd "$(dirname "$0")/.."

export TEST_DATABASE_URL="${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
export NEXT_TELEMETRY_DISABLED=1
export TEST_NEO4J_URI="${TEST_NEO4J_URI:-bolt://127.0.0.1:7687}"

echo "=== Neo4j (started if not running; stays up for later runs)"
bash scripts/neo4j.sh start
echo "=== typecheck"
npx tsc --noEmit -p .
echo "=== lint"
bash scripts/lint.sh
echo "=== build (for the browser tests)"
npx next build > /tmp/kos-next-build.log 2>&1 || { tail -50 /tmp/kos-next-build.log; exit 1; }
npx tsx scripts/run-tests.ts "$@"
