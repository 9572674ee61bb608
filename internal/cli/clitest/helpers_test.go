package clitest

import (
	"context"
	"errors"
	"fmt"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// recorder stands in for the test a helper is given, so that a test can
// see the helper fail it. Fatalf ends the helper's goroutine as the
// testing package does; anything else goes to the real test.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	r.fatal = true
	runtime.Goexit()
}

func (r *recorder) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }
func (r *recorder) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }

// outcome is how a helper left the test it was given.
type outcome int

const (
	passed  outcome = iota
	failed          // an error, and the helper went on
	stopped         // a fatal error
)

func (o outcome) String() string { return [...]string{"passed", "failed", "stopped"}[o] }

// record runs fn with a recorder on its own goroutine, since a fatal
// error ends the goroutine it happens on.
func record(t *testing.T, fn func(tb testing.TB)) (outcome, []string) {
	t.Helper()
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	switch {
	case r.fatal:
		return stopped, r.errors
	case len(r.errors) > 0:
		return failed, r.errors
	}
	return passed, nil
}

// toyOptions and newCmdToy are a command in the shape of the real ones:
// --name and no arguments; misbehave makes it break the runF contract.
type toyOptions struct {
	IO   *iostreams.IOStreams
	Name string
}

func newCmdToy(misbehave string) NewCmdFunc[toyOptions] {
	return func(f *cmdutil.Factory, runF func(*toyOptions) error) *cobra.Command {
		opts := &toyOptions{IO: f.IO}
		cmd := &cobra.Command{
			Use:  "toy",
			Args: cmdutil.MaximumArgs(0, "no arguments"),
			RunE: func(*cobra.Command, []string) error {
				switch misbehave {
				case "fails after runF":
					_ = runF(opts)
					return errors.New("boom")
				case "skips runF":
					return nil
				}
				return runF(opts)
			},
		}
		cmd.Flags().StringVar(&opts.Name, "name", "", "")
		return cmd
	}
}

// TestParse: the options come back from a good command line, a usage
// error comes back as exit 2 without options, and a command that breaks
// the runF contract fails the test.
func TestParse(t *testing.T) {
	tests := []struct {
		name      string
		misbehave string
		args      []string
		wantCode  int
		wantOpts  *toyOptions // nil = runF must not have run; IO is not compared
		want      outcome
	}{
		{name: "options", args: []string{"--name", "x"}, wantOpts: &toyOptions{Name: "x"}},
		{name: "an argument", args: []string{"x"}, wantCode: cmdutil.ExitBadInput},
		{name: "unknown flag", args: []string{"--yes"}, wantCode: cmdutil.ExitBadInput},
		// The options still come back, for the caller's messages.
		{name: "runF ran, then the command failed", misbehave: "fails after runF", wantCode: cmdutil.ExitOther, wantOpts: &toyOptions{}, want: failed},
		{name: "success without runF", misbehave: "skips runF", want: stopped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got *toyOptions
			var code int
			res, msgs := record(t, func(tb testing.TB) {
				got, code, _ = Parse(tb, newCmdToy(tt.misbehave), tt.args...)
			})
			if res != tt.want {
				t.Fatalf("the test %s (%q), want %s", res, msgs, tt.want)
			}
			if res == stopped {
				return
			}
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			if (got == nil) != (tt.wantOpts == nil) || (got != nil && got.Name != tt.wantOpts.Name) {
				t.Errorf("options %+v, want %+v", got, tt.wantOpts)
			}
		})
	}
}

// TestRunFlagCases: each case is a subtest, and check sees the options of
// the accepted command lines only, with their case's Want.
func TestRunFlagCases(t *testing.T) {
	var checked []string
	RunFlagCases(t, newCmdToy(""), []FlagCase[toyOptions]{
		{Name: "a", Args: []string{"--name", "a"}, Want: toyOptions{Name: "a"}},
		{Name: "refused", Args: []string{"x"}, WantCode: cmdutil.ExitBadInput},
		{Name: "b", Args: []string{"--name=b"}, Want: toyOptions{Name: "b"}},
	}, func(t *testing.T, got, want *toyOptions) {
		if got.Name != want.Name || got.IO == nil {
			t.Errorf("options %+v, want %+v with streams", got, want)
		}
		checked = append(checked, t.Name())
	})
	if want := "TestRunFlagCases/a TestRunFlagCases/b"; strings.Join(checked, " ") != want {
		t.Errorf("checked %q, want %q", checked, want)
	}
}

// TestRecordFactory: the factory recorded is the one the last command was
// built over.
func TestRecordFactory(t *testing.T) {
	var f *cmdutil.Factory
	newCmd := RecordFactory(newCmdToy(""), &f)
	for range 2 {
		built, _ := NewFactory("")
		if newCmd(built, nil); f != built {
			t.Fatalf("recorded %p, built over %p", f, built)
		}
	}
}

// TestExpectExit: a matching code passes and says whether there are
// options to check; any other stops the test.
func TestExpectExit(t *testing.T) {
	tests := []struct {
		code, want int
		wantOK     bool
		wantResult outcome
	}{
		{code: 0, want: 0, wantOK: true},
		{code: cmdutil.ExitBadInput, want: cmdutil.ExitBadInput},
		{code: 0, want: cmdutil.ExitBadInput, wantResult: stopped},
		{code: cmdutil.ExitOther, want: 0, wantResult: stopped},
	}
	for _, tt := range tests {
		var ok bool
		res, msgs := record(t, func(tb testing.TB) { ok = expectExit(tb, []string{"--x"}, tt.code, errors.New("e"), tt.want) })
		if res != tt.wantResult || (res == passed && ok != tt.wantOK) {
			t.Errorf("code %d want %d: %s, %v (%q); want %s, %v", tt.code, tt.want, res, ok, msgs, tt.wantResult, tt.wantOK)
		}
	}
}

// TestCapture: runF sees a copy, stripped, as an any holding the
// subcommand's options; the command's own options are left alone.
func TestCapture(t *testing.T) {
	var got any
	runF := Capture(func(o *any) error { got = *o; return nil }, func(o *toyOptions) { o.IO = nil })
	f, _ := NewFactory("")
	opts := &toyOptions{IO: f.IO, Name: "n"}
	if err := runF(opts); err != nil {
		t.Fatal(err)
	}
	if got != (toyOptions{Name: "n"}) || opts.IO != f.IO {
		t.Errorf("runF got %+v; the options are now %+v", got, opts)
	}
}

// TestDecodeJSON: stdout must be one JSON document, nothing before or
// after it.
func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name string
		out  string
		want outcome
	}{
		{"one document", "{\"a\": 1}\n", passed},
		{"two documents", "{\"a\": 1}\n{\"a\": 2}\n", stopped},
		{"a line after", "{\"a\": 1}\ndone\n", stopped},
		{"a line before", "note\n{\"a\": 1}\n", stopped},
		{"empty", "", stopped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct{ A int }
			res, msgs := record(t, func(tb testing.TB) { DecodeJSON(tb, tt.out, &v) })
			if res != tt.want {
				t.Fatalf("%s (%q), want %s", res, msgs, tt.want)
			}
			if res == passed && v.A != 1 {
				t.Errorf("decoded %+v", v)
			}
		})
	}
}

// printer builds a command that writes out to stdout and returns err.
func printer(out string, err error) func(*cmdutil.Factory) *cobra.Command {
	return func(f *cmdutil.Factory) *cobra.Command {
		return &cobra.Command{Use: "print", RunE: func(*cobra.Command, []string) error {
			fmt.Fprint(f.IO.Out, out)
			return err
		}}
	}
}

// TestEnvRun: RunOK and RunFails pass what they expect, stop the test on
// the wrong exit code, and RunFails only fails (going on) on the wrong
// message; each run's stdout is its own, for JSON to decode.
func TestEnvRun(t *testing.T) {
	e := NewEnv(t, "")
	refused := cmdutil.WithExit(cmdutil.ExitBadInput, "bad_input", errors.New("no such token"))
	tests := []struct {
		name string
		run  func(tb testing.TB)
		want outcome
	}{
		{"RunOK, success", func(tb testing.TB) { e.RunOK(tb, printer("{}", nil)) }, passed},
		{"RunOK, failure", func(tb testing.TB) { e.RunOK(tb, printer("", refused)) }, stopped},
		{"RunFails, as wanted", func(tb testing.TB) { e.RunFails(tb, printer("", refused), cmdutil.ExitBadInput, "no such") }, passed},
		{"RunFails, another message", func(tb testing.TB) { e.RunFails(tb, printer("", refused), cmdutil.ExitBadInput, "paused") }, failed},
		{"RunFails, another code", func(tb testing.TB) { e.RunFails(tb, printer("", refused), cmdutil.ExitNeedsInput, "no such") }, stopped},
		{"RunFails, success", func(tb testing.TB) { e.RunFails(tb, printer("", nil), cmdutil.ExitBadInput, "") }, stopped},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res, msgs := record(t, tt.run); res != tt.want {
				t.Errorf("%s (%q), want %s", res, msgs, tt.want)
			}
		})
	}

	e.RunOK(t, printer(`{"a": 1}`, nil))
	e.RunOK(t, printer(`{"a": 2}`, nil))
	var v struct{ A int }
	e.JSON(t, &v)
	if v.A != 2 {
		t.Errorf("decoded %+v: stdout is not the last run's", v)
	}

	e.RunOK(t, printer(`{"a": 3, "b": null}`, nil))
	doc, keys := JSONWithKeys[struct{ A, B, C *int }](t, e)
	if _, hasC := keys["c"]; doc.A == nil || *doc.A != 3 || len(keys) != 2 || string(keys["b"]) != "null" || hasC {
		t.Errorf("document %+v, keys %v: want a=3, and b but not c among the keys", doc, keys)
	}

	e.RunOK(t, printer(`{"transactions": [{"action": "approve", "status": "success"}, {"action": "wrap", "status": "unsigned"}]}`, nil))
	if got, want := e.TxActions(t), "approve:success,wrap:unsigned"; got != want {
		t.Errorf("TxActions = %q, want %q", got, want)
	}
	e.RunOK(t, printer(`{"transactions": []}`, nil))
	if got := e.TxActions(t); got != "" {
		t.Errorf("TxActions of no transactions = %q", got)
	}
}

// TestTenthsAndTxFlags: the small value builders give what their names
// say.
func TestTenthsAndTxFlags(t *testing.T) {
	if got, want := Tenths(15).String(), "1500000000000000000"; got != want {
		t.Errorf("Tenths(15) = %s, want %s", got, want)
	}
	tx := TxFlags(func(t *cmdutil.TxFlags) { t.Yes = true })
	want := cmdutil.DefaultTxFlags()
	want.Yes = true
	if tx != want {
		t.Errorf("TxFlags = %+v, want %+v", tx, want)
	}
	if got := JSONKeys(map[string]any{"b": 1, "a": nil, "c": []any{}}); got != "a,b,c" {
		t.Errorf("JSONKeys = %q", got)
	}
}

// TestRemovePasswordFile: the file is gone, its name still set.
func TestRemovePasswordFile(t *testing.T) {
	e := NewEnv(t, "")
	e.RemovePasswordFile(t)
	if _, err := os.Stat(e.PasswordFile); !os.IsNotExist(err) || os.Getenv("STAKEWALLET_PASSWORD_FILE") != e.PasswordFile {
		t.Errorf("password file: %v; STAKEWALLET_PASSWORD_FILE=%q", err, os.Getenv("STAKEWALLET_PASSWORD_FILE"))
	}
}

// TestUseProtocol: every name binds the protocol given.
func TestUseProtocol(t *testing.T) {
	e := NewEnv(t, "")
	var p protocol.Protocol = stubProtocol{}
	e.UseProtocol(p)
	for _, name := range []string{"", "lido", "other"} {
		if got, err := e.F.Protocol(t.Context(), name); err != nil || got != p {
			t.Errorf("%q binds %v, %v", name, got, err)
		}
	}
}

// stubProtocol is a protocol.Protocol that nothing calls.
type stubProtocol struct{ protocol.Protocol }

// TestAssertNothingSent: a transaction on the node, or an entry in the
// journal alone, fails the test; neither passes.
func TestAssertNothingSent(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, e *Env)
		want  outcome
	}{
		{"nothing", func(*testing.T, *Env) {}, passed},
		{"a journal entry", func(t *testing.T, e *Env) {
			j, err := journal.Open(filepath.Join(e.Home, "journal"))
			if err != nil {
				t.Fatal(err)
			}
			tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Nonce: 0, Gas: 21000})
			if _, err := j.Record("devnet", 1337, e.Alice, "stake", "a signed stake", tx); err != nil {
				t.Fatal(err)
			}
		}, failed},
		{"only the lock files", func(t *testing.T, e *Env) {
			// A run that took the account lock and sent nothing.
			if err := os.MkdirAll(filepath.Join(e.Home, "journal", "locks"), 0o700); err != nil {
				t.Fatal(err)
			}
		}, passed},
		{"a transaction", sendOne, failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEnv(t, "")
			tt.setup(t, e)
			if res, msgs := record(t, e.AssertNothingSent); res != tt.want {
				t.Errorf("%s (%q), want %s", res, msgs, tt.want)
			}
		})
	}
}

// sendOne has Alice send Bob 1 wei, straight to the node.
func sendOne(t *testing.T, e *Env) {
	acct, err := devkeys.TestAccount(0)
	if err != nil {
		t.Fatal(err)
	}
	chainID := big.NewInt(1337)
	tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{
		ChainID: chainID, To: &e.Bob, Value: big.NewInt(1), Gas: 21000,
		GasTipCap: big.NewInt(params.GWei), GasFeeCap: big.NewInt(10 * params.GWei),
	}), types.LatestSignerForChainID(chainID), acct.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ethclient.Dial(e.Node.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendTransaction(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
}

// TestStartLedger: the transport reaches the emulator.
func TestStartLedger(t *testing.T) {
	emu, transport := StartLedger(t, ledgeremu.Options{})
	if emu == nil || !strings.HasPrefix(transport, "tcp://127.0.0.1:") {
		t.Errorf("emulator %v at %q", emu, transport)
	}
}
