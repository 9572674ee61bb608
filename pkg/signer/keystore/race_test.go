//go:build race

package keystore

// raceEnabled: the race detector slows scrypt with standard parameters to
// a minute; that test is skipped then.
const raceEnabled = true
