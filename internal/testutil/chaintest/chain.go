package chaintest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/ethereum/go-ethereum/trie"
)

const blockSeconds = uint64(BlockTime / 1e9)

// block is a mined block: at most one transaction, or fixture logs.
type block struct {
	header *types.Header
	hash   common.Hash
	txs    []*minedTx
	logs   []*types.Log
	// fixtureTx is the made-up transaction hash of logs added by fixtures:
	// every log names a transaction.
	fixtureTx common.Hash
}

type minedTx struct {
	tx      *types.Transaction
	from    common.Address
	receipt *types.Receipt
}

func (n *Node) genesis(ts uint64) {
	b := &block{header: n.newHeader(common.Hash{}, 0, ts)}
	n.blocks = []*block{b}
	n.seal(b)
}

// newHeader has every field go-ethereum's header JSON decoding requires, and
// the roots of an empty block.
func (n *Node) newHeader(parent common.Hash, number, ts uint64) *types.Header {
	return &types.Header{
		ParentHash:  parent,
		UncleHash:   types.EmptyUncleHash,
		Root:        types.EmptyRootHash,
		TxHash:      types.EmptyTxsHash,
		ReceiptHash: types.EmptyReceiptsHash,
		Difficulty:  new(big.Int),
		Number:      new(big.Int).SetUint64(number),
		GasLimit:    blockGasLimit,
		Time:        ts,
		Extra:       []byte{},
		BaseFee:     new(big.Int).Set(n.baseFee),
	}
}

func (n *Node) head() *block { return n.blocks[len(n.blocks)-1] }

// mine appends a block holding tx (nil: none) and logs (tx's, or a fixture's).
func (n *Node) mine(tx *minedTx, logs []*types.Log) *block {
	parent := n.head()
	h := n.newHeader(parent.hash, parent.header.Number.Uint64()+1, parent.header.Time+blockSeconds)
	b := &block{header: h, logs: logs}
	if tx != nil {
		b.txs = []*minedTx{tx}
		h.TxHash = types.DeriveSha(types.Transactions{tx.tx}, trie.NewStackTrie(nil))
		h.ReceiptHash = types.DeriveSha(types.Receipts{tx.receipt}, trie.NewStackTrie(nil))
		h.GasUsed = tx.receipt.GasUsed
		n.txs[tx.tx.Hash()] = tx
	} else if len(logs) > 0 {
		b.fixtureTx = crypto.Keccak256Hash([]byte("chaintest fixture"), h.Number.Bytes())
	}
	h.Bloom = bloom(logs)
	n.blocks = append(n.blocks, b)
	n.seal(b)
	return b
}

// seal (re)computes b's hash and copies its block fields into its receipts
// and logs, which must agree with the header for receipt waits to succeed.
func (n *Node) seal(b *block) {
	delete(n.byHash, b.hash)
	b.hash = b.header.Hash()
	n.byHash[b.hash] = b
	txHash := b.fixtureTx
	for _, m := range b.txs {
		m.receipt.BlockHash, m.receipt.BlockNumber = b.hash, new(big.Int).Set(b.header.Number)
		txHash = m.tx.Hash()
	}
	for i, lg := range b.logs {
		lg.BlockNumber, lg.BlockHash, lg.BlockTimestamp = b.header.Number.Uint64(), b.hash, b.header.Time
		lg.TxHash, lg.TxIndex, lg.Index = txHash, 0, uint(i)
	}
}

func bloom(logs []*types.Log) types.Bloom {
	var b types.Bloom
	for _, lg := range logs {
		b.Add(lg.Address.Bytes())
		for _, t := range lg.Topics {
			b.Add(t.Bytes())
		}
	}
	return b
}

// blockAt returns block num, the head for the tags (there is no separate
// pending, safe or finalized block), or nil beyond the head.
func (n *Node) blockAt(num rpc.BlockNumber) *block {
	switch {
	case num == rpc.EarliestBlockNumber:
		return n.blocks[0]
	case num < 0:
		return n.head()
	case int64(num) < int64(len(n.blocks)):
		return n.blocks[num]
	}
	return nil
}

func (n *Node) blockJSON(b *block, full bool) (map[string]any, error) {
	obj, err := toMap(b.header) // includes "hash", computed by go-ethereum
	if err != nil {
		return nil, err
	}
	txs := make([]any, 0, len(b.txs))
	for _, m := range b.txs {
		if !full {
			txs = append(txs, m.tx.Hash())
			continue
		}
		j, err := txJSON(m)
		if err != nil {
			return nil, err
		}
		txs = append(txs, j)
	}
	obj["transactions"] = txs
	obj["uncles"] = []common.Hash{}
	return obj, nil
}

func txJSON(m *minedTx) (map[string]any, error) {
	obj, err := toMap(m.tx)
	if err != nil {
		return nil, err
	}
	obj["from"] = m.from
	obj["blockHash"] = m.receipt.BlockHash
	obj["blockNumber"] = (*hexutil.Big)(m.receipt.BlockNumber)
	obj["transactionIndex"] = hexutil.Uint(0)
	obj["gasPrice"] = (*hexutil.Big)(m.receipt.EffectiveGasPrice)
	return obj, nil
}

func receiptJSON(m *minedTx) (map[string]any, error) {
	obj, err := toMap(m.receipt)
	if err != nil {
		return nil, err
	}
	obj["from"] = m.from
	obj["to"] = m.tx.To()
	return obj, nil
}

// toMap encodes v with its own JSON encoding (go-ethereum's, for headers,
// transactions and receipts) so that fields a node adds can be merged in.
func toMap(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("chaintest: encode %T: %w", v, err)
	}
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("chaintest: re-read %T: %w", v, err)
	}
	return obj, nil
}

// filterQuery is eth_getLogs' argument.
type filterQuery struct {
	BlockHash *common.Hash              `json:"blockHash"`
	FromBlock *rpc.BlockNumber          `json:"fromBlock"`
	ToBlock   *rpc.BlockNumber          `json:"toBlock"`
	Address   oneOrMany[common.Address] `json:"address"`
	Topics    []oneOrMany[common.Hash]  `json:"topics"`
}

// oneOrMany is an address or topic position of a filter: null or [] (any),
// one value, or a list (any of them).
type oneOrMany[T any] []T

func (o *oneOrMany[T]) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if bytes.Equal(data, []byte("null")) {
		*o = nil
		return nil
	}
	if len(data) > 0 && data[0] == '[' {
		var list []T
		if err := json.Unmarshal(data, &list); err != nil {
			return err
		}
		*o = list
		return nil
	}
	var one T
	if err := json.Unmarshal(data, &one); err != nil {
		return err
	}
	*o = oneOrMany[T]{one}
	return nil
}

func (n *Node) getLogs(q filterQuery) ([]*types.Log, error) {
	var blocks []*block
	if q.BlockHash != nil {
		b := n.byHash[*q.BlockHash]
		if b == nil {
			return nil, nodeError("unknown block")
		}
		blocks = []*block{b}
	} else {
		from, to := n.resolve(q.FromBlock), n.resolve(q.ToBlock)
		if from > to {
			return nil, nodeError("invalid block range params")
		}
		to = min(to, uint64(len(n.blocks)-1))
		if from > to {
			return []*types.Log{}, nil
		}
		blocks = n.blocks[from : to+1]
	}
	out := []*types.Log{}
	for _, b := range blocks {
		for _, lg := range b.logs {
			if matches(lg, q) {
				out = append(out, lg)
			}
		}
	}
	return out, nil
}

// resolve is a filter bound: nil and tags other than earliest mean the head.
func (n *Node) resolve(bn *rpc.BlockNumber) uint64 {
	switch {
	case bn == nil:
		return n.head().header.Number.Uint64()
	case *bn == rpc.EarliestBlockNumber:
		return 0
	case *bn < 0:
		return n.head().header.Number.Uint64()
	}
	return uint64(*bn)
}

// matches applies geth's rules: a log with fewer topics than the filter has
// positions never matches, even where those positions are wildcards.
func matches(lg *types.Log, q filterQuery) bool {
	if len(q.Address) > 0 && !slices.Contains(q.Address, lg.Address) {
		return false
	}
	if len(q.Topics) > len(lg.Topics) {
		return false
	}
	for i, set := range q.Topics {
		if len(set) > 0 && !slices.Contains(set, lg.Topics[i]) {
			return false
		}
	}
	return true
}

// feeHistory reports every block's own base fee and gas use, and the
// suggested tip as every percentile's reward.
func (n *Node) feeHistory(count uint64, last rpc.BlockNumber, percentiles []float64) (map[string]any, error) {
	lastBlock := n.blockAt(last)
	if lastBlock == nil {
		return nil, nodeError("header not found")
	}
	end := lastBlock.header.Number.Uint64()
	count = min(count, end+1)
	oldest := end + 1 - count
	baseFees := make([]*hexutil.Big, 0, count+1)
	ratios := make([]float64, 0, count)
	rewards := make([][]*hexutil.Big, 0, count)
	for i := oldest; i <= end && count > 0; i++ {
		h := n.blocks[i].header
		baseFees = append(baseFees, (*hexutil.Big)(h.BaseFee))
		ratios = append(ratios, float64(h.GasUsed)/float64(h.GasLimit))
		r := make([]*hexutil.Big, len(percentiles))
		for j := range r {
			r[j] = (*hexutil.Big)(n.tip)
		}
		rewards = append(rewards, r)
	}
	baseFees = append(baseFees, (*hexutil.Big)(n.baseFee))
	out := map[string]any{
		"oldestBlock":   (*hexutil.Big)(new(big.Int).SetUint64(oldest)),
		"baseFeePerGas": baseFees,
		"gasUsedRatio":  ratios,
	}
	if len(percentiles) > 0 {
		out["reward"] = rewards
	}
	return out, nil
}
