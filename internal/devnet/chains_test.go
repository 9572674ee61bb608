package devnet_test

import (
	"bytes"
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/devnet/models"
)

// wantChains is the fixed chain table of issue 11: name, chain id, native
// coin, default port.
var wantChains = []devnet.Chain{
	{Name: "devnet", ChainID: 1337, Native: "ETH", DefaultHTTPAddr: "127.0.0.1:8545"},
	{Name: "devnet-avalanche", ChainID: 43112, Native: "AVAX", DefaultHTTPAddr: "127.0.0.1:8546"},
	{Name: "devnet-sonic", ChainID: 4003, Native: "S", DefaultHTTPAddr: "127.0.0.1:8547"},
	{Name: "devnet-bsc", ChainID: 714, Native: "BNB", DefaultHTTPAddr: "127.0.0.1:8548"},
}

func TestChainTable(t *testing.T) {
	got := devnet.Chains()
	if len(got) != len(wantChains) {
		t.Fatalf("%d chains, want %d: %+v", len(got), len(wantChains), got)
	}
	for i, want := range wantChains {
		if got[i] != want {
			t.Errorf("chain %d = %+v, want %+v", i, got[i], want)
		}
		c, err := devnet.LookupChain(want.Name)
		if err != nil || c != want {
			t.Errorf("LookupChain(%q) = %+v, %v", want.Name, c, err)
		}
	}
	if c, err := devnet.LookupChain(""); err != nil || c.Name != "devnet" {
		t.Errorf(`LookupChain("") = %+v, %v; want the devnet`, c, err)
	}
	_, err := devnet.LookupChain("devnet-moon")
	if err == nil {
		t.Fatal("devnet-moon is not a chain")
	}
	for _, c := range wantChains {
		if !strings.Contains(err.Error(), c.Name) {
			t.Errorf("unknown-chain error %q does not list %s", err, c.Name)
		}
	}
}

// TestGenesisPerChain: every chain's genesis is a pure function (same hash
// twice), has the chain's id, the funded accounts, Multicall3's code at its
// canonical address, and the chain's models at their fixed addresses; ENS
// only on "devnet".
func TestGenesisPerChain(t *testing.T) {
	mc, err := contracts.Load(devnet.NameMulticall3)
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[common.Hash]string{}
	for _, ch := range wantChains {
		t.Run(ch.Name, func(t *testing.T) {
			first, err := devnet.GenesisHashFor(ch.Name)
			if err != nil {
				t.Fatal(err)
			}
			second, err := devnet.GenesisHashFor(ch.Name)
			if err != nil {
				t.Fatal(err)
			}
			if first != second {
				t.Fatalf("genesis hash changed between builds: %s then %s", first, second)
			}
			if other, dup := hashes[first]; dup {
				t.Errorf("same genesis hash as %s", other)
			}
			hashes[first] = ch.Name

			cg, err := devnet.GenesisFor(ch.Name)
			if err != nil {
				t.Fatal(err)
			}
			g := cg.Genesis
			if got := g.Config.ChainID.Uint64(); got != ch.ChainID {
				t.Errorf("chain id %d, want %d", got, ch.ChainID)
			}
			if cg.Chain != ch {
				t.Errorf("chain %+v, want %+v", cg.Chain, ch)
			}
			for _, acc := range devkeys.TestAccounts() {
				if got := g.Alloc[acc.Address].Balance; got == nil || got.Cmp(devnet.TestAccountBalance()) != 0 {
					t.Errorf("test account %d balance %v", acc.Index, got)
				}
			}
			if got := g.Alloc[devkeys.Oracle().Address].Balance; got == nil || got.Cmp(devnet.OracleBalance()) != 0 {
				t.Errorf("oracle balance %v, want %v", got, devnet.OracleBalance())
			}
			if code := g.Alloc[devnet.Multicall3Address].Code; !bytes.Equal(code, mc.DeployedBytecode) {
				t.Errorf("Multicall3 code at %s: %d bytes, want the artifact's %d", devnet.Multicall3Address.Hex(), len(code), len(mc.DeployedBytecode))
			}
			_, hasENS := g.Alloc[devnet.FixedENS().Registry]
			if hasENS != (ch.Name == "devnet") {
				t.Errorf("ENS registry in genesis: %v", hasENS)
			}
			ms := models.ForChain(ch.Name)
			if len(cg.Models) != len(ms) {
				t.Errorf("%d models in genesis, models.ForChain has %d", len(cg.Models), len(ms))
			}
			for _, m := range ms {
				for name, addr := range m.Fixed() {
					if len(g.Alloc[addr].Code) == 0 {
						t.Errorf("model %s: no code for %s at %s", m.Name(), name, addr.Hex())
					}
				}
				if len(cg.Deployments[m.Name()]) == 0 {
					t.Errorf("model %s: no addresses by role", m.Name())
				}
			}
		})
	}
}

// Multicall3's selectors, from the dispatcher of the canonical deployment's
// runtime code at 0xcA11bde05977b3631167028862bE2a173976CA11 (mds1/multicall
// src/Multicall3.sol): the model's ABI must have exactly these.
var multicall3Selectors = map[string]string{
	"aggregate((address,bytes)[])":                    "252dba42",
	"aggregate3((address,bool,bytes)[])":              "82ad56cb",
	"aggregate3Value((address,bool,uint256,bytes)[])": "174dea71",
	"blockAndAggregate((address,bytes)[])":            "c3077fa9",
	"getBasefee()":                                    "3e64a696",
	"getBlockHash(uint256)":                           "ee82ac5e",
	"getBlockNumber()":                                "42cbb15c",
	"getChainId()":                                    "3408e470",
	"getCurrentBlockCoinbase()":                       "a8b0574e",
	"getCurrentBlockDifficulty()":                     "72425d9d",
	"getCurrentBlockGasLimit()":                       "86d516e8",
	"getCurrentBlockTimestamp()":                      "0f28c97d",
	"getEthBalance(address)":                          "4d2301cc",
	"getLastBlockHash()":                              "27e86d6e",
	"tryAggregate(bool,(address,bytes)[])":            "bce38bd7",
	"tryBlockAndAggregate(bool,(address,bytes)[])":    "399542e9",
}

func TestMulticall3Selectors(t *testing.T) {
	mc, err := contracts.Load(devnet.NameMulticall3)
	if err != nil {
		t.Fatal(err)
	}
	if len(mc.ABI.Methods) != len(multicall3Selectors) {
		t.Errorf("Multicall3 has %d functions, the real one %d", len(mc.ABI.Methods), len(multicall3Selectors))
	}
	for _, m := range mc.ABI.Methods {
		want, ok := multicall3Selectors[m.Sig]
		if !ok {
			t.Errorf("function %s is not Multicall3's", m.Sig)
			continue
		}
		if got := common.Bytes2Hex(m.ID); got != want {
			t.Errorf("%s selector %s, want %s", m.Sig, got, want)
		}
	}
	// The runtime code dispatches on every selector of the real one.
	for sig, sel := range multicall3Selectors {
		if !bytes.Contains(mc.DeployedBytecode, append([]byte{0x63}, common.Hex2Bytes(sel)...)) {
			t.Errorf("runtime code does not dispatch %s (PUSH4 %s)", sig, sel)
		}
	}
}

// TestAllChainsStart starts every chain at once: each answers with its
// chain id, holds Multicall3, and Multicall3's aggregate3 batches reads
// there (a balance, the chain id, and a call that fails but is allowed to).
func TestAllChainsStart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var cfgs []devnet.Config
	for _, ch := range wantChains {
		cfgs = append(cfgs, devnet.Config{Chain: ch.Name, HTTPAddr: "127.0.0.1:0", DisableOracle: true})
	}
	g, err := devnet.StartChains(ctx, cfgs)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	ds := g.Devnets()
	if len(ds) != len(wantChains) {
		t.Fatalf("%d devnets running, want %d", len(ds), len(wantChains))
	}
	mc, err := contracts.Load(devnet.NameMulticall3)
	if err != nil {
		t.Fatal(err)
	}
	acc0 := devkeys.TestAccounts()[0].Address
	seenURL := map[string]bool{}
	for i, ch := range wantChains {
		d := ds[i]
		if d.Chain() != ch || d.Native() != ch.Native || d.ChainID().Uint64() != ch.ChainID || g.Chain(ch.Name) != d {
			t.Errorf("devnet %d reports %+v / %s / %v, want %+v", i, d.Chain(), d.Native(), d.ChainID(), ch)
		}
		if seenURL[d.HTTPEndpoint()] {
			t.Errorf("%s shares the endpoint %s", ch.Name, d.HTTPEndpoint())
		}
		seenURL[d.HTTPEndpoint()] = true
		client, err := ethclient.DialContext(ctx, d.HTTPEndpoint())
		if err != nil {
			t.Fatal(err)
		}
		defer client.Close()
		id, err := client.ChainID(ctx)
		if err != nil || id.Uint64() != ch.ChainID {
			t.Errorf("%s: eth_chainId = %v, %v; want %d", ch.Name, id, err, ch.ChainID)
		}
		code, err := client.CodeAt(ctx, devnet.Multicall3Address, nil)
		if err != nil || !bytes.Equal(code, mc.DeployedBytecode) {
			t.Errorf("%s: Multicall3 code %d bytes, %v", ch.Name, len(code), err)
		}

		balance, chainID, failed := aggregate3(t, ctx, client, &mc.ABI, acc0)
		if balance.Cmp(devnet.TestAccountBalance()) != 0 {
			t.Errorf("%s: getEthBalance(account 0) through aggregate3 = %s, want %s", ch.Name, balance, devnet.TestAccountBalance())
		}
		if chainID.Uint64() != ch.ChainID {
			t.Errorf("%s: getChainId through aggregate3 = %s", ch.Name, chainID)
		}
		if !failed {
			t.Errorf("%s: an unknown selector must fail inside aggregate3", ch.Name)
		}
	}
}

// aggregate3 batches getEthBalance(acc), getChainId() and an unknown
// selector (allowed to fail) through Multicall3 in one eth_call.
func aggregate3(t *testing.T, ctx context.Context, client *ethclient.Client, mc *abi.ABI, acc common.Address) (balance, chainID *big.Int, unknownFailed bool) {
	t.Helper()
	type call3 struct {
		Target       common.Address
		AllowFailure bool
		CallData     []byte
	}
	balData, err := mc.Pack("getEthBalance", acc)
	if err != nil {
		t.Fatal(err)
	}
	idData, err := mc.Pack("getChainId")
	if err != nil {
		t.Fatal(err)
	}
	calls := []call3{
		{devnet.Multicall3Address, false, balData},
		{devnet.Multicall3Address, false, idData},
		{devnet.Multicall3Address, true, []byte{0xde, 0xad, 0xbe, 0xef}},
	}
	data, err := mc.Pack("aggregate3", calls)
	if err != nil {
		t.Fatal(err)
	}
	if got := common.Bytes2Hex(data[:4]); got != "82ad56cb" {
		t.Fatalf("aggregate3 calldata starts %s", got)
	}
	out, err := callContract(ctx, client, devnet.Multicall3Address, data)
	if err != nil {
		t.Fatalf("aggregate3: %v", err)
	}
	res, err := mc.Unpack("aggregate3", out)
	if err != nil {
		t.Fatal(err)
	}
	results := res[0].([]struct {
		Success    bool   `json:"success"`
		ReturnData []byte `json:"returnData"`
	})
	if len(results) != 3 || !results[0].Success || !results[1].Success {
		t.Fatalf("aggregate3 results %+v", results)
	}
	return new(big.Int).SetBytes(results[0].ReturnData), new(big.Int).SetBytes(results[1].ReturnData), !results[2].Success
}

func TestStartRefusesUnknownChain(t *testing.T) {
	_, err := devnet.Start(context.Background(), devnet.Config{Chain: "devnet-moon"})
	var ce *devnet.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "devnet-avalanche") {
		t.Errorf("Start with an unknown chain: %v; want a ConfigError listing the chains", err)
	}
	_, err = devnet.StartChains(context.Background(), []devnet.Config{{Chain: "devnet"}, {Chain: ""}})
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "twice") {
		t.Errorf("StartChains with devnet twice: %v", err)
	}
}

func TestHTTPAddrs(t *testing.T) {
	all := devnet.ChainNames()
	tests := []struct {
		name    string
		http    string
		chains  []string
		want    []string
		wantErr string
	}{
		{"defaults", "", all, []string{"127.0.0.1:8545", "127.0.0.1:8546", "127.0.0.1:8547", "127.0.0.1:8548"}, ""},
		{"defaults follow the chain, not its position", "", []string{"devnet-sonic", "devnet"}, []string{"127.0.0.1:8547", "127.0.0.1:8545"}, ""},
		{"next ports", "127.0.0.1:9000", all, []string{"127.0.0.1:9000", "127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"}, ""},
		{"next ports in --chains order", "localhost:18545", []string{"devnet-avalanche", "devnet"}, []string{"localhost:18545", "localhost:18546"}, ""},
		{"ipv6 loopback", "[::1]:8600", []string{"devnet", "devnet-sonic"}, []string{"[::1]:8600", "[::1]:8601"}, ""},
		{"port 0 for each", "127.0.0.1:0", all, []string{"127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"}, ""},
		{"single chain", "127.0.0.1:7000", []string{"devnet-sonic"}, []string{"127.0.0.1:7000"}, ""},
		{"past the last port", "127.0.0.1:65535", all, nil, "past 65535"},
		{"not loopback", "0.0.0.0:8545", all, nil, "loopback"},
		{"unknown chain", "", []string{"devnet-moon"}, nil, "devnet-sonic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := devnet.HTTPAddrs(tt.http, tt.chains)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("HTTPAddrs(%q, %v) = %v, %v; want %v", tt.http, tt.chains, got, err, tt.want)
			}
		})
	}
}

// callContract is one eth_call at the latest block.
func callContract(ctx context.Context, client *ethclient.Client, to common.Address, data []byte) ([]byte, error) {
	return client.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
}
