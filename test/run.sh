#!/bin/sh
# Runs every test. Where a Secret Service can be started headless (gnome-keyring and
# dbus-run-session installed), the run happens inside one so the real-keyring tests run too;
# elsewhere they print why they were skipped.
set -eu
cd "$(dirname "$0")/.."
bun=./node_modules/.bin/bun
[ -x "$bun" ] || { echo "error: bun not found; run: npm ci" >&2; exit 2; }
if command -v dbus-run-session >/dev/null 2>&1 && command -v gnome-keyring-daemon >/dev/null 2>&1; then
  exec test/auth/run-real-keyring.sh "$bun" test --timeout 60000 "$@"
fi
exec "$bun" test --timeout 60000 "$@"
