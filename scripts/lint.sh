#!/usr/bin/env bash
# ESLint (typescript-eslint strict rules) and a check that the import graph has no cycles.
set -euo pipefail
cd "$(dirname "$0")/.."
npx eslint --max-warnings=0 .
npx dpdm --no-warning --no-tree --exit-code circular:1 --transform 'server/main.ts' 'app/**/*.ts' 'app/**/*.tsx' 'components/**/*.tsx' 'lib/**/*.ts' 'server/**/*.ts' > /tmp/kos-dpdm.log 2>&1 || { cat /tmp/kos-dpdm.log; echo 'import cycle found'; exit 1; }
echo "no import cycles"
