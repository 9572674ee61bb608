//go:build (dragonfly && cgo) || (freebsd && cgo) || linux || netbsd || openbsd

package keyring

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// checkSessionBus reports an error when no D-Bus session bus can be found
// the way godbus looks for one (DBUS_SESSION_BUS_ADDRESS, then
// /run/user/UID/bus or /run/user/UID/dbus-session). Without this check
// godbus would run dbus-launch, which starts a fresh bus — and, through
// activation, a locked gnome-keyring — that outlives every invocation.
func checkSessionBus() error {
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	runDir := filepath.Join("/run/user", strconv.Itoa(os.Getuid()))
	for _, f := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(runDir, f)); err == nil {
			return nil
		}
	}
	return fmt.Errorf("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and %s/bus does not exist)", runDir)
}
