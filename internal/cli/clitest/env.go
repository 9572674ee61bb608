package clitest

import (
	"context"
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
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
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
	e.Out.Reset()
	e.ErrOut.Reset()
	code, _ := ExitCode(Exec(e.F, build(e.F), args...))
	return code
}

// Journal lists the files in the transaction journal directory.
func (e *Env) Journal() []string {
	entries, _ := os.ReadDir(filepath.Join(e.Home, "journal"))
	var out []string
	for _, de := range entries {
		if !strings.HasPrefix(de.Name(), ".") {
			out = append(out, de.Name())
		}
	}
	return out
}
