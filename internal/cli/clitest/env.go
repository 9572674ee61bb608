package clitest

import (
	"context"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/params"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/factory"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/lidofake"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// Env is a node-backed command test: the real factory, configured through
// the environment as a user would (STAKEWALLET_HOME, STAKEWALLET_NETWORK,
// ETH_RPC_URL, STAKEWALLET_SIGNER, STAKEWALLET_PASSWORD_FILE), pointed at a
// fake JSON-RPC node (chaintest) that plays Lido at the devnet addresses.
// Nothing but that loopback server is started.
type Env struct {
	T    testing.TB
	Node *chaintest.Node
	Lido *lidofake.Lido
	F    *cmdutil.Factory
	Streams
	// Home is the state directory (keys, journal, config).
	Home string
	// PasswordFile holds Alice's keystore passphrase.
	PasswordFile string
	// Alice is devnet test account 0, registered as keystore key "alice"
	// (the default signer) and funded with 100 ETH on the node.
	Alice common.Address
	// Bob is devnet test account 1, unregistered and unfunded.
	Bob common.Address
}

// Ether is n whole coins in wei.
func Ether(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.Ether)) }

// Tenths is n tenths of a coin (or of an 18-decimal token) in base units:
// Tenths(15) is 1.5.
func Tenths(n int64) *big.Int { return new(big.Int).Div(Ether(n), big.NewInt(10)) }

// NewEnv sets up the environment; stdin is what the user "types" (no
// terminal, unless SetTTY is called on Env.F.IO).
func NewEnv(t *testing.T, stdin string) *Env {
	t.Helper()
	home := t.TempDir()
	node := chaintest.New(t, 1337)
	lido := lidofake.Install(node, lidofake.DevnetAddresses())
	alice, err := devkeys.TestAccount(0)
	if err != nil {
		t.Fatal(err)
	}
	bob, err := devkeys.TestAccount(1)
	if err != nil {
		t.Fatal(err)
	}
	node.SetBalance(alice.Address, Ether(100))

	pw := filepath.Join(home, "password")
	if err := os.WriteFile(pw, []byte("correct horse\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := keys.Open(keys.Options{Dir: filepath.Join(home, "keys"), PasswordFile: pw, Scrypt: keystore.LightParams()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.ImportKey(context.Background(), "alice", keys.BackendKeystore, alice.PrivateKey, ""); err != nil {
		t.Fatal(err)
	}

	for k, v := range map[string]string{
		"STAKEWALLET_HOME":          home,
		"STAKEWALLET_NETWORK":       "devnet",
		"ETH_RPC_URL":               node.URL(),
		"STAKEWALLET_SIGNER":        "alice",
		"STAKEWALLET_PASSWORD_FILE": pw,
		"STAKEWALLET_CONFIG":        "",
		"NO_COLOR":                  "1",
	} {
		t.Setenv(k, v)
	}
	ios, out, errOut := iostreams.Test(stdin)
	f := factory.New("test", ios)
	// The global flags' defaults, from the environment above, for code
	// that uses the factory without running a command (Exec registers
	// them again on its root).
	f.Flags.Register(pflag.NewFlagSet("env", pflag.ContinueOnError))
	return &Env{
		T: t, Node: node, Lido: lido, F: f, Streams: Streams{Out: out, ErrOut: errOut},
		Home: home, PasswordFile: pw, Alice: alice.Address, Bob: bob.Address,
	}
}

// Run executes the command that build makes from the env's factory with
// args, and returns the exit code the CLI would give.
func (e *Env) Run(build func(*cmdutil.Factory) *cobra.Command, args ...string) int {
	e.T.Helper()
	code, _ := e.exec(build, args)
	return code
}

// exec runs as Run does and keeps the error too. The streams are reset
// first so that Out and ErrOut hold this run's output only.
func (e *Env) exec(build func(*cmdutil.Factory) *cobra.Command, args []string) (int, error) {
	e.Out.Reset()
	e.ErrOut.Reset()
	err := Exec(e.F, build(e.F), args...)
	code, _ := ExitCode(err)
	return code, err
}

// RunOK is Run for a run the test needs to succeed: anything but exit 0
// stops the test, showing the command line and stderr.
func (e *Env) RunOK(t testing.TB, build func(*cmdutil.Factory) *cobra.Command, args ...string) {
	t.Helper()
	if code, err := e.exec(build, args); code != cmdutil.ExitOK {
		t.Fatalf("%q: exit %d (%v), want 0\nstderr: %s", args, code, err, e.ErrOut)
	}
}

// RunFails is Run for a run the command must refuse: it stops the test
// unless the exit code is want, and fails it (going on, so that the
// caller can still check what was sent) unless the error mentions msg
// ("" takes any error). It returns the error for checks of the caller's
// own, such as its kind.
func (e *Env) RunFails(t testing.TB, build func(*cmdutil.Factory) *cobra.Command, want int, msg string, args ...string) error {
	t.Helper()
	code, err := e.exec(build, args)
	if code != want || err == nil {
		t.Fatalf("%q: exit %d (%v), want %d", args, code, err, want)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("%q: error %q, want it to mention %q", args, err, msg)
	}
	return err
}

// JSON decodes the last run's stdout into v, as DecodeJSON does.
func (e *Env) JSON(t testing.TB, v any) {
	t.Helper()
	DecodeJSON(t, e.Out.String(), v)
}

// JSONWithKeys decodes the last run's JSON document into a T, as JSON
// does, and returns its top-level keys too, raw: a T cannot tell a key
// that is missing from one that is null or empty, and scripts can.
func JSONWithKeys[T any](t testing.TB, e *Env) (doc T, keys map[string]json.RawMessage) {
	t.Helper()
	e.JSON(t, &doc)
	e.JSON(t, &keys)
	return doc, keys
}

// TxActions is the action and status of each transaction in the last
// run's JSON document, as "approve:success,wrap:success": the steps a
// command took, in order, in one comparable string.
func (e *Env) TxActions(t testing.TB) string {
	t.Helper()
	var doc struct {
		Transactions []struct{ Action, Status string }
	}
	e.JSON(t, &doc)
	steps := make([]string, len(doc.Transactions))
	for i, tx := range doc.Transactions {
		steps[i] = tx.Action + ":" + tx.Status
	}
	return strings.Join(steps, ",")
}

// AssertNothingSent fails the test if the node has received a transaction
// or the journal holds an entry: a dry run, a refusal or a declined
// confirmation must leave neither (the journal is written before a
// broadcast, so an entry alone means the key was used).
func (e *Env) AssertNothingSent(t testing.TB) {
	t.Helper()
	if sent, journal := e.Node.Sent(), e.Journal(); len(sent) != 0 || len(journal) != 0 {
		t.Errorf("%d transactions sent, journal %v; want none", len(sent), journal)
	}
}

// RemovePasswordFile deletes Alice's passphrase file, leaving
// STAKEWALLET_PASSWORD_FILE naming nothing: any attempt to open the key
// then fails the run, which is how a dry run shows it never tried.
func (e *Env) RemovePasswordFile(t testing.TB) {
	t.Helper()
	if err := os.Remove(e.PasswordFile); err != nil {
		t.Fatal(err)
	}
}

// UseProtocol makes every protocol name bind p, for a command test of how
// the CLI handles a protocol unlike Lido. Commands copy the factory's
// dependencies when built, so call it before Run.
func (e *Env) UseProtocol(p protocol.Protocol) {
	e.F.Protocol = func(context.Context, string) (protocol.Protocol, error) { return p, nil }
}

// Journal lists the hashes of the transactions in the journal (none when
// it was never created).
func (e *Env) Journal() []string {
	e.T.Helper()
	dir := filepath.Join(e.Home, "journal")
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	// Read through the journal itself: the lock files beside the
	// entries (journal/locks/) are not transactions.
	j, err := journal.Open(dir)
	if err != nil {
		e.T.Fatal(err)
	}
	entries, err := j.List(0)
	if err != nil {
		e.T.Fatal(err)
	}
	var out []string
	for _, en := range entries {
		out = append(out, en.Hash.Hex())
	}
	return out
}
