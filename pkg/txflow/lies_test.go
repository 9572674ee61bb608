package txflow

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

func gweiOf(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e9)) }

func ether(whole int64) *big.Int { return new(big.Int).Mul(big.NewInt(whole), big.NewInt(1e18)) }

// stakeCall stakes value wei with Lido's gas hint.
func stakeCall(value *big.Int) protocol.Call {
	return protocol.Call{Action: "stake", To: target, Value: value, Data: []byte{0xa1, 0x90, 0x3e, 0xab}, GasHint: 120_000,
		Amount: value, Token: protocol.Token{Symbol: "ETH", Decimals: 18, Role: protocol.RoleNative}}
}

// TestPrepareRefusesWhatNoHonestNodeSays: fee data, estimates and nonces
// that a broken or lying node gives are refused before anything is
// simulated further or signed, with the cause named (node: exit 3; input:
// exit 2), while the honest neighbours of each lie pass.
func TestPrepareRefusesWhatNoHonestNodeSays(t *testing.T) {
	sixDecimals := protocol.Token{Symbol: "stSIX", Address: common.Address{0xcc}, Decimals: 6} // a staking token of 6 decimals
	tests := []struct {
		name  string
		chain func(*fakeChain)
		opts  func(*Options)
		calls []protocol.Call
		want  error  // nil: Prepare succeeds
		input bool   // for ErrFeeTooHigh: the user's fault
		msg   string // in the message
	}{
		{name: "honest node", want: nil},
		{name: "base fee of 10,000 gwei", chain: func(c *fakeChain) { c.baseFee = gweiOf(10_000) }, want: ErrFeeTooHigh,
			msg: "max fee 20000.1 gwei per gas (2 × base fee 10000 gwei + priority fee 0.1 gwei) is above the devnet fee cap of 1000 gwei"},
		{name: "base fee just under the cap", chain: func(c *fakeChain) { c.baseFee = gweiOf(499) }, want: nil},
		{name: "tip of 5,000 gwei", chain: func(c *fakeChain) { c.tip = gweiOf(5000) }, want: ErrFeeTooHigh, msg: "priority fee 5000 gwei"},
		{name: "node's tip above --max-fee", chain: func(c *fakeChain) { c.tip = gweiOf(50) },
			opts: func(o *Options) { o.MaxFee = gweiOf(20) }, want: ErrFeeTooHigh, msg: "the node suggests a priority fee of 50 gwei per gas, above --max-fee 20 gwei"},
		{name: "--max-fee below --priority-fee", opts: func(o *Options) { o.MaxFee, o.PriorityFee = gweiOf(2), gweiOf(3) },
			want: ErrFeeTooHigh, input: true, msg: "--max-fee 2 gwei is below --priority-fee 3 gwei"},
		{name: "--priority-fee above the cap", opts: func(o *Options) { o.PriorityFee = gweiOf(2000) }, want: ErrFeeTooHigh, input: true, msg: "above the devnet fee cap"},
		{name: "--max-fee overrides the cap", chain: func(c *fakeChain) { c.baseFee = gweiOf(10_000) },
			opts: func(o *Options) { o.MaxFee = gweiOf(25_000) }, calls: []protocol.Call{stakeCall(ether(1))}, want: nil},
		{name: "no cap configured", chain: func(c *fakeChain) { c.baseFee = gweiOf(10_000) },
			opts: func(o *Options) { o.MaxFeeCap = nil }, calls: []protocol.Call{stakeCall(ether(1))}, want: nil},
		{name: "estimate above the block gas limit", chain: func(c *fakeChain) { c.gas = 30_000_001 }, want: chain.ErrBadResponse,
			msg: "the node estimates 30000001 gas for stake, more than a whole block holds (30000000)"},
		{name: "estimate above 10 × the gas hint", chain: func(c *fakeChain) { c.gas = 1_200_001 }, want: chain.ErrBadResponse,
			msg: "more than 10 × the 120000 it takes"},
		{name: "estimate of exactly 10 × the gas hint", chain: func(c *fakeChain) { c.gas = 1_200_000 }, want: nil},
		{name: "--gas-limit is not second-guessed", chain: func(c *fakeChain) { c.gas = 1_200_001 }, opts: func(o *Options) { o.GasLimit = 200_000 }, want: nil},
		{name: "later step's estimate above the block", chain: func(c *fakeChain) { c.gas = 40_000_000 },
			opts: func(o *Options) { o.GasLimit = 0 }, calls: []protocol.Call{{Action: "approve", To: target, GasHint: 0}, stakeCall(ether(1))},
			want: chain.ErrBadResponse, msg: "more than a whole block holds"},
		{name: "fee 10× the value moved", chain: func(c *fakeChain) { c.gas = 100_000 },
			// max fee 2.1 gwei × 120000 gas = 0.000252 ETH; 10 × 0.0000252 ETH
			calls: []protocol.Call{stakeCall(big.NewInt(25_200_000_000_000))}, want: nil},
		{name: "fee more than 10× the value moved", chain: func(c *fakeChain) { c.gas = 100_000 },
			calls: []protocol.Call{stakeCall(big.NewInt(25_199_999_999_999))}, want: ErrFeeTooHigh, input: true,
			msg: "the max fee of 0.000252 ETH (2.1 gwei per gas) is more than 10 × the 0.000025199999999999 ETH this moves: pass --yes-high-fee"},
		{name: "--yes-high-fee", calls: []protocol.Call{stakeCall(big.NewInt(1))}, opts: func(o *Options) { o.HighFeeOK = true }, want: nil},
		{name: "--max-fee does not lift the ratio check", opts: func(o *Options) { o.MaxFee = gweiOf(3) }, calls: []protocol.Call{stakeCall(big.NewInt(1))},
			want: ErrFeeTooHigh, input: true},
		{name: "tokens count, in their decimals", calls: []protocol.Call{{Action: "transfer", To: target, Amount: big.NewInt(1), Token: sixDecimals, GasHint: 80_000}},
			want: ErrFeeTooHigh, input: true, msg: "more than 10 × the 0.000001 stSIX this moves"}, // 1 unit of 6 decimals, as 0.000001 ETH
		{name: "a call that moves nothing is not compared", calls: []protocol.Call{{Action: "claim", To: target, GasHint: 80_000}}, want: nil},
		{name: "node behind a mined journal entry", chain: func(c *fakeChain) { c.nonceLag = 1 }, want: chain.ErrBadResponse,
			msg: "the node says the next nonce of"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFake(t)
			f, s := setup(t, c)
			c.balance = ether(100)
			f.opts.MaxFeeCap = gweiOf(1000)
			if tt.opts != nil {
				tt.opts(&f.opts)
			}
			// The journal saw nonce 6 mined: a node whose next nonce is 6
			// (nonceLag 1) is behind.
			mined, err := f.journal.Record("devnet", 1337, s.addr, "stake", "d", types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Nonce: 6}))
			if err != nil || f.journal.Update(mined, journal.StateIncluded, 9, "") != nil {
				t.Fatal(err)
			}
			if tt.chain != nil {
				tt.chain(c)
			}
			cs := tt.calls
			if cs == nil {
				cs = []protocol.Call{stakeCall(ether(1))}
			}
			plan, err := f.Prepare(context.Background(), s.addr, cs)
			if tt.want == nil {
				if err != nil || plan == nil {
					t.Fatalf("Prepare: %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var fe *FeeError
			if errors.As(err, &fe) && fe.Input != tt.input {
				t.Errorf("FeeError.Input = %v, want %v", fe.Input, tt.input)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", err, tt.msg)
			}
			if len(c.sent) != 0 {
				t.Errorf("%d transactions sent", len(c.sent))
			}
		})
	}
}

// TestInsufficientFundsBeforeSimulating: more than the balance is said in
// coins, before the node is asked to simulate a call it would refuse with
// "insufficient funds for gas * price + value".
func TestInsufficientFundsBeforeSimulating(t *testing.T) {
	tests := []struct {
		name        string
		balance     *big.Int
		calls       []protocol.Call
		simulations int
		msg         string
	}{
		{"value above the balance", ether(10_000), []protocol.Call{stakeCall(ether(100_000))}, 0,
			"insufficient ETH: have 10000 ETH, need 100000 ETH plus up to 0.000252 ETH in fees (account "},
		{"value above the balance, no gas hint", ether(1), []protocol.Call{{Action: "stake", To: target, Value: ether(2)}}, 0,
			"insufficient ETH: have 1 ETH, need 2 ETH plus fees (account "},
		{"value fits, the fee does not", new(big.Int).Add(ether(1), big.NewInt(1000)), []protocol.Call{stakeCall(ether(1))}, 1,
			"insufficient ETH: have 1.000000000000001 ETH, need 1 ETH plus up to 0.000126 ETH in fees"},
		{"nothing but the fee", big.NewInt(1000), []protocol.Call{{Action: "claim", To: target, GasHint: 60_000}}, 1,
			"insufficient ETH: have 0.000000000000001 ETH, need up to 0.000126 ETH in fees"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFake(t)
			c.balance = tt.balance
			f, s := setup(t, c)
			_, err := f.Prepare(context.Background(), s.addr, tt.calls)
			if !errors.Is(err, ErrInsufficientFunds) {
				t.Fatalf("err = %v, want ErrInsufficientFunds", err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q lacks %q", err, tt.msg)
			}
			if c.simulations != tt.simulations {
				t.Errorf("%d simulations, want %d", c.simulations, tt.simulations)
			}
		})
	}
}

// TestExecuteRechecksTheChain: a node that changes its chain ID after the
// preview gets nothing signed, and the journal stays empty.
func TestExecuteRechecksTheChain(t *testing.T) {
	c := newFake(t)
	f, s := setup(t, c)
	plan, err := f.Prepare(context.Background(), s.addr, calls(1))
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.chainID = 1
	c.mu.Unlock()
	signed := false
	res, err := f.Execute(context.Background(), plan, s, Hooks{Signing: func(int, *Step) { signed = true }})
	if !errors.Is(err, ErrWrongChain) || len(res) != 0 {
		t.Fatalf("Execute = %v, %v; want ErrWrongChain and no result", res, err)
	}
	entries, _ := f.journal.List(0)
	if signed || len(c.sent) != 0 || len(entries) != 0 {
		t.Errorf("signing started %v, sent %d, journal %d entries; want nothing", signed, len(c.sent), len(entries))
	}
}

// scriptedWait answers Wait's two questions from scripts.
type scriptedWait struct {
	fakeChain
	receipt func(n int) (*types.Receipt, error)
	head    func(n int) uint64
	nr, nh  int
}

func (w *scriptedWait) TransactionReceipt(context.Context, common.Hash) (*types.Receipt, error) {
	w.nr++
	return w.receipt(w.nr)
}

func (w *scriptedWait) BlockNumber(context.Context) (uint64, error) {
	w.nh++
	return w.head(w.nh), nil
}

// TestWaitBelievesOnlyConsistentAnswers: confirmations are counted only
// against a head at or past the receipt's block that never went back, and
// only for a receipt of the transaction asked about.
func TestWaitBelievesOnlyConsistentAnswers(t *testing.T) {
	hash := common.HexToHash("0x7a11")
	receiptIn := func(h common.Hash, block int64) *types.Receipt {
		return &types.Receipt{TxHash: h, BlockNumber: big.NewInt(block), Status: types.ReceiptStatusSuccessful}
	}
	ours := func(int) (*types.Receipt, error) { return receiptIn(hash, 20), nil }
	tests := []struct {
		name    string
		receipt func(n int) (*types.Receipt, error)
		head    func(n int) uint64
		confs   uint64
		last    string // "" = a receipt comes back
	}{
		{"honest, 3 confirmations", ours, func(n int) uint64 { return 19 + uint64(n) }, 3, ""},
		{"receipt of another transaction", func(int) (*types.Receipt, error) { return receiptIn(common.HexToHash("0xbad"), 20), nil },
			func(int) uint64 { return 30 }, 1, "got that of 0x" + strings.Repeat("0", 61) + "bad"},
		{"receipt without a block", func(int) (*types.Receipt, error) { return &types.Receipt{TxHash: hash}, nil },
			func(int) uint64 { return 30 }, 1, "without a block number"},
		{"head below the receipt's block", ours, func(int) uint64 { return 12 }, 1, "block number 12 is below the receipt's block 20"},
		// 21, then back to 20, 19, …: never 22 (3 confirmations) again.
		{"head going back", ours, func(n int) uint64 { return 22 - uint64(min(n, 21)) }, 3, "went back from 21 to"},
		// 21 (two confirmations of three), then 20: the fall is not
		// believed, and the wait goes on.
		{"head falling after a jump", ours, func(n int) uint64 {
			if n == 1 {
				return 21
			}
			return 20
		}, 3, "went back from 21 to 20"},
		{"a bad answer from pkg/chain", func(int) (*types.Receipt, error) {
			return nil, errors.New("invalid answer from the RPC: asked for the receipt of X, got that of Y")
		}, func(int) uint64 { return 30 }, 1, "got that of Y"},
		{"not found is not trouble", func(int) (*types.Receipt, error) { return nil, ethereum.NotFound }, func(int) uint64 { return 30 }, 1, "<nil>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := &scriptedWait{fakeChain: *newFake(t), receipt: tt.receipt, head: tt.head}
			f := New(w, nil, Options{Network: "devnet", ChainID: big.NewInt(1337), Confirmations: tt.confs,
				Timeout: 150 * time.Millisecond, PollInterval: 5 * time.Millisecond})
			r, err := f.Wait(context.Background(), hash)
			if tt.last == "" {
				if err != nil || r == nil || r.TxHash != hash {
					t.Fatalf("Wait = %v, %v; want our receipt", r, err)
				}
				return
			}
			var te *TimeoutError
			if r != nil || !errors.As(err, &te) || !errors.Is(err, ErrTimeout) {
				t.Fatalf("Wait = %v, %v; want a *TimeoutError", r, err)
			}
			if got := fmtErr(te.Last); !strings.Contains(got, tt.last) {
				t.Errorf("last trouble %q, want %q", got, tt.last)
			}
			if !strings.Contains(err.Error(), "do not resubmit") {
				t.Errorf("message %q lacks the do-not-resubmit warning", err)
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
