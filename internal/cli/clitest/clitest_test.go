package clitest

import (
	"errors"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestExecAndExitCode: Exec maps flag and argument errors to usage errors
// as the CLI does, and passes the command's own error through.
func TestExecAndExitCode(t *testing.T) {
	boom := errors.New("boom")
	build := func() (*cmdutil.Factory, *cobra.Command) {
		f, _ := NewFactory("")
		return f, &cobra.Command{Use: "x", Args: cobra.NoArgs, RunE: func(*cobra.Command, []string) error { return boom }}
	}
	tests := []struct {
		args []string
		code int
	}{
		{nil, cmdutil.ExitOther},
		{[]string{"--frobnicate"}, cmdutil.ExitBadInput},
		{[]string{"--yes"}, cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		f, cmd := build()
		err := Exec(f, cmd, tt.args...)
		if code, _ := ExitCode(err); code != tt.code {
			t.Errorf("%v: exit %d (%v), want %d", tt.args, code, err, tt.code)
		}
	}
	if code, kind := ExitCode(nil); code != 0 || kind != "" {
		t.Errorf("ExitCode(nil) = %d %q", code, kind)
	}
}

// TestEnv: the node-backed environment is what commands will see.
func TestEnv(t *testing.T) {
	e := NewEnv(t, "")
	if e.F.Flags.Signer != "alice" || e.F.Flags.Network != "devnet" || len(e.F.Flags.RPCURLs) != 1 || e.F.Flags.RPCURLs[0] != e.Node.URL() {
		t.Errorf("flags %+v", e.F.Flags)
	}
	if got := e.Node.Balance(e.Alice); got.Cmp(Ether(100)) != 0 {
		t.Errorf("alice holds %s", got)
	}
	addr, err := e.F.Address(t.Context())
	if err != nil || addr != e.Alice {
		t.Errorf("factory address %s, %v", addr.Hex(), err)
	}
}
