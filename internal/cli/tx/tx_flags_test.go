package tx

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

const someHash = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b2e0a1"

// The transaction flags, for the read-only subcommands that must refuse
// each of them.
var txFlagArgs = [][]string{
	{"--nonce", "1"}, {"--yes"}, {"-y"}, {"--dry-run"}, {"--timeout", "1m"}, {"--confirmations", "2"},
	{"--max-fee", "30"}, {"--priority-fee", "1"}, {"--gas-limit", "21000"},
}

// refusedTxFlags is a case per transaction flag, given after args, each
// a usage error.
func refusedTxFlags[O any](args ...string) []clitest.FlagCase[O] {
	var cases []clitest.FlagCase[O]
	for _, fl := range txFlagArgs {
		cases = append(cases, clitest.FlagCase[O]{Name: "read-only " + fl[0], Args: append(slices.Clone(args), fl...), WantCode: cmdutil.ExitBadInput})
	}
	return cases
}

func TestNewCmdPending(t *testing.T) {
	cases := append([]clitest.FlagCase[PendingOptions]{
		{Name: "signer's", Args: nil},
		{Name: "all, json", Args: []string{"--all", "--json"}, Want: PendingOptions{All: true, JSON: true}},
		{Name: "an argument", Args: []string{someHash}, WantCode: cmdutil.ExitBadInput},
	}, refusedTxFlags[PendingOptions]()...)
	clitest.RunFlagCases(t, NewCmdPending, cases, func(t *testing.T, got, want *PendingOptions) {
		if got.All != want.All || got.JSON != want.JSON {
			t.Errorf("options = {All:%v JSON:%v}, want {All:%v JSON:%v}", got.All, got.JSON, want.All, want.JSON)
		}
	})
}

func TestNewCmdStatus(t *testing.T) {
	cases := append([]clitest.FlagCase[StatusOptions]{
		{Name: "hash", Args: []string{someHash}, Want: StatusOptions{Hash: someHash}},
		{Name: "hash, json", Args: []string{someHash, "--json"}, Want: StatusOptions{Hash: someHash, JSON: true}},
		// The hash is checked by the body (exit 2 there), not by cobra.
		{Name: "not a hash reaches the body", Args: []string{"0x12"}, Want: StatusOptions{Hash: "0x12"}},
		{Name: "no hash", Args: nil, WantCode: cmdutil.ExitBadInput},
		{Name: "two hashes", Args: []string{someHash, someHash}, WantCode: cmdutil.ExitBadInput},
		{Name: "--all is pending's", Args: []string{someHash, "--all"}, WantCode: cmdutil.ExitBadInput},
	}, refusedTxFlags[StatusOptions](someHash)...)
	clitest.RunFlagCases(t, NewCmdStatus, cases, func(t *testing.T, got, want *StatusOptions) {
		if got.Hash != want.Hash || got.JSON != want.JSON {
			t.Errorf("options = {Hash:%q JSON:%v}, want {Hash:%q JSON:%v}", got.Hash, got.JSON, want.Hash, want.JSON)
		}
	})
}

// speedup and cancel share their options; each sets Cancel its own way.
func TestNewCmdSpeedupCancel(t *testing.T) {
	every := []string{"--yes", "--dry-run", "--timeout", "90s", "--confirmations", "2", "--max-fee", "60", "--priority-fee", "3", "--json"}
	everyTx := cmdutil.TxFlags{Yes: true, DryRun: true, Timeout: 90 * time.Second, Confirmations: 2, MaxFee: "60", PriorityFee: "3", Nonce: -1}
	builders := []struct {
		name   string
		build  clitest.NewCmdFunc[ReplaceOptions]
		cancel bool
	}{
		{"speedup", NewCmdSpeedup, false},
		{"cancel", NewCmdCancel, true},
	}
	cases := []clitest.FlagCase[ReplaceOptions]{
		{Name: "hash", Args: []string{someHash}, Want: ReplaceOptions{Hash: someHash, Tx: cmdutil.DefaultTxFlags()}},
		{Name: "every flag", Args: append([]string{someHash}, every...), Want: ReplaceOptions{Hash: someHash, JSON: true, Tx: everyTx}},
		// Taken by the flag set, refused by the body with its reason
		// (the replacement keeps the original's nonce and gas).
		{Name: "--nonce reaches the body", Args: []string{someHash, "--nonce", "3"}, Want: ReplaceOptions{Hash: someHash, Tx: clitest.TxFlags(func(t *cmdutil.TxFlags) { t.Nonce = 3 })}},
		{Name: "no hash", Args: nil, WantCode: cmdutil.ExitBadInput},
		{Name: "two hashes", Args: []string{someHash, someHash}, WantCode: cmdutil.ExitBadInput},
		{Name: "unknown flag", Args: []string{someHash, "--all"}, WantCode: cmdutil.ExitBadInput},
		{Name: "bad timeout", Args: []string{someHash, "--timeout", "soon"}, WantCode: cmdutil.ExitBadInput},
	}
	for _, b := range builders {
		t.Run(b.name, func(t *testing.T) {
			clitest.RunFlagCases(t, b.build, cases, func(t *testing.T, got, want *ReplaceOptions) {
				if got.Hash != want.Hash || got.JSON != want.JSON || got.Tx != want.Tx || got.Cancel != b.cancel {
					t.Errorf("options = {Hash:%q JSON:%v Tx:%+v Cancel:%v}\nwant {Hash:%q JSON:%v Tx:%+v Cancel:%v}",
						got.Hash, got.JSON, got.Tx, got.Cancel, want.Hash, want.JSON, want.Tx, b.cancel)
				}
			})
		})
	}
}

func TestNewCmdSend(t *testing.T) {
	clitest.RunFlagCases(t, NewCmdSend, []clitest.FlagCase[SendOptions]{
		{Name: "file", Args: []string{"signed.hex"}, Want: SendOptions{File: "signed.hex", Tx: cmdutil.DefaultTxFlags()}},
		{Name: "stdin", Args: []string{"-", "--yes", "--json"}, Want: SendOptions{File: "-", JSON: true, Tx: clitest.TxFlags(func(t *cmdutil.TxFlags) { t.Yes = true })}},
		{
			Name: "dry run, waiting", Args: []string{"signed.hex", "--dry-run", "--timeout", "10m", "--confirmations", "3"},
			Want: SendOptions{File: "signed.hex", Tx: cmdutil.TxFlags{DryRun: true, Timeout: 10 * time.Minute, Confirmations: 3, Nonce: -1}},
		},
		{Name: "no file", Args: nil, WantCode: cmdutil.ExitBadInput},
		{Name: "two files", Args: []string{"a", "b"}, WantCode: cmdutil.ExitBadInput},
		{Name: "unknown flag", Args: []string{"a", "--all"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *SendOptions) {
		if got.File != want.File || got.JSON != want.JSON || got.Tx != want.Tx {
			t.Errorf("options = {File:%q JSON:%v Tx:%+v}, want {File:%q JSON:%v Tx:%+v}", got.File, got.JSON, got.Tx, want.File, want.JSON, want.Tx)
		}
	})
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
	if got := strings.Join(names, " "); got != "cancel pending send sign speedup status" {
		t.Errorf("subcommands = %q", got)
	}
}
