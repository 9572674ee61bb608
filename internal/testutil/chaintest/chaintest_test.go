package chaintest_test

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/testutil/chaintest"
	"github.com/stakewallet/stakewallet/pkg/chain"
)

const chainID = 1337

const storeJSON = `[
 {"type":"function","name":"get","stateMutability":"view","inputs":[{"name":"k","type":"uint256"}],"outputs":[{"name":"","type":"uint256"}]},
 {"type":"function","name":"set","stateMutability":"payable","inputs":[{"name":"k","type":"uint256"},{"name":"v","type":"uint256"}],"outputs":[]},
 {"type":"function","name":"forgotten","stateMutability":"view","inputs":[],"outputs":[]},
 {"type":"event","name":"Set","inputs":[{"name":"k","type":"uint256","indexed":true},{"name":"by","type":"address","indexed":true},{"name":"v","type":"uint256","indexed":false}]},
 {"type":"error","name":"TooBig","inputs":[{"name":"v","type":"uint256"},{"name":"max","type":"uint256"}]}
]`

var (
	storeABI  = mustABI(storeJSON)
	storeAddr = common.HexToAddress("0x5700000000000000000000000000000000000001")
)

func mustABI(s string) *abi.ABI {
	a, err := abi.JSON(strings.NewReader(s))
	if err != nil {
		panic(err)
	}
	return &a
}

// installStore registers a key-value contract: get reverts NO_KEY for an
// unset key, set reverts ZERO for 0 and TooBig above 1000, and emits Set.
func installStore(node *chaintest.Node) {
	values := map[string]*big.Int{} // only touched by handlers, under the node's lock
	node.Handle(storeAddr, storeABI, "get", func(c *chaintest.Ctx, args []any) ([]any, error) {
		v, ok := values[args[0].(*big.Int).String()]
		if !ok {
			return nil, chaintest.RevertString("NO_KEY")
		}
		return []any{v}, nil
	})
	node.Handle(storeAddr, storeABI, "set", func(c *chaintest.Ctx, args []any) ([]any, error) {
		k, v := args[0].(*big.Int), args[1].(*big.Int)
		switch {
		case v.Sign() == 0:
			return nil, chaintest.RevertString("ZERO")
		case v.Cmp(big.NewInt(1000)) > 0:
			return nil, chaintest.RevertCustom(storeABI, "TooBig", v, big.NewInt(1000))
		}
		c.Emit(storeAddr, storeABI, "Set", k, c.From, v)
		c.Commit(func() { values[k.String()] = v })
		return nil, nil
	})
}

func setup(t *testing.T) (*chaintest.Node, *chain.Client) {
	t.Helper()
	node := chaintest.New(t, chainID)
	installStore(node)
	client, err := chain.Dial(context.Background(), []string{node.URL()}, chain.Options{ChainID: chainID, Network: "devnet", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	return node, client
}

func pack(t *testing.T, method string, args ...any) []byte {
	t.Helper()
	data, err := storeABI.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func newKey(t *testing.T) (*ecdsa.PrivateKey, common.Address) {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key, crypto.PubkeyToAddress(key.PublicKey)
}

func sign(t *testing.T, key *ecdsa.PrivateKey, id int64, tx types.TxData) *types.Transaction {
	t.Helper()
	signed, err := types.SignNewTx(key, types.LatestSignerForChainID(big.NewInt(id)), tx)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

func gwei(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(params.GWei)) }

func TestDialChecksChainID(t *testing.T) {
	node := chaintest.New(t, chainID)
	tests := []struct {
		name    string
		want    uint64
		wrongID bool
	}{
		{"same chain", chainID, false},
		{"other chain", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client, err := chain.Dial(context.Background(), []string{node.URL()}, chain.Options{ChainID: tt.want, Network: "devnet"})
			var wrong *chain.WrongChainError
			if got := errors.As(err, &wrong); got != tt.wrongID {
				t.Fatalf("Dial: %v, want WrongChainError: %v", err, tt.wrongID)
			}
			if err == nil {
				defer client.Close()
				id, err := client.ChainID(context.Background())
				if err != nil || id.Uint64() != chainID {
					t.Errorf("ChainID = %v, %v; want %d", id, err, chainID)
				}
			}
		})
	}
}

func TestHeadersAndFees(t *testing.T) {
	node, client := setup(t)
	ctx := context.Background()
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	node.SetTime(at)
	node.Mine(2)
	node.SetBaseFee(gwei(7))
	node.SetTip(gwei(2))

	for _, num := range []*big.Int{nil, big.NewInt(int64(rpc.PendingBlockNumber)), big.NewInt(2)} {
		h, err := client.HeaderByNumber(ctx, num)
		if err != nil {
			t.Fatalf("HeaderByNumber(%v): %v", num, err)
		}
		if h.Number.Uint64() != 2 || h.Time != uint64(at.Add(2*chaintest.BlockTime).Unix()) || h.BaseFee.Cmp(gwei(7)) != 0 {
			t.Errorf("HeaderByNumber(%v) = number %v time %d base fee %v", num, h.Number, h.Time, h.BaseFee)
		}
		// The hash the node serves must be the one go-ethereum computes,
		// or receipt waits would take every block for reorged.
		rc, err := rpc.Dial(node.URL())
		if err != nil {
			t.Fatal(err)
		}
		var served struct{ Hash common.Hash }
		if err := rc.Call(&served, "eth_getBlockByNumber", "0x2", false); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if served.Hash != h.Hash() {
			t.Errorf("served hash %s, computed %s", served.Hash, h.Hash())
		}
	}
	if _, err := client.HeaderByNumber(ctx, big.NewInt(3)); !errors.Is(err, ethereum.NotFound) {
		t.Errorf("header beyond the head: %v, want NotFound", err)
	}
	if tip, err := client.SuggestGasTipCap(ctx); err != nil || tip.Cmp(gwei(2)) != 0 {
		t.Errorf("SuggestGasTipCap = %v, %v", tip, err)
	}
	fh, err := client.FeeHistory(ctx, 10, nil, []float64{50})
	if err != nil {
		t.Fatal(err)
	}
	if fh.OldestBlock.Uint64() != 0 || len(fh.BaseFee) != 4 || len(fh.Reward) != 3 || fh.Reward[2][0].Cmp(gwei(2)) != 0 {
		t.Errorf("FeeHistory = oldest %v, %d base fees, rewards %v", fh.OldestBlock, len(fh.BaseFee), fh.Reward)
	}
}

func TestBatchIsOneRequest(t *testing.T) {
	node, client := setup(t)
	ctx := context.Background()
	key, alice := newKey(t)
	node.SetBalance(alice, big.NewInt(params.Ether))
	for k := int64(1); k <= 3; k++ {
		tx := sign(t, key, chainID, &types.DynamicFeeTx{Nonce: uint64(k - 1), GasTipCap: gwei(1), GasFeeCap: gwei(3),
			Gas: 100_000, To: &storeAddr, Data: pack(t, "set", big.NewInt(k), big.NewInt(k*10))})
		if err := client.SendTransaction(ctx, tx); err != nil {
			t.Fatal(err)
		}
	}
	var msgs []ethereum.CallMsg
	for k := int64(1); k <= 4; k++ {
		msgs = append(msgs, ethereum.CallMsg{To: &storeAddr, Data: pack(t, "get", big.NewInt(k))})
	}
	node.ResetCounters()
	results, errs := client.BatchCallContract(ctx, msgs, nil)

	if got := node.Requests(); got != 1 {
		t.Errorf("Requests() = %d, want 1", got)
	}
	if got, want := node.Calls(), slices.Repeat([]string{"eth_call"}, 4); !slices.Equal(got, want) {
		t.Errorf("Calls() = %v, want %v", got, want)
	}
	for k := int64(1); k <= 3; k++ {
		if errs[k-1] != nil || new(big.Int).SetBytes(results[k-1]).Int64() != k*10 {
			t.Errorf("get(%d) = %x, %v; want %d", k, results[k-1], errs[k-1], k*10)
		}
	}
	var de rpc.DataError
	if !errors.As(errs[3], &de) || !strings.Contains(errs[3].Error(), "NO_KEY") {
		t.Errorf("get(4) error = %v, want a NO_KEY revert with data", errs[3])
	}
}

func TestRevertData(t *testing.T) {
	_, client := setup(t)
	ctx := context.Background()
	tests := []struct {
		name    string
		v       int64
		message string
		check   func(t *testing.T, data []byte)
	}{
		{"Error(string)", 0, "execution reverted: ZERO", func(t *testing.T, data []byte) {
			if reason, err := abi.UnpackRevert(data); err != nil || reason != "ZERO" {
				t.Errorf("UnpackRevert = %q, %v", reason, err)
			}
		}},
		{"custom error", 5000, "execution reverted", func(t *testing.T, data []byte) {
			e := storeABI.Errors["TooBig"]
			if len(data) < 4 || !slices.Equal(data[:4], e.ID[:4]) {
				t.Fatalf("data %x does not start with TooBig's selector", data)
			}
			vals, err := e.Inputs.Unpack(data[4:])
			if err != nil || vals[0].(*big.Int).Int64() != 5000 || vals[1].(*big.Int).Int64() != 1000 {
				t.Errorf("TooBig args = %v, %v", vals, err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg := ethereum.CallMsg{To: &storeAddr, Data: pack(t, "set", big.NewInt(1), big.NewInt(tt.v))}
			_, callErr := client.CallContract(ctx, msg, nil)
			_, estErr := client.EstimateGas(ctx, msg)
			for _, err := range []error{callErr, estErr} {
				var de rpc.DataError
				var re rpc.Error
				if !errors.As(err, &de) || !errors.As(err, &re) {
					t.Fatalf("error %v (%T) carries no data", err, err)
				}
				if re.ErrorCode() != 3 || err.Error() != tt.message {
					t.Errorf("error = %d %q, want 3 %q", re.ErrorCode(), err.Error(), tt.message)
				}
				s, _ := de.ErrorData().(string)
				data, decErr := hexutil.Decode(s)
				if decErr != nil {
					t.Fatalf("revert data %q: %v", s, decErr)
				}
				tt.check(t, data)
			}
		})
	}
}

func TestSendAndWait(t *testing.T) {
	node, client := setup(t)
	ctx := context.Background()
	key, alice := newKey(t)
	start := big.NewInt(params.Ether)
	node.SetBalance(alice, start)
	node.SetGas(storeAddr, storeABI, "set", 80_000)

	msg := ethereum.CallMsg{From: alice, To: &storeAddr, Value: big.NewInt(1000), Data: pack(t, "set", big.NewInt(7), big.NewInt(42))}
	gas, err := client.EstimateGas(ctx, msg)
	if err != nil || gas != 80_000 {
		t.Fatalf("EstimateGas = %d, %v; want 80000", gas, err)
	}
	tx := sign(t, key, chainID, &types.DynamicFeeTx{Nonce: 0, GasTipCap: gwei(1), GasFeeCap: gwei(5), Gas: 100_000,
		To: &storeAddr, Value: msg.Value, Data: msg.Data})
	if err := client.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	r, err := client.WaitForReceipt(ctx, tx.Hash(), 1, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}

	price := gwei(2) // base fee 1 gwei + tip 1 gwei, under the 5 gwei cap
	if r.Status != types.ReceiptStatusSuccessful || r.GasUsed != 80_000 || r.EffectiveGasPrice.Cmp(price) != 0 || r.BlockNumber.Uint64() != 1 {
		t.Errorf("receipt: status %d gas %d price %v block %v", r.Status, r.GasUsed, r.EffectiveGasPrice, r.BlockNumber)
	}
	if len(r.Logs) != 1 {
		t.Fatalf("receipt has %d logs, want 1", len(r.Logs))
	}
	lg := r.Logs[0]
	wantTopics := []common.Hash{storeABI.Events["Set"].ID, common.BigToHash(big.NewInt(7)), common.BytesToHash(alice.Bytes())}
	if lg.Address != storeAddr || !slices.Equal(lg.Topics, wantTopics) || new(big.Int).SetBytes(lg.Data).Int64() != 42 ||
		lg.BlockNumber != 1 || lg.TxHash != tx.Hash() || lg.BlockHash != r.BlockHash || lg.Index != 0 {
		t.Errorf("log = %+v", lg)
	}
	fee := new(big.Int).Mul(price, big.NewInt(80_000))
	wantBal := new(big.Int).Sub(new(big.Int).Sub(start, fee), big.NewInt(1000))
	if got := node.Balance(alice); got.Cmp(wantBal) != 0 {
		t.Errorf("alice balance %v, want %v", got, wantBal)
	}
	if got := node.Balance(storeAddr); got.Int64() != 1000 {
		t.Errorf("store balance %v, want 1000", got)
	}
	if n, err := client.NonceAt(ctx, alice, nil); err != nil || n != 1 {
		t.Errorf("nonce = %d, %v; want 1", n, err)
	}
	out, err := client.CallContract(ctx, ethereum.CallMsg{To: &storeAddr, Data: pack(t, "get", big.NewInt(7))}, nil)
	if err != nil || new(big.Int).SetBytes(out).Int64() != 42 {
		t.Errorf("get(7) after set = %x, %v", out, err)
	}
	// A block on top lets the wait check that the receipt's block is
	// canonical, by comparing hashes the node serves.
	node.Mine(1)
	if r2, err := client.WaitForReceipt(ctx, tx.Hash(), 2, 10*time.Millisecond); err != nil || r2.BlockHash != r.BlockHash {
		t.Errorf("WaitForReceipt with 2 confirmations = %v, %v", r2, err)
	}
	rc, err := rpc.Dial(node.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	blk, err := ethclient.NewClient(rc).BlockByNumber(ctx, big.NewInt(1))
	if err != nil || blk.Hash() != r.BlockHash || len(blk.Transactions()) != 1 || blk.Transactions()[0].Hash() != tx.Hash() {
		t.Errorf("BlockByNumber(1) = %v, %v", blk, err)
	}
	got, pending, err := client.TransactionByHash(ctx, tx.Hash())
	if err != nil || pending || got.Hash() != tx.Hash() {
		t.Errorf("TransactionByHash = %v, pending %v, %v", got, pending, err)
	}
	if sent := node.Sent(); len(sent) != 1 || sent[0].Hash() != tx.Hash() {
		t.Errorf("Sent() = %v", sent)
	}
}

func TestFailedTransactionsAreMined(t *testing.T) {
	tests := []struct {
		name    string
		v       int64
		gas     uint64
		gasUsed uint64
	}{
		{"revert", 0, 100_000, chaintest.DefaultGas},
		{"out of gas", 5, 30_000, 30_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node, client := setup(t)
			ctx := context.Background()
			key, alice := newKey(t)
			node.SetBalance(alice, big.NewInt(params.Ether))
			tx := sign(t, key, chainID, &types.DynamicFeeTx{GasTipCap: gwei(1), GasFeeCap: gwei(2), Gas: tt.gas,
				To: &storeAddr, Value: big.NewInt(5), Data: pack(t, "set", big.NewInt(1), big.NewInt(tt.v))})
			if err := client.SendTransaction(ctx, tx); err != nil {
				t.Fatal(err)
			}
			r, err := client.TransactionReceipt(ctx, tx.Hash())
			if err != nil {
				t.Fatal(err)
			}
			if r.Status != types.ReceiptStatusFailed || r.GasUsed != tt.gasUsed || len(r.Logs) != 0 {
				t.Errorf("receipt: status %d, gas used %d, %d logs; want 0, %d, 0", r.Status, r.GasUsed, len(r.Logs), tt.gasUsed)
			}
			// Only the fee is paid; the value stays and nothing is stored.
			fee := new(big.Int).Mul(gwei(2), new(big.Int).SetUint64(tt.gasUsed))
			if got, want := node.Balance(alice), new(big.Int).Sub(big.NewInt(params.Ether), fee); got.Cmp(want) != 0 {
				t.Errorf("alice balance %v, want %v", got, want)
			}
			if node.Nonce(alice) != 1 || node.Balance(storeAddr).Sign() != 0 {
				t.Errorf("nonce %d, store balance %v; want 1, 0", node.Nonce(alice), node.Balance(storeAddr))
			}
			if _, err := client.CallContract(ctx, ethereum.CallMsg{To: &storeAddr, Data: pack(t, "get", big.NewInt(1))}, nil); err == nil {
				t.Error("get(1) succeeds: the failed set was committed")
			}
		})
	}
}

func TestSendRejected(t *testing.T) {
	node, client := setup(t)
	ctx := context.Background()
	key, alice := newKey(t)
	node.SetBalance(alice, big.NewInt(params.Ether))
	node.SetNonce(alice, 5)
	tx := func(nonce uint64, feeCap *big.Int, value *big.Int) *types.DynamicFeeTx {
		return &types.DynamicFeeTx{Nonce: nonce, GasTipCap: big.NewInt(1), GasFeeCap: feeCap, Gas: 21_000, To: &storeAddr, Value: value}
	}
	tests := []struct {
		name string
		id   int64
		tx   types.TxData
		want string
	}{
		{"nonce too low", chainID, tx(4, gwei(2), nil), "nonce too low: next nonce 5, tx nonce 4"},
		{"nonce too high", chainID, tx(6, gwei(2), nil), "nonce too high: next nonce 5, tx nonce 6"},
		{"insufficient funds", chainID, tx(5, gwei(2), big.NewInt(params.Ether)), "insufficient funds for gas * price + value"},
		{"fee cap under base fee", chainID, tx(5, big.NewInt(1), nil), "max fee per gas less than block base fee"},
		{"other chain", 1, tx(5, gwei(2), nil), "invalid chain id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := client.SendTransaction(ctx, sign(t, key, tt.id, tt.tx))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("SendTransaction: %v, want %q", err, tt.want)
			}
		})
	}
	if len(node.Sent()) != 0 || node.BlockNumber() != 0 || node.Nonce(alice) != 5 {
		t.Errorf("rejected transactions left traces: %d sent, head %d, nonce %d", len(node.Sent()), node.BlockNumber(), node.Nonce(alice))
	}
}

func TestUnhandled(t *testing.T) {
	node, client := setup(t)
	ctx := context.Background()
	nobody := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	tests := []struct {
		name string
		to   common.Address
		data []byte
		want []string
	}{
		{"method without handler", storeAddr, pack(t, "forgotten"), []string{storeAddr.Hex(), "0x" + common.Bytes2Hex(storeABI.Methods["forgotten"].ID), "forgotten()"}},
		{"address without handlers", nobody, []byte{1, 2, 3, 4}, []string{nobody.Hex(), "0x01020304"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.CallContract(ctx, ethereum.CallMsg{To: &tt.to, Data: tt.data}, nil)
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("CallContract: %v, want it to name %s", err, w)
				}
			}
		})
	}

	rc, err := rpc.Dial(node.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var re rpc.Error
	if err := rc.Call(nil, "eth_mine"); !errors.As(err, &re) || re.ErrorCode() != -32601 {
		t.Errorf("unknown method: %v, want code -32601", err)
	}
	var version string
	if err := rc.Call(&version, "net_version"); err != nil || version != "1337" {
		t.Errorf("net_version = %q, %v", version, err)
	}
}

func TestFilterLogs(t *testing.T) {
	node, client := setup(t)
	ctx := context.Background()
	other := common.HexToAddress("0x5700000000000000000000000000000000000002")
	a, b := common.HexToAddress("0xa"), common.HexToAddress("0xb")
	add := func(addr common.Address, k int64, by common.Address) {
		lg, err := chaintest.MakeLog(addr, storeABI, "Set", big.NewInt(k), by, big.NewInt(k))
		if err != nil {
			t.Fatal(err)
		}
		node.AddLog(*lg)
	}
	add(storeAddr, 1, a) // block 1
	add(storeAddr, 2, b) // block 2
	add(other, 3, a)     // block 3
	add(storeAddr, 4, a) // block 4
	set := storeABI.Events["Set"].ID
	topic := func(addr common.Address) common.Hash { return common.BytesToHash(addr.Bytes()) }

	tests := []struct {
		name  string
		q     ethereum.FilterQuery
		wantK []int64
	}{
		{"everything", ethereum.FilterQuery{}, []int64{1, 2, 3, 4}},
		{"one address", ethereum.FilterQuery{Addresses: []common.Address{storeAddr}}, []int64{1, 2, 4}},
		{"topic with wildcard", ethereum.FilterQuery{Topics: [][]common.Hash{{set}, nil, {topic(a)}}}, []int64{1, 3, 4}},
		{"OR set", ethereum.FilterQuery{Topics: [][]common.Hash{nil, {common.BigToHash(big.NewInt(2)), common.BigToHash(big.NewInt(3))}}}, []int64{2, 3}},
		{"block range", ethereum.FilterQuery{FromBlock: big.NewInt(2), ToBlock: big.NewInt(3)}, []int64{2, 3}},
		{"more positions than topics", ethereum.FilterQuery{Topics: [][]common.Hash{nil, nil, nil, nil}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			logs, err := client.FilterLogs(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, lg := range logs {
				got = append(got, lg.Topics[1].Big().Int64())
				if lg.BlockNumber == 0 || lg.TxHash == (common.Hash{}) || lg.BlockHash == (common.Hash{}) {
					t.Errorf("log without block fields: %+v", lg)
				}
			}
			if !slices.Equal(got, tt.wantK) {
				t.Errorf("keys = %v, want %v", got, tt.wantK)
			}
		})
	}
}

func TestEstimateGas(t *testing.T) {
	node, client := setup(t)
	ctx := context.Background()
	node.SetDefaultGas(70_000) // after Handle: applies to methods without SetGas
	node.SetGas(storeAddr, storeABI, "set", 80_000)
	eoa := common.HexToAddress("0x00000000000000000000000000000000000000ee")
	tests := []struct {
		name string
		msg  ethereum.CallMsg
		want uint64
	}{
		{"plain transfer", ethereum.CallMsg{To: &eoa, Value: big.NewInt(1)}, chaintest.TransferGas},
		{"revert", ethereum.CallMsg{To: &storeAddr, Data: pack(t, "get", big.NewInt(0))}, 0}, // NO_KEY
		{"method gas", ethereum.CallMsg{To: &storeAddr, Data: pack(t, "set", big.NewInt(1), big.NewInt(1))}, 80_000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gas, err := client.EstimateGas(ctx, tt.msg)
			if tt.want == 0 {
				if err == nil {
					t.Errorf("EstimateGas = %d, want the revert", gas)
				}
				return
			}
			if err != nil || gas != tt.want {
				t.Errorf("EstimateGas = %d, %v; want %d", gas, err, tt.want)
			}
		})
	}
	node.Handle(storeAddr, storeABI, "forgotten", func(*chaintest.Ctx, []any) ([]any, error) { return nil, nil })
	if gas, err := client.EstimateGas(ctx, ethereum.CallMsg{To: &storeAddr, Data: pack(t, "forgotten")}); err != nil || gas != 70_000 {
		t.Errorf("EstimateGas(forgotten) = %d, %v; want the default 70000", gas, err)
	}
}

// TestConcurrentUse sends from several accounts at once while others read;
// run it with -race.
func TestConcurrentUse(t *testing.T) {
	node, client := setup(t)
	ctx := context.Background()
	const senders, each = 4, 5
	var wg sync.WaitGroup
	errs := make(chan error, senders*each*2)
	for i := range senders {
		key, addr := newKey(t)
		node.SetBalance(addr, big.NewInt(params.Ether))
		var txs []*types.Transaction
		for n := range each {
			txs = append(txs, sign(t, key, chainID, &types.DynamicFeeTx{Nonce: uint64(n), GasTipCap: gwei(1), GasFeeCap: gwei(3),
				Gas: 100_000, To: &storeAddr, Data: pack(t, "set", big.NewInt(int64(i)), big.NewInt(int64(n+1)))}))
		}
		wg.Add(2)
		go func() {
			defer wg.Done()
			for _, tx := range txs {
				errs <- client.SendTransaction(ctx, tx)
			}
		}()
		go func() {
			defer wg.Done()
			for range each {
				_, err := client.BlockNumber(ctx)
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := len(node.Sent()); got != senders*each || node.BlockNumber() != senders*each {
		t.Errorf("%d sent, head %d; want %d each", got, node.BlockNumber(), senders*each)
	}
}
