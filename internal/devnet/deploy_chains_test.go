package devnet_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/deploy"
	"github.com/stakewallet/stakewallet/internal/devnet/models"
)

// TestDeployPlacesMulticall3 deploys the devnet chain's models onto
// another node: Multicall3 ends up at its canonical address (anvil's
// setCode; a devnet has it in genesis), a second deploy leaves it alone,
// and the oracle runs from the --deployment file the first one printed.
func TestDeployPlacesMulticall3(t *testing.T) {
	t.Parallel()
	node := startOtherNode(t)
	mc, err := contracts.Load(devnet.NameMulticall3)
	if err != nil {
		t.Fatal(err)
	}

	code, out, errOut := run(t, "deploy", "--rpc-url", node.url, "--json", "--chain", "devnet")
	if code != 0 {
		t.Fatalf("deploy exited %d: %s", code, errOut)
	}
	netw, err := deploy.ParseJSON([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if netw.Multicall3 != devnet.Multicall3Address.Hex() {
		t.Errorf("Multicall3 at %s, want the canonical %s (%s)", netw.Multicall3, devnet.Multicall3Address.Hex(), errOut)
	}
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	client, err := ethclient.DialContext(ctx, node.url)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	if got, err := client.CodeAt(ctx, devnet.Multicall3Address, nil); err != nil || !bytes.Equal(got, mc.DeployedBytecode) {
		t.Errorf("code at Multicall3: %d bytes, %v", len(got), err)
	}
	for _, m := range models.ForChain("devnet") {
		roles := netw.Protocols[m.Name()]
		if len(roles) == 0 {
			t.Errorf("no addresses for %s in %s", m.Name(), out)
		}
		for role, hex := range roles {
			if got, err := client.CodeAt(ctx, common.HexToAddress(hex), nil); err != nil || len(got) == 0 {
				t.Errorf("%s %s at %s has no code", m.Name(), role, hex)
			}
		}
	}
	if netw.Oracle != account(t, 0).Address.Hex() || netw.DefaultProtocol != "lido" {
		t.Errorf("oracle %s default %s", netw.Oracle, netw.DefaultProtocol)
	}

	code, _, errOut = run(t, "deploy", "--rpc-url", node.url, "--name", "again")
	if code != 0 || !strings.Contains(errOut, "Multicall3 already at "+devnet.Multicall3Address.Hex()) {
		t.Errorf("second deploy: exit %d, %q", code, errOut)
	}

	file := filepath.Join(t.TempDir(), "deployment.json")
	if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	code, once, errOut := run(t, "oracle", "--rpc-url", node.url, "--deployment", file, "--bonding-period", "1h", "--once", "--json")
	if code != 0 {
		t.Fatalf("oracle --deployment: exit %d: %s", code, errOut)
	}
	var rep struct {
		TxHash string `json:"txHash"`
	}
	if err := json.Unmarshal([]byte(once), &rep); err != nil || rep.TxHash == "" {
		t.Errorf("oracle --once --json: %v\n%s", err, once)
	}
}

func TestDeployAndOracleUsageErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"deploy to an unknown chain", []string{"deploy", "--rpc-url", "http://127.0.0.1:1", "--chain", "devnet-moon"}, "devnet-avalanche"},
		{"oracle of an unknown chain", []string{"oracle", "--rpc-url", "http://127.0.0.1:1", "--bonding-period", "1", "--chain", "nope"}, "devnet-sonic"},
		{"oracle with a missing deployment file", []string{"oracle", "--rpc-url", "http://127.0.0.1:1", "--bonding-period", "1", "--deployment", missing}, "--deployment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := run(t, tt.args...)
			if code != 2 || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d (%s), want 2 and %q", code, strings.TrimSpace(errOut), tt.want)
			}
		})
	}
}

// TestDeployEveryChain deploys each chain's models onto a node of its own
// (anvil when installed) with the deploy command: every address printed
// holds code, and the TOML entry names the chain's coin.
func TestDeployEveryChain(t *testing.T) {
	for _, ch := range devnet.Chains() {
		t.Run(ch.Name, func(t *testing.T) {
			node := startOtherNode(t)
			code, out, errOut := run(t, "deploy", "--rpc-url", node.url, "--chain", ch.Name, "--json", "--name", "x")
			if code != 0 {
				t.Fatalf("deploy --chain %s: exit %d: %s", ch.Name, code, errOut)
			}
			netw, err := deploy.ParseJSON([]byte(out))
			if err != nil {
				t.Fatal(err)
			}
			ms := models.ForChain(ch.Name)
			if len(netw.Protocols) != len(ms) {
				t.Errorf("%d protocols printed, %d models", len(netw.Protocols), len(ms))
			}
			if (ch.Native == "ETH") != (netw.NativeSymbol == "") || (netw.NativeSymbol != "" && netw.NativeSymbol != ch.Native) {
				t.Errorf("native symbol %q for %s", netw.NativeSymbol, ch.Native)
			}
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			client, err := ethclient.DialContext(ctx, node.url)
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			addrs, err := netw.Addresses()
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if len(addrs[m.Name()]) == 0 {
					t.Errorf("no addresses for %s", m.Name())
				}
				for role, a := range addrs[m.Name()] {
					if c, err := client.CodeAt(ctx, a, nil); err != nil || len(c) == 0 {
						t.Errorf("%s %s at %s: no code (%v)", m.Name(), role, a.Hex(), err)
					}
				}
			}

			// The oracle binds every model from the printed entry, with
			// the key it names, and steps each once.
			file := filepath.Join(t.TempDir(), "deployment.json")
			if err := os.WriteFile(file, []byte(out), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, errOut = run(t, "oracle", "--rpc-url", node.url, "--chain", ch.Name, "--deployment", file, "--bonding-period", "1", "--once")
			if code != 0 {
				t.Errorf("oracle --chain %s --once: exit %d: %s", ch.Name, code, errOut)
			}
		})
	}
}
