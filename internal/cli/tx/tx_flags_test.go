package tx

import (
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

const someHash = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b2e0a1"

// flagCase is one command line of a flags→options test: the exit code
// it must give and, when it runs, a check of the options runF received.
type flagCase struct {
	name     string
	args     []string
	wantCode int
}

// execCaptured runs the command build makes with args, capturing the
// options runF receives (nil when it did not run).
func execCaptured[O any](t *testing.T, build func(*cmdutil.Factory, func(*O) error) *cobra.Command, args []string) (*O, error) {
	t.Helper()
	f, _ := clitest.NewFactory("")
	var got *O
	cmd := build(f, func(o *O) error { got = o; return nil })
	return got, clitest.Exec(f, cmd, args...)
}

// checkExit fails unless err maps to want; it reports whether the command
// was expected to run.
func checkExit[O any](t *testing.T, got *O, err error, want int) bool {
	t.Helper()
	if code, _ := clitest.ExitCode(err); code != want {
		t.Fatalf("exit %d (%v), want %d", code, err, want)
	}
	if want != 0 {
		if got != nil {
			t.Error("runF ran after a usage error")
		}
		return false
	}
	if got == nil {
		t.Fatal("runF did not run")
	}
	return true
}

// The transaction flags, for the read-only subcommands that must refuse
// each of them.
var txFlagArgs = [][]string{
	{"--nonce", "1"}, {"--yes"}, {"-y"}, {"--dry-run"}, {"--timeout", "1m"}, {"--confirmations", "2"},
	{"--max-fee", "30"}, {"--priority-fee", "1"}, {"--gas-limit", "21000"},
}

func TestNewCmdPending(t *testing.T) {
	tests := []struct {
		flagCase
		want PendingOptions
	}{
		{flagCase{name: "signer's", args: nil}, PendingOptions{}},
		{flagCase{name: "all, json", args: []string{"--all", "--json"}}, PendingOptions{All: true, JSON: true}},
		{flagCase{name: "an argument", args: []string{someHash}, wantCode: cmdutil.ExitBadInput}, PendingOptions{}},
	}
	for _, fl := range txFlagArgs {
		tests = append(tests, struct {
			flagCase
			want PendingOptions
		}{flagCase{name: "read-only " + fl[0], args: fl, wantCode: cmdutil.ExitBadInput}, PendingOptions{}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := execCaptured(t, NewCmdPending, tt.args)
			if !checkExit(t, got, err, tt.wantCode) {
				return
			}
			if got.All != tt.want.All || got.JSON != tt.want.JSON {
				t.Errorf("options = {All:%v JSON:%v}, want {All:%v JSON:%v}", got.All, got.JSON, tt.want.All, tt.want.JSON)
			}
		})
	}
}

func TestNewCmdStatus(t *testing.T) {
	tests := []struct {
		flagCase
		want StatusOptions
	}{
		{flagCase{name: "hash", args: []string{someHash}}, StatusOptions{Hash: someHash}},
		{flagCase{name: "hash, json", args: []string{someHash, "--json"}}, StatusOptions{Hash: someHash, JSON: true}},
		// The hash is checked by the body (exit 2 there), not by cobra.
		{flagCase{name: "not a hash reaches the body", args: []string{"0x12"}}, StatusOptions{Hash: "0x12"}},
		{flagCase{name: "no hash", args: nil, wantCode: cmdutil.ExitBadInput}, StatusOptions{}},
		{flagCase{name: "two hashes", args: []string{someHash, someHash}, wantCode: cmdutil.ExitBadInput}, StatusOptions{}},
		{flagCase{name: "--all is pending's", args: []string{someHash, "--all"}, wantCode: cmdutil.ExitBadInput}, StatusOptions{}},
	}
	for _, fl := range txFlagArgs {
		tests = append(tests, struct {
			flagCase
			want StatusOptions
		}{flagCase{name: "read-only " + fl[0], args: append([]string{someHash}, fl...), wantCode: cmdutil.ExitBadInput}, StatusOptions{}})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := execCaptured(t, NewCmdStatus, tt.args)
			if !checkExit(t, got, err, tt.wantCode) {
				return
			}
			if got.Hash != tt.want.Hash || got.JSON != tt.want.JSON {
				t.Errorf("options = {Hash:%q JSON:%v}, want {Hash:%q JSON:%v}", got.Hash, got.JSON, tt.want.Hash, tt.want.JSON)
			}
		})
	}
}

// speedup and cancel share their options; each sets Cancel its own way.
func TestNewCmdSpeedupCancel(t *testing.T) {
	every := []string{"--yes", "--dry-run", "--timeout", "90s", "--confirmations", "2", "--max-fee", "60", "--priority-fee", "3", "--json"}
	everyTx := cmdutil.TxFlags{Yes: true, DryRun: true, Timeout: 90 * time.Second, Confirmations: 2, MaxFee: "60", PriorityFee: "3", Nonce: -1}
	builders := []struct {
		name   string
		build  func(*cmdutil.Factory, func(*ReplaceOptions) error) *cobra.Command
		cancel bool
	}{
		{"speedup", NewCmdSpeedup, false},
		{"cancel", NewCmdCancel, true},
	}
	tests := []struct {
		flagCase
		want ReplaceOptions
	}{
		{flagCase{name: "hash", args: []string{someHash}}, ReplaceOptions{Hash: someHash, Tx: cmdutil.DefaultTxFlags()}},
		{flagCase{name: "every flag", args: append([]string{someHash}, every...)}, ReplaceOptions{Hash: someHash, JSON: true, Tx: everyTx}},
		// Taken by the flag set, refused by the body with its reason
		// (the replacement keeps the original's nonce and gas).
		{flagCase{name: "--nonce reaches the body", args: []string{someHash, "--nonce", "3"}}, ReplaceOptions{Hash: someHash, Tx: func() cmdutil.TxFlags { t := cmdutil.DefaultTxFlags(); t.Nonce = 3; return t }()}},
		{flagCase{name: "no hash", args: nil, wantCode: cmdutil.ExitBadInput}, ReplaceOptions{}},
		{flagCase{name: "two hashes", args: []string{someHash, someHash}, wantCode: cmdutil.ExitBadInput}, ReplaceOptions{}},
		{flagCase{name: "unknown flag", args: []string{someHash, "--all"}, wantCode: cmdutil.ExitBadInput}, ReplaceOptions{}},
		{flagCase{name: "bad timeout", args: []string{someHash, "--timeout", "soon"}, wantCode: cmdutil.ExitBadInput}, ReplaceOptions{}},
	}
	for _, b := range builders {
		for _, tt := range tests {
			t.Run(b.name+"/"+tt.name, func(t *testing.T) {
				got, err := execCaptured(t, b.build, tt.args)
				if !checkExit(t, got, err, tt.wantCode) {
					return
				}
				if got.Hash != tt.want.Hash || got.JSON != tt.want.JSON || got.Tx != tt.want.Tx || got.Cancel != b.cancel {
					t.Errorf("options = {Hash:%q JSON:%v Tx:%+v Cancel:%v}\nwant {Hash:%q JSON:%v Tx:%+v Cancel:%v}",
						got.Hash, got.JSON, got.Tx, got.Cancel, tt.want.Hash, tt.want.JSON, tt.want.Tx, b.cancel)
				}
			})
		}
	}
}

func TestNewCmdSend(t *testing.T) {
	tests := []struct {
		flagCase
		want SendOptions
	}{
		{flagCase{name: "file", args: []string{"signed.hex"}}, SendOptions{File: "signed.hex", Tx: cmdutil.DefaultTxFlags()}},
		{flagCase{name: "stdin", args: []string{"-", "--yes", "--json"}}, SendOptions{File: "-", JSON: true, Tx: func() cmdutil.TxFlags { t := cmdutil.DefaultTxFlags(); t.Yes = true; return t }()}},
		{
			flagCase{name: "dry run, waiting", args: []string{"signed.hex", "--dry-run", "--timeout", "10m", "--confirmations", "3"}},
			SendOptions{File: "signed.hex", Tx: cmdutil.TxFlags{DryRun: true, Timeout: 10 * time.Minute, Confirmations: 3, Nonce: -1}},
		},
		{flagCase{name: "no file", args: nil, wantCode: cmdutil.ExitBadInput}, SendOptions{}},
		{flagCase{name: "two files", args: []string{"a", "b"}, wantCode: cmdutil.ExitBadInput}, SendOptions{}},
		{flagCase{name: "unknown flag", args: []string{"a", "--all"}, wantCode: cmdutil.ExitBadInput}, SendOptions{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := execCaptured(t, NewCmdSend, tt.args)
			if !checkExit(t, got, err, tt.wantCode) {
				return
			}
			if got.File != tt.want.File || got.JSON != tt.want.JSON || got.Tx != tt.want.Tx {
				t.Errorf("options = {File:%q JSON:%v Tx:%+v}, want {File:%q JSON:%v Tx:%+v}", got.File, got.JSON, got.Tx, tt.want.File, tt.want.JSON, tt.want.Tx)
			}
		})
	}
}

// checkSendFlags refuses what would change a signed transaction, before
// the file is even read.
func TestCheckSendFlags(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*cmdutil.TxFlags)
		msg  string // "" = accepted
	}{
		{"defaults", func(*cmdutil.TxFlags) {}, ""},
		{"yes, dry run, waiting", func(t *cmdutil.TxFlags) { t.Yes, t.DryRun, t.Timeout, t.Confirmations = true, true, time.Second, 4 }, ""},
		{"nonce", func(t *cmdutil.TxFlags) { t.Nonce = 0 }, "--nonce"},
		{"gas limit", func(t *cmdutil.TxFlags) { t.GasLimit = 21000 }, "--gas-limit"},
		{"fees", func(t *cmdutil.TxFlags) { t.MaxFee, t.PriorityFee = "1", "1" }, "--max-fee, --priority-fee"},
		{"no confirmations", func(t *cmdutil.TxFlags) { t.Confirmations = 0 }, "--confirmations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := cmdutil.DefaultTxFlags()
			tt.mod(&fl)
			err := checkSendFlags(fl)
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if code, _ := clitest.ExitCode(err); code != cmdutil.ExitBadInput || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("err = %v (exit %d), want exit 2 naming %s", err, code, tt.msg)
			}
		})
	}
}

// The parent groups the five subcommands, which it builds with no runF.
func TestNewCmdTx(t *testing.T) {
	f, _ := clitest.NewFactory("")
	cmd := NewCmdTx(f)
	var names []string
	for _, c := range cmd.Commands() {
		names = append(names, c.Name())
	}
	if got := strings.Join(names, " "); got != "cancel pending send speedup status" {
		t.Errorf("subcommands = %q", got)
	}
}
