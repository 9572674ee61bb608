package txcmd

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// TestFlowFeeOptions: Flow hands the network's fee cap, --max-fee,
// --yes-high-fee and the native coin to pkg/txflow, and the refusals map to
// their exit codes. A dry run refuses what the real run would.
func TestFlowFeeOptions(t *testing.T) {
	gwei := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e9)) }
	tests := []struct {
		name    string
		baseFee *big.Int
		value   *big.Int
		flags   func(*cmdutil.TxFlags)
		code    int // 0: the plan is built
		kind    string
		msg     string
	}{
		{"devnet's default cap", gwei(10_000), clitest.Ether(1), nil, cmdutil.ExitRPC, "fee_too_high",
			"max fee 20001 gwei per gas (2 × base fee 10000 gwei + priority fee 1 gwei) is above the devnet fee cap of 1000 gwei"},
		{"--max-fee overrides the cap", gwei(10_000), clitest.Ether(1), func(f *cmdutil.TxFlags) { f.MaxFee = "25000" }, 0, "", ""},
		{"under the cap", gwei(400), clitest.Ether(1), nil, 0, "", ""},
		{"fee 10× the value", gwei(1), big.NewInt(1e9), nil, cmdutil.ExitBadInput, "fee_too_high",
			"is more than 10 × the 0.000000001 ETH this moves: pass --yes-high-fee"},
		{"--yes-high-fee", gwei(1), big.NewInt(1e9), func(f *cmdutil.TxFlags) { f.YesHighFee = true }, 0, "", ""},
		{"in coins, not wei", gwei(1), clitest.Ether(1000), nil, cmdutil.ExitBadInput, "insufficient_funds",
			"insufficient ETH: have 100 ETH, need 1000 ETH plus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			e.Node.SetBaseFee(tt.baseFee)
			tx := cmdutil.DefaultTxFlags()
			tx.DryRun = true
			if tt.flags != nil {
				tt.flags(&tx)
			}
			ctx := context.Background()
			env, err := Setup(ctx, DepsFrom(e.F), true, tx)
			if err != nil {
				t.Fatal(err)
			}
			defer env.Close()
			call := protocol.Call{Action: "transfer", Description: "send", To: e.Bob, Value: tt.value, GasHint: 21_000}
			_, err = env.Run(ctx, &Request{Action: "send", Title: "Send", Calls: []protocol.Call{call}, Amount: tt.value})
			if tt.code == 0 {
				if err != nil {
					t.Fatalf("Run: %v", err)
				}
				return
			}
			code, kind := cmdutil.Classify(err)
			if code != tt.code || kind != tt.kind || !strings.Contains(fmtErr(err), tt.msg) {
				t.Errorf("err %v: exit %d %s; want %d %s, %q", err, code, kind, tt.code, tt.kind, tt.msg)
			}
			if tt.kind == "fee_too_high" && !errors.Is(err, txflow.ErrFeeTooHigh) {
				t.Errorf("err %v is not ErrFeeTooHigh", err)
			}
			if len(e.Node.Sent()) != 0 {
				t.Errorf("%d transactions sent", len(e.Node.Sent()))
			}
		})
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
