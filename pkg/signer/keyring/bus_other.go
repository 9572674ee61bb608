//go:build !((dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd)

package keyring

// checkSessionBus: Keychain and Credential Manager need no session bus.
func checkSessionBus() error { return nil }
