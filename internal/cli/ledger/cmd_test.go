package ledger

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
)

// TestNewCmdLedgerFlags: the flags of `ledger addresses` and `ledger info`
// reach their options (--ledger-transport included), bad values are usage
// errors before any device is opened, and the transaction flags are not
// taken.
func TestNewCmdLedgerFlags(t *testing.T) {
	depsSet := false
	ledgerCmd := func(f *cmdutil.Factory, runF func(*any) error) *cobra.Command {
		parent := &cobra.Command{Use: "ledger"}
		parent.AddCommand(
			NewCmdAddresses(f, clitest.Capture(runF, func(o *AddressesOptions) { depsSet = o.IO != nil && o.OpenApp != nil; o.IO, o.OpenApp = nil, nil })),
			NewCmdInfo(f, clitest.Capture(runF, func(o *InfoOptions) { depsSet = o.IO != nil && o.OpenApp != nil; o.IO, o.OpenApp = nil, nil })),
		)
		return parent
	}
	clitest.RunFlagCases(t, ledgerCmd, []clitest.FlagCase[any]{
		{Name: "addresses defaults", Args: []string{"addresses"}, Want: AddressesOptions{Transport: "hid", Count: 5, Scheme: "live"}},
		{Name: "addresses every flag", Args: []string{"addresses", "--count", "10", "--start", "5", "--scheme", "legacy", "--ledger-transport", "tcp://127.0.0.1:9999", "--json"},
			Want: AddressesOptions{Transport: "tcp://127.0.0.1:9999", Count: 10, Start: 5, Scheme: "legacy", JSON: true}},
		{Name: "addresses count 0", Args: []string{"addresses", "--count", "0"}, WantCode: cmdutil.ExitBadInput},
		{Name: "addresses bad scheme", Args: []string{"addresses", "--scheme", "bip44"}, WantCode: cmdutil.ExitBadInput},
		{Name: "addresses an argument", Args: []string{"addresses", "3"}, WantCode: cmdutil.ExitBadInput},
		{Name: "addresses --nonce", Args: []string{"addresses", "--nonce", "1"}, WantCode: cmdutil.ExitBadInput},
		{Name: "info", Args: []string{"info"}, Want: InfoOptions{Transport: "hid"}},
		{Name: "info json tcp", Args: []string{"info", "--json", "--ledger-transport", "tcp://h:1"}, Want: InfoOptions{Transport: "tcp://h:1", JSON: true}},
		{Name: "info --yes", Args: []string{"info", "--yes"}, WantCode: cmdutil.ExitBadInput},
		{Name: "info an argument", Args: []string{"info", "x"}, WantCode: cmdutil.ExitBadInput},
	}, func(t *testing.T, got, want *any) {
		if !depsSet {
			t.Error("the options lack IO or OpenApp")
		}
		if !reflect.DeepEqual(*got, *want) {
			t.Errorf("options = %+v\nwant      %+v", *got, *want)
		}
	})
}

// run executes `ledger ARGS` with the real body and device access.
func run(t *testing.T, stdoutTTY bool, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	f, streams := clitest.NewFactory("")
	f.IO.SetTTY(false, stdoutTTY, false)
	err = clitest.Exec(f, NewCmdLedger(f), args...)
	return streams.Out.String(), streams.ErrOut.String(), err
}

// TestInfo: `ledger info` reports what the emulated device answers, and
// says what to fix when its settings or version are not enough.
func TestInfo(t *testing.T) {
	tests := []struct {
		name       string
		opts       ledgeremu.Options
		blind      bool
		eip1559    bool
		wantHuman  []string
		wantAbsent string
	}{
		{"current app, blind signing on", ledgeremu.Options{BlindSigning: true}, true, true,
			[]string{"app            Ethereum 1.22.0", "blind signing  on", "EIP-1559       yes"}, "update"},
		{"old app, blind signing off", ledgeremu.Options{Version: "1.8.0"}, false, false,
			[]string{"app            Ethereum 1.8.0", "blind signing  off: staking", "EIP-1559       no: update the Ethereum app with Ledger Live (1.9.0 or newer)"}, "blind signing  on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, transport := clitest.StartLedger(t, tt.opts)
			out, _, err := run(t, false, "info", "--ledger-transport", transport, "--json")
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			clitest.DecodeJSON(t, out, &doc)
			want := map[string]any{"transport": "tcp", "device": transport, "model": "Speculos", "app": "Ethereum",
				"appVersion": tt.opts.Version, "blindSigning": tt.blind, "eip1559": tt.eip1559}
			if tt.opts.Version == "" {
				want["appVersion"] = "1.22.0"
			}
			if !reflect.DeepEqual(doc, want) {
				t.Errorf("json %v\nwant %v", doc, want)
			}

			out, _, err = run(t, false, "info", "--ledger-transport", transport)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range append(tt.wantHuman, "transport      tcp", "model          Speculos") {
				if !strings.Contains(out, w) {
					t.Errorf("human output lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, tt.wantAbsent) {
				t.Errorf("human output has %q:\n%s", tt.wantAbsent, out)
			}
		})
	}
}

// TestDeviceNotReady: a locked device, another app, or no device at all
// is exit 7 with what to do, and nothing on stdout.
func TestDeviceNotReady(t *testing.T) {
	tests := []struct {
		name string
		opts *ledgeremu.Options // nil: nobody listening
	}{
		{"locked", &ledgeremu.Options{Locked: true}},
		{"dashboard open", &ledgeremu.Options{AppName: "BOLOS"}},
		{"no device", nil},
	}
	for _, tt := range tests {
		for _, sub := range []string{"info", "addresses"} {
			t.Run(tt.name+"/"+sub, func(t *testing.T) {
				transport := "tcp://127.0.0.1:1"
				if tt.opts != nil {
					_, transport = clitest.StartLedger(t, *tt.opts)
				}
				out, _, err := run(t, false, sub, "--ledger-transport", transport)
				if code, kind := clitest.ExitCode(err); code != cmdutil.ExitSignerUnavl {
					t.Errorf("exit %d %s (%v), want 7", code, kind, err)
				}
				if out != "" {
					t.Errorf("stdout %q", out)
				}
			})
		}
	}
}

// TestAddresses: `ledger addresses` lists what the device derives for each
// scheme, with the --signer value that names the same account.
func TestAddresses(t *testing.T) {
	emu, transport := clitest.StartLedger(t, ledgeremu.Options{})
	tests := []struct {
		scheme       ledgerapp.Scheme
		start, count int
		signer       func(i int, path string) string
	}{
		{ledgerapp.SchemeLive, 0, 3, func(i int, _ string) string {
			if i == 0 {
				return "ledger"
			}
			return "ledger:" + strconv.Itoa(i)
		}},
		{ledgerapp.SchemeLegacy, 4, 2, func(_ int, path string) string { return "ledger:" + path }},
	}
	for _, tt := range tests {
		t.Run(string(tt.scheme), func(t *testing.T) {
			out, _, err := run(t, false, "addresses", "--scheme", string(tt.scheme), "--start", strconv.Itoa(tt.start), "--count", strconv.Itoa(tt.count), "--ledger-transport", transport, "--json")
			if err != nil {
				t.Fatal(err)
			}
			var res AddressesResult
			dec := json.NewDecoder(strings.NewReader(out))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&res); err != nil {
				t.Fatalf("%q: %v", out, err)
			}
			if res.Scheme != string(tt.scheme) || len(res.Addresses) != tt.count {
				t.Fatalf("%+v", res)
			}
			for k, a := range res.Addresses {
				i := tt.start + k
				p, err := tt.scheme.Path(i)
				if err != nil {
					t.Fatal(err)
				}
				addr, err := emu.Address(accounts.DerivationPath(p))
				if err != nil {
					t.Fatal(err)
				}
				want := Address{Index: i, Path: p.String(), Address: addr.Hex(), Signer: tt.signer(i, p.String())}
				if a != want {
					t.Errorf("row %d: %+v, want %+v", k, a, want)
				}
			}

			// People get a table, and on a terminal a hint on stderr.
			human, hint, err := run(t, true, "addresses", "--scheme", string(tt.scheme), "--start", strconv.Itoa(tt.start), "--count", strconv.Itoa(tt.count), "--ledger-transport", transport)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimRight(human, "\n"), "\n")
			if len(lines) != tt.count+1 || strings.Fields(lines[0])[0] != "INDEX" {
				t.Fatalf("table:\n%s", human)
			}
			for k, a := range res.Addresses {
				if got := strings.Fields(lines[k+1]); !reflect.DeepEqual(got, []string{strconv.Itoa(a.Index), a.Path, a.Address, a.Signer}) {
					t.Errorf("row %d: %q", k, got)
				}
			}
			if !strings.Contains(hint, "--signer SIGNER") {
				t.Errorf("no hint on a terminal: %q", hint)
			}
		})
	}
	// In a pipe, no hint.
	if _, stderr, err := run(t, false, "addresses", "--count", "1", "--ledger-transport", transport); err != nil || stderr != "" {
		t.Errorf("pipe: %v, stderr %q", err, stderr)
	}
}
