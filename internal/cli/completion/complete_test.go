package completion_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/stakewallet/stakewallet/internal/cli"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/factory"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/protocol/all"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
	"github.com/stakewallet/stakewallet/pkg/signer/keyring"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// delegation is a test adapter with the Validators capability, which no
// shipped protocol has yet: Lido's contracts underneath, tokens of its own
// (one a non-transferable credit), and validators either known without the
// chain (static) or read from it.
type delegation struct {
	protocol.Protocol
	name    string
	backend protocol.Backend
	static  []protocol.Validator // nil: read from the chain
}

var _ protocol.Validators = (*delegation)(nil)

func (d *delegation) Name() string        { return d.name }
func (d *delegation) DisplayName() string { return "Delegation " + d.name }
func (d *delegation) Tokens() protocol.Tokens {
	return protocol.Tokens{
		{Symbol: "dSTK", Address: common.HexToAddress("0xd0000000000000000000000000000000000000d1"), Decimals: 18, Role: protocol.RoleStaked},
		{Symbol: "dCREDIT", Address: common.HexToAddress("0xd0000000000000000000000000000000000000d2"), Decimals: 18, Role: protocol.RoleCredit, NotTransferable: true},
	}
}

func (d *delegation) Validators(ctx context.Context) ([]protocol.Validator, error) {
	if d.static != nil {
		return d.static, nil
	}
	if _, err := d.backend.HeaderByNumber(ctx, nil); err != nil {
		return nil, fmt.Errorf("read the validator set: %w", err)
	}
	return []protocol.Validator{{ID: "read-from-the-chain"}}, nil
}

func delegationDescriptor(name string, static []protocol.Validator) protocol.Descriptor {
	return protocol.Descriptor{
		Name:         name,
		Roles:        lido.Descriptor.Roles,
		Deployments:  map[string]protocol.Addresses{"devnet": lido.Descriptor.Deployments["devnet"]},
		Capabilities: []protocol.Capability{protocol.CapValidators},
		New: func(env protocol.Env) (protocol.Protocol, error) {
			inner, err := lido.Descriptor.New(env)
			if err != nil {
				return nil, err
			}
			return &delegation{Protocol: inner, name: name, backend: env.Backend, static: static}, nil
		},
	}
}

// completer runs `stakewallet __complete ARGS` in-process on the real
// command tree and factory, in a home with keys and a config file, with
// every RPC endpoint pointing at a server that counts requests.
type completer struct {
	t      *testing.T
	rpc    string
	hits   *atomic.Int64
	extras []protocol.Descriptor
}

func newCompleter(t *testing.T) *completer {
	t.Helper()
	for _, v := range []string{"STAKEWALLET_NETWORK", "STAKEWALLET_SIGNER", "STAKEWALLET_CONFIG", "STAKEWALLET_PASSWORD_FILE", "ETH_RPC_URL"} {
		t.Setenv(v, "")
	}
	home := t.TempDir()
	t.Setenv("STAKEWALLET_HOME", home)
	hits := new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		http.Error(w, "completion must not call the RPC", http.StatusTeapot)
	}))
	t.Cleanup(srv.Close)

	d := lido.Descriptor.Deployments["devnet"]
	cfg := fmt.Sprintf(`[networks.local]
chain-id = 31337
rpc-urls = [%q]

[networks.local.protocols.lido]
steth = %q
wsteth = %q
withdrawalQueue = %q

[networks.bare]
chain-id = 5
rpc-urls = [%q]
`, srv.URL, d[lido.RoleStETH].Hex(), d[lido.RoleWstETH].Hex(), d[lido.RoleWithdrawalQueue].Hex(), srv.URL)
	if err := os.WriteFile(filepath.Join(home, "config.toml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}

	// Keys of every backend, registered the ordinary way.
	gokeyring.MockInit()
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("completion test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	store, err := keys.Open(keys.Options{Dir: filepath.Join(home, "keys"), PasswordFile: pw, Scrypt: keystore.Params{N: 16, P: 1}, Keyring: keyring.GoKeyring()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := store.Create(ctx, "alice", keys.BackendKeystore); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Create(ctx, "desk", keys.BackendKeyring); err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddLedger(ctx, "cold", common.HexToAddress("0x70997970C51812dc3A010C7d01b50e0d17dc79C8"), nil); err != nil {
		t.Fatal(err)
	}
	// From here on the keyring fails every call: completion must list
	// "desk" from the registry without asking it.
	gokeyring.MockInitWithError(fmt.Errorf("completion must not open the keyring"))

	return &completer{t: t, rpc: srv.URL, hits: hits, extras: []protocol.Descriptor{
		delegationDescriptor("deleg", []protocol.Validator{
			{ID: "0x00000000000000000000000000000000000000a1", Moniker: "Alpha"},
			{ID: "7", Moniker: "Bravo"},
		}),
		delegationDescriptor("delegchain", nil),
	}}
}

// complete returns the values offered (descriptions cut off) and checks
// what every completion must do: exit 0, no file names, nothing on stderr
// but cobra's directive note, no RPC request.
func (c *completer) complete(args ...string) []string {
	c.t.Helper()
	ios, out, errOut := iostreams.Test("")
	f := factory.New("test", ios)
	descriptors := append(all.Descriptors(), c.extras...)
	f.Config = func() (*config.Config, error) { return config.Load(f.Flags.ConfigFile, descriptors) }
	code := cli.Run(context.Background(), f, append([]string{cobra.ShellCompRequestCmd, "--rpc-url", c.rpc}, args...))
	if code != cmdutil.ExitOK {
		c.t.Fatalf("%q: exit %d\n%s", args, code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if last := lines[len(lines)-1]; last != fmt.Sprintf(":%d", cobra.ShellCompDirectiveNoFileComp) {
		c.t.Errorf("%q: directive %q, want NoFileComp", args, last)
	}
	if e := strings.TrimSpace(errOut.String()); e != "Completion ended with directive: ShellCompDirectiveNoFileComp" {
		c.t.Errorf("%q: stderr %q", args, e)
	}
	if n := c.hits.Load(); n != 0 {
		c.t.Fatalf("%q: completion sent %d RPC requests", args, n)
	}
	var values []string
	for _, l := range lines[:len(lines)-1] {
		v, _, _ := strings.Cut(l, "\t")
		values = append(values, v)
	}
	return values
}

// TestFlagAndArgCompletion: each kind of completion offers what local
// state knows, filtered by what was typed, and nothing where it knows
// nothing, without touching the network or the keyring.
func TestFlagAndArgCompletion(t *testing.T) {
	c := newCompleter(t)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		// --signer: the registry, every backend, and ledger.
		{"signers", []string{"stake", "--signer", ""}, []string{"alice", "cold", "desk", "ledger"}},
		{"signers by prefix", []string{"balance", "--signer", "a"}, []string{"alice"}},
		{"signer of a keys command", []string{"keys", "list", "--signer", "l"}, []string{"ledger"}},
		// keys show/delete/export NAME: registered names only, no ledger.
		{"keys show NAME", []string{"keys", "show", ""}, []string{"alice", "cold", "desk"}},
		{"keys delete NAME by prefix", []string{"keys", "delete", "d"}, []string{"desk"}},
		{"keys export NAME", []string{"keys", "export", "c"}, []string{"cold"}},
		{"keys show takes one NAME", []string{"keys", "show", "alice", ""}, nil},

		// --network: built in and from the config file.
		{"networks", []string{"stake", "--network", ""}, []string{"avalanche", "bsc", "bsc-testnet", "devnet", "devnet-avalanche", "devnet-bsc", "devnet-sonic", "holesky", "hoodi", "mainnet", "sepolia", "sonic", "bare", "local"}},
		{"networks by prefix", []string{"--network", "ho"}, []string{"holesky", "hoodi"}},

		// --protocol: those deployed on the selected network.
		{"protocols on the devnet", []string{"stake", "--protocol", ""}, []string{"deleg", "delegchain", "lido", "polygon", "rocketpool"}},
		{"protocols on a config network", []string{"--network", "local", "unstake", "--protocol", ""}, []string{"lido"}},
		{"protocols on a network without any", []string{"--network", "bare", "claim", "--protocol", ""}, nil},
		{"protocols on an unknown network", []string{"--network", "narnia", "stake", "--protocol", ""}, nil},

		// --token: the selected protocol's tokens.
		{"unstake tokens of the default protocol", []string{"unstake", "--token", ""}, []string{"stETH", "wstETH"}},
		{"unstake tokens of --protocol", []string{"unstake", "--protocol", "deleg", "--token", ""}, []string{"dSTK", "dCREDIT"}},
		{"unstake tokens on mainnet", []string{"--network", "mainnet", "unstake", "--token", "w"}, []string{"wstETH"}},

		// transfer's TOKEN: every protocol's transferable tokens.
		{"transfer tokens", []string{"transfer", "1", ""}, []string{"dSTK", "stETH", "wstETH", "POL", "rETH"}},
		{"transfer tokens by prefix", []string{"transfer", "all", "ST"}, []string{"stETH"}},
		{"transfer amount", []string{"transfer", ""}, nil},
		{"transfer past its arguments", []string{"transfer", "1", "stETH", ""}, nil},

		// --validator: from a protocol with the Validators capability.
		{"validators of a protocol without them", []string{"stake", "--validator", ""}, nil},
		{"validators known locally", []string{"stake", "--protocol", "deleg", "--validator", ""}, []string{"0x00000000000000000000000000000000000000a1", "7"}},
		{"validators by prefix", []string{"restake", "--protocol", "deleg", "--validator", "7"}, []string{"7"}},
		{"validators read from the chain", []string{"unstake", "--protocol", "delegchain", "--validator", ""}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.t = t
			if got := c.complete(tt.args...); !slices.Equal(got, tt.want) {
				t.Errorf("%q offers %q, want %q", tt.args, got, tt.want)
			}
		})
	}
}

// TestCompletionDescriptions: the shells that show descriptions (zsh,
// fish) learn what each value is.
func TestCompletionDescriptions(t *testing.T) {
	c := newCompleter(t)
	tests := []struct {
		args []string
		want string // one line of the output
	}{
		{[]string{"stake", "--signer", "al"}, "alice\tkeystore 0x"},
		{[]string{"stake", "--signer", "co"}, "cold\tledger 0x70997970C51812dc3A010C7d01b50e0d17dc79C8"},
		{[]string{"--network", "main"}, "mainnet\tchain ID 1"},
		{[]string{"stake", "--protocol", "l"}, "lido\tLido"},
		{[]string{"transfer", "1", "st"}, "stETH\tLido staked token " + lido.Descriptor.Deployments["devnet"][lido.RoleStETH].Hex()},
		{[]string{"stake", "--protocol", "deleg", "--validator", "7"}, "7\tBravo"},
	}
	for _, tt := range tests {
		ios, out, _ := iostreams.Test("")
		f := factory.New("test", ios)
		descriptors := append(all.Descriptors(), c.extras...)
		f.Config = func() (*config.Config, error) { return config.Load(f.Flags.ConfigFile, descriptors) }
		cli.Run(context.Background(), f, append([]string{cobra.ShellCompRequestCmd, "--rpc-url", c.rpc}, tt.args...))
		if !strings.Contains(out.String(), "\n"+tt.want) && !strings.HasPrefix(out.String(), tt.want) {
			t.Errorf("%q: no line %q in\n%s", tt.args, tt.want, out)
		}
	}
	if n := c.hits.Load(); n != 0 {
		t.Errorf("completion sent %d RPC requests", n)
	}
}

// TestCompletionWithABrokenConfig: a config file that does not parse
// completes nothing, quietly, where the command itself would fail.
func TestCompletionWithABrokenConfig(t *testing.T) {
	c := newCompleter(t)
	broken := filepath.Join(t.TempDir(), "broken.toml")
	if err := os.WriteFile(broken, []byte("[networks.x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--config", broken, "stake", "--signer", ""},
		{"--config", broken, "--network", ""},
		{"--config", broken, "stake", "--protocol", ""},
		{"--config", broken, "transfer", "1", ""},
		{"--config", broken, "stake", "--validator", ""},
	} {
		if got := c.complete(args...); len(got) != 0 {
			t.Errorf("%q offers %q", args, got)
		}
	}
}
