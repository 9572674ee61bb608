#!/usr/bin/env bash
# Runs the OS-keyring tests against a real Secret Service (gnome-keyring in a
# private D-Bus session, see with-keyring.sh). Called by `make test`.
# Without gnome-keyring/dbus installed the tests are skipped with a message,
# except under CI=true, where they must run.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dbus-run-session >/dev/null 2>&1 || ! command -v gnome-keyring-daemon >/dev/null 2>&1; then
	if [ "${CI:-}" = "true" ]; then
		echo "test-keyring: gnome-keyring and dbus are required in CI (apt-get install -y gnome-keyring dbus dbus-x11)" >&2
		exit 1
	fi
	echo "test-keyring: SKIPPED the real-keyring tests: install gnome-keyring, dbus and dbus-x11 (Debian) to run them" >&2
	exit 0
fi
# One throwaway Secret Service per package: the keyringit suite ends by
# locking its collection on purpose.
scripts/with-keyring.sh go test -count=1 ${GOTEST_FLAGS:-} ./internal/cli/keys/keyringit/
scripts/with-keyring.sh go test -count=1 ${GOTEST_FLAGS:-} -run 'Keyring' ./internal/e2e/
