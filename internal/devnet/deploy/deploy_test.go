package deploy

import (
	"encoding/json"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
)

func testDeployment() contracts.Deployment {
	return contracts.Deployment{
		StETH:           common.HexToAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3"),
		WstETH:          common.HexToAddress("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512"),
		WithdrawalQueue: common.HexToAddress("0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0"),
		Locator:         common.HexToAddress("0xcf7ed3acca5a467e9e704c703e8d87f634fb0fc9"),
	}
}

func TestNetworkTOML(t *testing.T) {
	n, err := NewNetwork("local", 31337, []string{"http://127.0.0.1:8545"}, testDeployment())
	if err != nil {
		t.Fatal(err)
	}
	// The format of the stakewallet config file, addresses checksummed.
	want := `[networks.local]
chain-id = 31337
rpc-urls = ["http://127.0.0.1:8545"]
default-protocol = "lido"

[networks.local.protocols.lido]
steth = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
wsteth = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"
withdrawalQueue = "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"
locator = "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"
`
	if got := n.TOML(); got != want {
		t.Errorf("TOML:\n%s\nwant:\n%s", got, want)
	}
}

func TestNetworkJSON(t *testing.T) {
	n, err := NewNetwork("local", 31337, []string{"http://127.0.0.1:8545", "ws://127.0.0.1:8546"}, testDeployment())
	if err != nil {
		t.Fatal(err)
	}
	out, err := n.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	lido := got["protocols"].(map[string]any)["lido"].(map[string]any)
	tests := []struct {
		key  string
		got  any
		want any
	}{
		{"name", got["name"], "local"},
		{"chainId", got["chainId"], float64(31337)},
		{"rpcUrls", len(got["rpcUrls"].([]any)), 2},
		{"steth", lido["steth"], "0x5FbDB2315678afecb367f032d93F642f64180aa3"},
		{"wsteth", lido["wsteth"], "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512"},
		{"withdrawalQueue", lido["withdrawalQueue"], "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0"},
		{"locator", lido["locator"], "0xCf7Ed3AccA5a467e9e704C703E8D87F634fB0Fc9"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.key, tt.got, tt.want)
		}
	}
}

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		ok   bool
	}{
		{"local", true},
		{"anvil-2", true},
		{"my_net", true},
		{"", false},
		{"a b", false},
		{"a.b", false},
		{`a"b`, false},
	}
	for _, tt := range tests {
		if err := ValidName(tt.name); (err == nil) != tt.ok {
			t.Errorf("ValidName(%q) = %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
