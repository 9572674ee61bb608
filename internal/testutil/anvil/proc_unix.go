//go:build unix

package anvil

import (
	"os/exec"
	"syscall"
)

// setProcessGroup puts anvil in its own process group so that cleanup also
// reaches anything it spawns, and a Ctrl-C on `go test` does not race it.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func killProcessGroup(cmd *exec.Cmd) {
	if cmd.Process == nil {
		return
	}
	// Negative pid: the whole group. anvil keeps no state worth a graceful stop.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
}
