#!/usr/bin/env bash
# with-keyring.sh CMD [ARG...]
#
# Runs CMD against a real, throwaway Secret Service: a private D-Bus
# session (dbus-run-session) with gnome-keyring-daemon serving
# org.freedesktop.secrets, its login collection created and unlocked with a
# random password fed on stdin. Nothing touches the caller's own keyring:
# the daemon keeps its files in a temporary XDG_DATA_HOME and its sockets in
# a temporary XDG_RUNTIME_DIR, both removed on exit.
#
# CMD sees STAKEWALLET_KEYRING_IT=1, which enables the keyring integration
# tests, e.g.
#   scripts/with-keyring.sh go test -count=1 ./internal/cli/keys/keyringit/
#
# Needs: apt-get install -y gnome-keyring dbus dbus-x11
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 CMD [ARG...]  (runs CMD with a throwaway unlocked gnome-keyring Secret Service)" >&2
	exit 2
fi

if [ -z "${STAKEWALLET_WITH_KEYRING_INNER:-}" ]; then
	missing=
	for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
		command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
	done
	if [ -n "$missing" ]; then
		echo "with-keyring.sh: missing$missing; install them with: apt-get install -y gnome-keyring dbus dbus-x11" >&2
		exit 127
	fi
	# Re-run this script inside a new session bus; dbus-run-session ends
	# the bus (and so every service on it) when we return.
	export STAKEWALLET_WITH_KEYRING_INNER=1
	exec dbus-run-session -- bash "$0" "$@"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/with-keyring.XXXXXX")
daemon_pid=
cleanup() {
	if [ -n "$daemon_pid" ]; then
		kill "$daemon_pid" 2>/dev/null || true
		wait "$daemon_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

export XDG_DATA_HOME="$tmp/data" XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$XDG_DATA_HOME/keyrings" "$XDG_RUNTIME_DIR"
chmod 700 "$tmp" "$XDG_DATA_HOME" "$XDG_DATA_HOME/keyrings" "$XDG_RUNTIME_DIR"

# A throwaway password, only ever on the daemon's stdin.
password=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
printf '%s' "$password" | gnome-keyring-daemon --foreground --unlock --components=secrets \
	>"$tmp/daemon.log" 2>&1 &
daemon_pid=$!
unset password

# Wait until the daemon owns org.freedesktop.secrets on our bus.
for _ in $(seq 1 100); do
	if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
		break
	fi
	if ! kill -0 "$daemon_pid" 2>/dev/null; then
		echo "with-keyring.sh: gnome-keyring-daemon exited:" >&2
		cat "$tmp/daemon.log" >&2
		exit 1
	fi
	sleep 0.1
done
if ! dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
	org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'; then
	echo "with-keyring.sh: no Secret Service on the bus after 10 s:" >&2
	cat "$tmp/daemon.log" >&2
	exit 1
fi

export STAKEWALLET_KEYRING_IT=1
unset STAKEWALLET_WITH_KEYRING_INNER
status=0
"$@" || status=$?
exit "$status"
