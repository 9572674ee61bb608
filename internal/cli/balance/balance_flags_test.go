package balance

import (
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// TestNewCmdBalance: the optional ADDRESS and --json reach the options;
// balance only reads, so transaction flags and extra arguments are usage
// errors before anything runs.
func TestNewCmdBalance(t *testing.T) {
	const addr = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
	tests := []struct {
		name     string
		args     []string
		want     BalanceOptions
		wantCode int
	}{
		{name: "signer's account", args: nil, want: BalanceOptions{}},
		{name: "address", args: []string{addr}, want: BalanceOptions{Owner: addr}},
		{name: "json", args: []string{addr, "--json"}, want: BalanceOptions{Owner: addr, JSON: true}},
		{name: "two addresses", args: []string{addr, addr}, wantCode: cmdutil.ExitBadInput},
		{name: "--nonce is a sending flag", args: []string{"--nonce", "3"}, wantCode: cmdutil.ExitBadInput},
		{name: "--yes is a sending flag", args: []string{"--yes"}, wantCode: cmdutil.ExitBadInput},
		{name: "--dry-run is a sending flag", args: []string{"--dry-run"}, wantCode: cmdutil.ExitBadInput},
		{name: "--timeout is a sending flag", args: []string{"--timeout", "1m"}, wantCode: cmdutil.ExitBadInput},
		{name: "unknown flag", args: []string{"--owner", addr}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got *BalanceOptions
			cmd := NewCmdBalance(f, func(o *BalanceOptions) error { got = o; return nil })
			err := clitest.Exec(f, cmd, tt.args...)
			if code, _ := clitest.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				if got != nil {
					t.Error("runF ran after a usage error")
				}
				return
			}
			if got == nil {
				t.Fatal("runF did not run")
			}
			if got.Owner != tt.want.Owner || got.JSON != tt.want.JSON {
				t.Errorf("options = {Owner:%q JSON:%v}, want {Owner:%q JSON:%v}", got.Owner, got.JSON, tt.want.Owner, tt.want.JSON)
			}
		})
	}
}
