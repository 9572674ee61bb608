package transfer

import (
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/ensfake"
	"github.com/stakewallet/stakewallet/pkg/ens"
)

// withENS gives the env's node the devnet's ENS layout, with bob.eth
// pointing at Bob and noaddr.eth registered without an address.
func withENS(t *testing.T, e *clitest.Env) *ensfake.ENS {
	t.Helper()
	f := ensfake.Install(e.Node, ens.Registry, ensfake.DevnetResolver)
	f.Set("bob.eth", e.Bob)
	f.SetResolver("noaddr.eth", ensfake.DevnetResolver)
	return f
}

// TestTransferToName: --to bob.eth sends to the address bob.eth resolves
// to, the document keeps "to" as that address and adds "toName", and
// people see the name beside the address.
func TestTransferToName(t *testing.T) {
	for _, name := range []string{"bob.eth", "Bob.ETH"} {
		t.Run(name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			withENS(t, e)
			e.Lido.Mint(e.Alice, clitest.Tenths(20))
			e.RunOK(t, transferCmd, "1.5", "stETH", "--to", name, "--yes", "--json")
			d, raw := clitest.JSONWithKeys[transferDoc](t, e)
			if d.To != e.Bob.Hex() || string(raw["toName"]) != `"bob.eth"` {
				t.Errorf("to %s toName %s, want %s and \"bob.eth\"", d.To, raw["toName"], e.Bob.Hex())
			}
			if got := e.Lido.StETHBalance(e.Bob); got.Cmp(clitest.Tenths(15)) != 0 || d.Transferred != got.String() {
				t.Errorf("Bob holds %s (document says %s), want 1.5 stETH", got, d.Transferred)
			}
			if _, ok := raw["warnings"]; ok {
				t.Errorf("a transfer to a plain account carries warnings: %s", raw["warnings"])
			}
		})
	}

	t.Run("human", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		withENS(t, e)
		e.Lido.Mint(e.Alice, clitest.Tenths(10))
		e.RunOK(t, transferCmd, "0.25", "stETH", "--to", "bob.eth", "--yes")
		for _, want := range []string{"✓ Transfer 0.25 stETH to bob.eth (0x7099…79C8)\n", "  to           bob.eth (0x7099…79C8)\n"} {
			if !strings.Contains(e.Out.String(), want) {
				t.Errorf("stdout lacks %q:\n%s", want, e.Out)
			}
		}
	})

	t.Run("preview", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		withENS(t, e)
		e.Lido.Mint(e.Alice, clitest.Tenths(10))
		e.RunOK(t, transferCmd, "1", "stETH", "--to", "bob.eth", "--dry-run")
		// The heading names the recipient, the call shows the full
		// address that will be signed.
		for _, want := range []string{"Transfer 1 stETH to bob.eth (0x7099…79C8)\n", "Transfer 1 stETH to " + e.Bob.Hex() + "\n"} {
			if !strings.Contains(e.Out.String(), want) {
				t.Errorf("preview lacks %q:\n%s", want, e.Out)
			}
		}
		e.AssertNothingSent(t)
	})
}

// TestTransferToNameRefused: a name that does not resolve, cannot be
// normalised, or is given on a network without ENS is refused with exit
// 2, and nothing is signed or sent.
func TestTransferToNameRefused(t *testing.T) {
	noENS := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(noENS, []byte("[networks.devnet]\nens-registry = \"0x0000000000000000000000000000000000000000\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, to, msg string
		config        string
		// offline: refused before anything reaches the node.
		offline bool
	}{
		{name: "unregistered", to: "nobody.eth", msg: "nobody.eth does not resolve to an address on devnet: it has no resolver"},
		{name: "no address record", to: "noaddr.eth", msg: "noaddr.eth does not resolve to an address on devnet: its resolver has no Ethereum address"},
		{name: "non-ASCII", to: "bοb.eth", msg: "non-ASCII", offline: true}, // Greek ο
		{name: "empty label", to: "bob..eth", msg: "empty label", offline: true},
		{name: "neither", to: "bob", msg: `--to "bob" is neither an address`, offline: true},
		{name: "no ENS on the network", to: "bob.eth", msg: "ENS is not available on devnet; give the address", config: noENS},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			if tt.config != "" {
				t.Setenv("STAKEWALLET_CONFIG", tt.config)
			}
			withENS(t, e)
			e.Lido.Mint(e.Alice, clitest.Tenths(10))
			before := e.Node.Requests()
			e.RunFails(t, transferCmd, cmdutil.ExitBadInput, tt.msg, "1", "stETH", "--to", tt.to, "--yes")
			e.AssertNothingSent(t)
			if n := e.Node.Requests() - before; tt.offline && n != 0 {
				t.Errorf("%d requests reached the node for input refused on sight", n)
			}
			if e.Lido.StETHBalance(e.Bob).Sign() != 0 {
				t.Errorf("Bob received %s", e.Lido.StETHBalance(e.Bob))
			}
		})
	}
}

var safeABI = func() *abi.ABI {
	a, err := abi.JSON(strings.NewReader(`[{"type":"function","name":"getThreshold","stateMutability":"view","inputs":[],"outputs":[{"name":"","type":"uint256"}]}]`))
	if err != nil {
		panic(err)
	}
	return &a
}()

// TestTransferToContractWarns: a recipient with code that is neither a
// key holder's delegated account (EIP-7702) nor a Safe gets a warning on
// stderr and in the document; the transfer still goes ahead.
func TestTransferToContractWarns(t *testing.T) {
	vault := common.HexToAddress("0x000000000000000000000000000000000000BEEF")
	tests := []struct {
		name  string
		setup func(n *chaintest.Node)
		warn  bool
	}{
		{"plain account", func(*chaintest.Node) {}, false},
		{"contract", func(n *chaintest.Node) { n.SetCode(vault, []byte{0x60, 0x00, 0x60, 0x00, 0xfd}) }, true},
		{"EIP-7702 delegated account", func(n *chaintest.Node) {
			n.SetCode(vault, append([]byte{0xef, 0x01, 0x00}, common.HexToAddress("0x63c0c19a282a1B52b07dD5a65b58948A07DAE32B").Bytes()...))
		}, false},
		{"Safe", func(n *chaintest.Node) {
			n.Handle(vault, safeABI, "getThreshold", func(*chaintest.Ctx, []any) ([]any, error) { return []any{big.NewInt(2)}, nil })
		}, false},
		{"contract answering getThreshold with 0", func(n *chaintest.Node) {
			n.Handle(vault, safeABI, "getThreshold", func(*chaintest.Ctx, []any) ([]any, error) { return []any{big.NewInt(0)}, nil })
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			withENS(t, e).Set("vault.eth", vault)
			tt.setup(e.Node)
			e.Lido.Mint(e.Alice, clitest.Tenths(10))
			e.RunOK(t, transferCmd, "1", "stETH", "--to", "vault.eth", "--yes", "--json")
			var d struct {
				To       string
				Warnings []string
			}
			e.JSON(t, &d)
			h := vault.Hex()
			stderrWarns := strings.Contains(e.ErrOut.String(), "warning: the recipient vault.eth ("+h[:6]+"…"+h[38:]+") is a contract")
			if (len(d.Warnings) == 1) != tt.warn || stderrWarns != tt.warn {
				t.Errorf("warnings %q, stderr %q; want a warning: %v", d.Warnings, e.ErrOut, tt.warn)
			}
			if d.To != vault.Hex() || e.Lido.StETHBalance(vault).Cmp(clitest.Tenths(10)) != 0 {
				t.Errorf("to %s, vault holds %s: the transfer must go ahead", d.To, e.Lido.StETHBalance(vault))
			}
		})
	}
}
