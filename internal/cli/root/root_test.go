package root

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
)

func newRoot(t *testing.T, ran *bool) *cobra.Command {
	t.Helper()
	ios, _, _ := iostreams.Test("")
	f := &cmdutil.Factory{IO: ios, Flags: &cmdutil.GlobalFlags{}, Version: "v0"}
	return NewCmdRoot(f, func(*cmdutil.Factory) *cobra.Command {
		return &cobra.Command{Use: "show", RunE: func(*cobra.Command, []string) error { *ran = true; return nil }}
	})
}

// TestGlobalFlags: the root carries only the flags every command takes;
// the transaction flags belong to the commands that send.
func TestGlobalFlags(t *testing.T) {
	var ran bool
	r := newRoot(t, &ran)
	for _, name := range []string{"network", "rpc-url", "signer", "json", "config", "no-color", "password-file", "ledger-transport"} {
		if r.PersistentFlags().Lookup(name) == nil {
			t.Errorf("global flag --%s missing", name)
		}
	}
	for _, name := range []string{"yes", "dry-run", "nonce", "max-fee", "priority-fee", "gas-limit", "timeout", "confirmations"} {
		if r.PersistentFlags().Lookup(name) != nil {
			t.Errorf("--%s is global; it belongs to sending commands", name)
		}
	}
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"show", "--nonce", "3"}, "unknown flag: --nonce"},
		{[]string{"show", "-1"}, "no sign allowed"},
	}
	for _, tt := range tests {
		var ran bool
		r := newRoot(t, &ran)
		r.SetArgs(tt.args)
		err := r.Execute()
		if code, _ := cmdutil.Classify(err); code != cmdutil.ExitBadInput || !strings.Contains(err.Error(), tt.msg) || ran || Ran(r) {
			t.Errorf("%v: exit %d (%v), ran %v", tt.args, code, err, ran)
		}
	}
	var ran bool
	r := newRoot(t, &ran)
	r.SetArgs([]string{"show", "--json"})
	if err := r.Execute(); err != nil || !ran || !Ran(r) {
		t.Errorf("show --json: %v, ran %v", err, ran)
	}
}
