// Package keyringit holds the OS keyring integration tests of stakewallet's
// key handling: against a real Secret Service (gnome-keyring), and against
// none at all. It has no code of its own.
//
// They live in a package of their own because go-keyring's MockInit, which
// the unit tests use, replaces the real keyring for the rest of the test
// binary and cannot be undone (go-keyring v0.2.8 has no MockRestore).
//
// Run them with a throwaway keyring:
//
//	scripts/test-keyring.sh
//
// which runs scripts/with-keyring.sh go test -count=1 ./internal/cli/keys/keyringit/.
//
// Without STAKEWALLET_KEYRING_IT=1 (which that script sets) the tests that
// need a Secret Service skip; the no-Secret-Service tests always run on
// Linux.
package keyringit
