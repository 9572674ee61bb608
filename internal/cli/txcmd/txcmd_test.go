package txcmd

import (
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"sort"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

func keysOf(t *testing.T, v any) []string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestTxDocJSON: the three shapes a transaction takes in a document.
func TestTxDocJSON(t *testing.T) {
	n, gas, est := uint64(4), uint64(21000), true
	tests := []struct {
		name string
		doc  TxDoc
		want string
	}{
		{"sent, not mined: blockNumber is null", TxDoc{Action: "stake", Description: "d", Status: "pending", TxHash: "0x01"},
			"action blockNumber description status txHash"},
		{"mined", TxDoc{Action: "stake", Description: "d", Status: "success", TxHash: "0x01", BlockNumber: &n, GasUsed: &gas, EffectiveGasPrice: "7", Events: nil},
			"action blockNumber description effectiveGasPrice events gasUsed status txHash"},
		{"unsigned: no blockNumber", TxDoc{Action: "stake", Description: "d", Status: "unsigned", To: "0x02", Value: "0", Data: "0x", Nonce: &n, GasLimit: &gas, GasEstimated: &est, MaxFeePerGas: "9", MaxPriorityFeePerGas: "1"},
			"action data description gasEstimated gasLimit maxFeePerGas maxPriorityFeePerGas nonce status to value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := strings.Join(keysOf(t, tt.doc), " "); got != tt.want {
				t.Errorf("keys = %s\nwant   %s", got, tt.want)
			}
		})
	}
	data, _ := json.Marshal(TxDoc{Status: "pending", TxHash: "0x01"})
	if !strings.Contains(string(data), `"blockNumber":null`) {
		t.Errorf("pending transaction: %s", data)
	}
	data, _ = json.Marshal(TxDoc{Status: "success", TxHash: "0x01", BlockNumber: &n})
	if !strings.Contains(string(data), `"events":[]`) {
		t.Errorf("mined transaction without logs: %s", data)
	}
}

func TestTokenAmountHuman(t *testing.T) {
	tok := protocol.Token{Symbol: "stETH", Decimals: 18, Address: common.HexToAddress("0x11")}
	a := NewTokenAmount(big.NewInt(1_500_000_000_000_000_000), tok)
	if a.Human() != "1.5 stETH" || a.Amount != "1500000000000000000" || a.Token != tok.Address.Hex() || a.Decimals != 18 {
		t.Errorf("%+v → %q", a, a.Human())
	}
	var nilAmount *TokenAmount
	if nilAmount.Human() != "" {
		t.Error("a missing amount renders")
	}
}

// TestSetupOrder: a bad signer fails before the RPC is dialled, and no key
// is opened by Setup.
func TestSetupOrder(t *testing.T) {
	dialled := false
	net := &config.Network{Name: "devnet", ChainID: 1337, NativeSymbol: "ETH", NativeDecimals: 18}
	d := Deps{
		Network: func() (*config.Network, error) { return net, nil },
		Account: func(context.Context) (*signer.Lazy, error) { return nil, cmdutil.BadInputf("unknown signer") },
		Chain:   func(context.Context) (cmdutil.Chain, error) { dialled = true; return nil, errors.New("dialled") },
	}
	_, err := Setup(context.Background(), d, false, cmdutil.DefaultTxFlags())
	if code, _ := cmdutil.Classify(err); code != cmdutil.ExitBadInput || dialled {
		t.Errorf("err %v, dialled %v", err, dialled)
	}
	opened := false
	d.Account = func(context.Context) (*signer.Lazy, error) {
		return signer.NewLazy(common.HexToAddress("0xaa"), "keystore:test", func(context.Context) (signer.Signer, error) {
			opened = true
			return nil, errors.New("opened")
		}), nil
	}
	d.Chain = func(context.Context) (cmdutil.Chain, error) { return nil, errors.New("no node here") }
	if _, err := Setup(context.Background(), d, false, cmdutil.DefaultTxFlags()); err == nil || opened {
		t.Errorf("err %v, key opened %v", err, opened)
	}
	tx := cmdutil.DefaultTxFlags()
	tx.Confirmations = 0
	if _, err := Setup(context.Background(), d, false, tx); err == nil || !strings.Contains(err.Error(), "confirmations") {
		t.Errorf("zero confirmations: %v", err)
	}
}

// TestRunDryRunAndNoOp: a dry run returns the unsigned plan with fees and
// sends nothing; NoOp has the same head with no transactions.
func TestRunDryRunAndNoOp(t *testing.T) {
	e := clitest.NewEnv(t, "")
	tx := cmdutil.DefaultTxFlags()
	tx.DryRun = true
	tx.YesHighFee = true // it moves 1 wei: any fee is more than 10 × that
	ctx := context.Background()
	env, err := Setup(ctx, DepsFrom(e.F), true, tx)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	call := protocol.Call{Action: "transfer", Description: "send 1 wei", To: e.Bob, Value: big.NewInt(1)}
	res, err := env.Run(ctx, &Request{Action: "send", Title: "Send", Calls: []protocol.Call{call}, Amount: big.NewInt(1),
		After: func(context.Context, []*types.Receipt) error { t.Error("After ran on a dry run"); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(keysOf(t, res), " ")
	if want := "action amount chainId decimals dryRun estimatedFee from maxFee network symbol transactions"; got != want {
		t.Errorf("keys = %s\nwant   %s", got, want)
	}
	if !res.DryRun || len(res.Transactions) != 1 || res.Transactions[0].Status != "unsigned" || res.Symbol != "ETH" || len(e.Node.Sent()) != 0 || env.Signer.IsOpen() {
		t.Errorf("result %+v, %d sent, key open %v", res, len(e.Node.Sent()), env.Signer.IsOpen())
	}
	noop := env.NoOp("claim")
	if got := strings.Join(keysOf(t, noop), " "); got != "action chainId from network transactions" || noop.Sent() {
		t.Errorf("no-op keys = %s", got)
	}
}
