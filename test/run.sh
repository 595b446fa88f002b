#!/bin/sh
# Runs every test, test files in parallel worker processes (bun test --parallel). The compiled
# executable the end-to-end tests share is built once first, so the workers do not each build it.
# Where a Secret Service can be started headless (gnome-keyring and dbus-run-session installed),
# the run happens inside one so the real-keyring tests run too; elsewhere they print why they
# were skipped. Extra arguments go to bun test (e.g. a file to run only that one).
set -eu
cd "$(dirname "$0")/.."
bun=./node_modules/.bin/bun
[ -x "$bun" ] || { echo "error: bun not found; run: npm ci" >&2; exit 2; }
"$bun" test/support/build-binary.ts
# One worker per core. (4 workers on 2 cores was the fastest on a quick machine, 56 s against 62 s
# for 3, but on a slower one it starved the real servers the tests start past their start-up
# bounds; since the replica tests, each running several serves with Redis and nginx, 3 starved
# the telemetry exit tests' 1.5 s export budget in two CI runs out of three.)
# test/timings.json (each file's last duration) starts the slowest files first, so no long file
# runs alone at the end; refresh it with: npm test -- --update-timings
workers=${TETHER_TEST_WORKERS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
set -- --timeout 60000 --parallel="$workers" --no-isolate --timings=test/timings.json "$@"
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  exec test/auth/run-real-keyring.sh "$bun" test "$@"
fi
exec "$bun" test "$@"
