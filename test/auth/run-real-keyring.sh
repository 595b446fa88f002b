#!/bin/sh
# Runs a command (e.g. the auth tests) against a real Secret Service on a headless machine:
# a private D-Bus session with a throwaway gnome-keyring, created and unlocked here.
# Installs nothing: needs dbus-run-session and gnome-keyring-daemon
# (Debian/Ubuntu: apt-get install -y gnome-keyring dbus-x11 libsecret-tools).
# Sets TETHER_TEST_REAL_KEYRING=1, so the real-keyring tests run and fail if the keyring does not work.
#   usage: test/auth/run-real-keyring.sh ./node_modules/.bin/bun test test/auth
set -eu

if [ "$#" -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "run-real-keyring: $tool not found (apt-get install -y gnome-keyring dbus-x11 libsecret-tools)" >&2
    exit 1
  fi
done

# The keyring files and the daemon's sockets go to a temp dir, never into the user's own keyring.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/tether-keyring.XXXXXX")
trap 'rm -rf "$scratch"' EXIT INT TERM
mkdir -m 700 "$scratch/data" "$scratch/runtime"
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/runtime"
export TETHER_TEST_REAL_KEYRING=1

# --unlock with a password on stdin creates the "login" collection (the default one) and unlocks it.
# The daemon forks and claims org.freedesktop.secrets a moment later: wait for that, or the first
# keyring call would D-Bus-activate a second, locked daemon. It is stopped by its bus PID at the end,
# since a daemon can outlive the session bus.
dbus-run-session -- sh -c '
  printf "%s" tether-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null || {
    echo "run-real-keyring: gnome-keyring-daemon --unlock failed" >&2; exit 1; }
  secrets_pid() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null |
      awk "/uint32/ { print \$2 }"
  }
  daemon=""
  tries=0
  while [ -z "$daemon" ] && [ "$tries" -lt 100 ]; do
    daemon=$(secrets_pid)
    [ -n "$daemon" ] || sleep 0.1
    tries=$((tries + 1))
  done
  if [ -z "$daemon" ]; then
    echo "run-real-keyring: gnome-keyring-daemon did not register org.freedesktop.secrets within 10 s" >&2
    exit 1
  fi
  status=0
  "$@" || status=$?
  kill "$daemon" 2>/dev/null || true
  exit "$status"
' run-real-keyring "$@"
