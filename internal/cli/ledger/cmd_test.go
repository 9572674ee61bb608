package ledger

import (
	"context"
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
	tests := []struct {
		name     string
		args     []string
		want     any
		wantCode int
	}{
		{name: "addresses defaults", args: []string{"addresses"}, want: AddressesOptions{Transport: "hid", Count: 5, Scheme: "live"}},
		{name: "addresses every flag", args: []string{"addresses", "--count", "10", "--start", "5", "--scheme", "legacy", "--ledger-transport", "tcp://127.0.0.1:9999", "--json"},
			want: AddressesOptions{Transport: "tcp://127.0.0.1:9999", Count: 10, Start: 5, Scheme: "legacy", JSON: true}},
		{name: "addresses count 0", args: []string{"addresses", "--count", "0"}, wantCode: cmdutil.ExitBadInput},
		{name: "addresses bad scheme", args: []string{"addresses", "--scheme", "bip44"}, wantCode: cmdutil.ExitBadInput},
		{name: "addresses an argument", args: []string{"addresses", "3"}, wantCode: cmdutil.ExitBadInput},
		{name: "addresses --nonce", args: []string{"addresses", "--nonce", "1"}, wantCode: cmdutil.ExitBadInput},
		{name: "info", args: []string{"info"}, want: InfoOptions{Transport: "hid"}},
		{name: "info json tcp", args: []string{"info", "--json", "--ledger-transport", "tcp://h:1"}, want: InfoOptions{Transport: "tcp://h:1", JSON: true}},
		{name: "info --yes", args: []string{"info", "--yes"}, wantCode: cmdutil.ExitBadInput},
		{name: "info an argument", args: []string{"info", "x"}, wantCode: cmdutil.ExitBadInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := clitest.NewFactory("")
			var got any
			depsSet := false
			parent := &cobra.Command{Use: "ledger"}
			parent.AddCommand(
				NewCmdAddresses(f, func(o *AddressesOptions) error {
					c := *o
					depsSet = c.IO != nil && c.OpenApp != nil
					c.IO, c.OpenApp = nil, nil
					got = c
					return nil
				}),
				NewCmdInfo(f, func(o *InfoOptions) error {
					c := *o
					depsSet = c.IO != nil && c.OpenApp != nil
					c.IO, c.OpenApp = nil, nil
					got = c
					return nil
				}),
			)
			err := clitest.Exec(f, parent, tt.args...)
			if code, _ := clitest.ExitCode(err); code != tt.wantCode {
				t.Fatalf("exit %d (%v), want %d", code, err, tt.wantCode)
			}
			if tt.wantCode != 0 {
				if got != nil {
					t.Errorf("runF ran after a usage error with %+v", got)
				}
				return
			}
			if !depsSet {
				t.Error("the options lack IO or OpenApp")
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("options = %+v\nwant      %+v", got, tt.want)
			}
		})
	}
}

// startEmulator serves an emulated Ledger over Speculos's TCP protocol and
// returns it with its --ledger-transport value.
func startEmulator(t *testing.T, opts ledgeremu.Options) (*ledgeremu.Emulator, string) {
	t.Helper()
	emu, err := ledgeremu.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); emu.Close() })
	addr, err := emu.ServeTCP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return emu, "tcp://" + addr
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
			_, transport := startEmulator(t, tt.opts)
			out, _, err := run(t, false, "info", "--ledger-transport", transport, "--json")
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("%q: %v", out, err)
			}
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
					_, transport = startEmulator(t, *tt.opts)
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
	emu, transport := startEmulator(t, ledgeremu.Options{})
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
