// Package balance implements `stakewallet balance`.
package balance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/readcmd"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// BalanceOptions are the balance command's inputs. It only reads, so it
// has no transaction flags.
type BalanceOptions struct {
	txcmd.Deps
	JSON bool

	// Owners are the ADDRESS arguments (addresses or ENS names); none
	// means the signer's account.
	Owners []string
}

// maxOwners bounds the ADDRESS arguments: far above "hundreds", far below
// a command line that would make one eth_call too heavy for a node.
const maxOwners = 5000

// NewCmdBalance returns the balance command; runF replaces its body in tests.
func NewCmdBalance(f *cmdutil.Factory, runF func(*BalanceOptions) error) *cobra.Command {
	opts := &BalanceOptions{Deps: txcmd.DepsFrom(f)}
	return &cobra.Command{
		Use:   "balance [ADDRESS|NAME...]",
		Short: "Show native coin, every known LST, and pending and claimable withdrawals",
		Long: `Show the native coin, every token of every protocol of the network (with the
staked token's exchange rate where the protocol states one), and the pending
and claimable withdrawal requests of one or many accounts (default: the
signer's). All of it is read in one round trip where the chain has Multicall3;
accounts with withdrawal requests need the protocol's further reads.`,
		Example: `  stakewallet balance --signer alice
  stakewallet balance 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --json
  stakewallet balance vitalik.eth --network mainnet
  stakewallet balance 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 0x70997970C51812dc3A010C7d01b50e0d17dc79C8`,
		Args: cmdutil.MaximumArgs(maxOwners, fmt.Sprintf("at most %d ADDRESSes", maxOwners)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Owners = args
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return balanceRun(cmd.Context(), opts)
		},
	}
}

// Result is an account's balances on one network. Name is the ENS name
// the account was given as, if it was.
type Result struct {
	Address     string         `json:"address"`
	Name        string         `json:"name,omitempty"`
	Network     string         `json:"network"`
	ChainID     uint64         `json:"chainId"`
	Native      Amount         `json:"native"`
	Tokens      []TokenBalance `json:"tokens"`
	Withdrawals Withdrawals    `json:"withdrawals"`
	// Delegations are the account's stakes with validators and their
	// pending rewards (protocols with protocol.Delegator: Sonic, Polygon,
	// BNB).
	Delegations []Delegation `json:"delegations,omitempty"`
}

// Delegation is one stake delegated to a validator.
type Delegation struct {
	Protocol  string `json:"protocol"`
	Validator string `json:"validator"`
	Staked    Amount `json:"staked"`
	// Rewards is nil when the protocol compounds them into the stake (BNB).
	Rewards *Amount `json:"rewards,omitempty"`
}

// Amount is an amount of a coin without a contract (the native coin).
type Amount struct {
	Amount   string `json:"amount"`
	Symbol   string `json:"symbol"`
	Decimals uint8  `json:"decimals"`
}

// Human renders the amount for people ("1.5 ETH").
func (a Amount) Human() string {
	v, ok := new(big.Int).SetString(a.Amount, 10)
	if !ok {
		return a.Amount + " " + a.Symbol
	}
	return amount.FormatUnits(v, a.Decimals, a.Symbol)
}

// TokenBalance is the balance of one protocol token.
type TokenBalance struct {
	txcmd.TokenAmount
	Protocol string `json:"protocol"`
	// Rate is what one whole staked token is worth in the native coin,
	// where the protocol states it (protocol.Rater); Value is the
	// balance's worth at that rate, rounded down.
	Rate  *Amount `json:"rate,omitempty"`
	Value *Amount `json:"value,omitempty"`
}

// Withdrawals sums up the account's withdrawal requests.
type Withdrawals struct {
	Pending   PendingSum   `json:"pending"`
	Claimable ClaimableSum `json:"claimable"`
}

// PendingSum counts the pending requests and sums their requested
// amounts (in the tokens they were requested in).
type PendingSum struct {
	Count  int    `json:"count"`
	Amount string `json:"amount"`

	// token is the one token every pending request is in, for people;
	// nil when there are none or they are in several tokens.
	token *protocol.Token
	mixed bool
}

// ClaimableSum counts the claimable requests and what claiming them pays
// now, in the native coin.
type ClaimableSum struct {
	Count int `json:"count"`
	Amount
}

// RenderHuman implements output.Human.
func (r *Result) RenderHuman(w io.Writer, st output.Styles) {
	who := r.Address
	if r.Name != "" {
		who = txcmd.Account{Address: common.HexToAddress(r.Address), Name: r.Name}.String()
	}
	fmt.Fprintf(w, "%s %s\n", st.Title.Render(who), st.Dim.Render(fmt.Sprintf("on %s (chain ID %d)", r.Network, r.ChainID)))
	kv := &output.KV{}
	kv.Add(r.Native.Symbol, amountOnly(r.Native.Amount, r.Native.Decimals))
	for _, t := range r.Tokens {
		v := amountOnly(t.Amount, t.Decimals)
		if t.Value != nil && t.Rate != nil {
			v += st.Dim.Render(fmt.Sprintf(" (≈ %s at %s each)", t.Value.Human(), t.Rate.Human()))
		}
		kv.Add(t.Symbol, v)
	}
	for _, d := range r.Delegations {
		rewards := "rewards compound"
		if d.Rewards != nil {
			rewards = d.Rewards.Human() + " rewards"
		}
		kv.Add(fmt.Sprintf("%s validator %s", d.Protocol, d.Validator), fmt.Sprintf("%s staked, %s", d.Staked.Human(), rewards))
	}
	kv.Add("pending withdrawals", fmt.Sprintf("%d (%s)", r.Withdrawals.Pending.Count, r.Withdrawals.Pending.human()))
	kv.Add("claimable", fmt.Sprintf("%d (%s)", r.Withdrawals.Claimable.Count, r.Withdrawals.Claimable.Human()))
	kv.Render(w, st)
}

func (p PendingSum) human() string {
	switch {
	case p.mixed:
		// Sums of different tokens have no single unit to show.
		return "in several tokens"
	case p.token == nil:
		return "0"
	}
	return Amount{Amount: p.Amount, Symbol: p.token.Symbol, Decimals: p.token.Decimals}.Human()
}

// amountOnly formats a base-unit decimal string without a symbol (the
// row's label names the token).
func amountOnly(s string, decimals uint8) string {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return s
	}
	return amount.Format(v, decimals)
}

func balanceRun(ctx context.Context, opts *BalanceOptions) error {
	res, err := read(ctx, opts)
	if err != nil {
		return err
	}
	if len(res) == 1 {
		return output.Print(opts.IO, opts.JSON, res[0])
	}
	return output.Print(opts.IO, opts.JSON, &ManyResult{Balances: res})
}

// ManyResult is the document for several ADDRESS arguments: one Result per
// account, in the order given. One account keeps the single Result.
type ManyResult struct {
	Balances []*Result `json:"balances"`
}

// RenderHuman implements output.Human: the accounts one after another.
func (m *ManyResult) RenderHuman(w io.Writer, st output.Styles) {
	for i, r := range m.Balances {
		if i > 0 {
			fmt.Fprintln(w)
		}
		r.RenderHuman(w, st)
	}
}

// read gathers the balances of every owner: the native coin, every token of
// every protocol of the network, the staked tokens' exchange rates, and the
// withdrawal requests of protocols that have them. Everything that does not
// depend on an earlier answer goes out in one round trip: adapters are
// bound to a chain.Coalescer, the owners' withdrawal lists run as
// concurrent workers, and their first reads join the balances' batch.
func read(ctx context.Context, opts *BalanceOptions) ([]*Result, error) {
	accts, err := owners(ctx, opts)
	if err != nil {
		return nil, err
	}
	net, err := opts.Network()
	if err != nil {
		return nil, err
	}
	c, err := opts.Chain(ctx)
	if err != nil {
		return nil, err
	}
	rd := readcmd.New(c)
	ps, err := rd.Protocols(ctx, opts.Deps)
	if err != nil {
		return nil, err
	}
	native := net.Native()
	res := make([]*Result, len(accts))
	for i, a := range accts {
		res[i] = &Result{Address: a.Address.Hex(), Name: a.Name, Network: net.Name, ChainID: net.ChainID, Tokens: []TokenBalance{}}
	}

	// One worker reads the balances and rates; one per owner and protocol
	// with requests reads the withdrawals.
	type job struct {
		owner int
		p     protocol.Protocol
		reqs  protocol.Requests
		ws    []protocol.Withdrawal
	}
	var jobs []*job
	// A protocol that reads many owners' requests at once does so for
	// several addresses (one worker for them all), unless the node cannot
	// serve it: then each owner gets a worker in a second pass.
	type mjob struct {
		p    protocol.Protocol
		many protocol.ManyOwners
		wss  [][]protocol.Withdrawal
		slow bool // ErrNoShortcut
	}
	var mjobs []*mjob
	perOwner := func(p protocol.Protocol, reqs protocol.Requests) {
		for i := range accts {
			jobs = append(jobs, &job{owner: i, p: p, reqs: reqs})
		}
	}
	for _, p := range ps {
		if many, ok := p.(protocol.ManyOwners); ok && len(accts) > 1 {
			mjobs = append(mjobs, &mjob{p: p, many: many})
		} else if reqs, ok := p.(protocol.Requests); ok {
			perOwner(p, reqs)
		}
	}
	// One per owner and protocol with delegations reads them.
	type djob struct {
		owner int
		p     protocol.Protocol
		rw    protocol.Delegator
		ds    []protocol.Delegation
	}
	var djobs []*djob
	for i := range accts {
		for _, p := range ps {
			if rw, ok := p.(protocol.Delegator); ok {
				djobs = append(djobs, &djob{owner: i, p: p, rw: rw})
			}
		}
	}
	workers := []func(ctx context.Context) error{func(ctx context.Context) error {
		return readBalances(ctx, rd.Backend, ps, accts, native, res)
	}}
	for _, j := range djobs {
		workers = append(workers, func(ctx context.Context) error {
			ds, err := j.rw.Delegations(ctx, accts[j.owner].Address, "")
			if err != nil {
				return fmt.Errorf("read the %s delegations of %s: %w", j.p.DisplayName(), accts[j.owner], err)
			}
			j.ds = ds
			return nil
		})
	}
	readJob := func(j *job) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			ws, err := j.reqs.Withdrawals(ctx, accts[j.owner].Address, nil)
			if err != nil {
				return fmt.Errorf("read the %s withdrawal requests of %s: %w", j.p.DisplayName(), accts[j.owner], err)
			}
			j.ws = ws
			return nil
		}
	}
	for _, j := range jobs {
		workers = append(workers, readJob(j))
	}
	addrs := make([]common.Address, len(accts))
	for i, a := range accts {
		addrs[i] = a.Address
	}
	for _, m := range mjobs {
		workers = append(workers, func(ctx context.Context) error {
			wss, err := m.many.WithdrawalsOf(ctx, addrs)
			switch {
			case errors.Is(err, protocol.ErrNoShortcut):
				m.slow = true
			case err != nil:
				return fmt.Errorf("read the %s withdrawal requests: %w", m.p.DisplayName(), err)
			case len(wss) != len(addrs):
				return fmt.Errorf("read the %s withdrawal requests: %d lists for %d addresses", m.p.DisplayName(), len(wss), len(addrs))
			default:
				m.wss = wss
			}
			return nil
		})
	}
	if err := rd.Run(ctx, workers...); err != nil {
		return nil, err
	}
	// The second pass: owner by owner where the node could not serve the
	// shortcut.
	var again []func(ctx context.Context) error
	for _, m := range mjobs {
		if m.slow {
			first := len(jobs)
			perOwner(m.p, m.many)
			for _, j := range jobs[first:] {
				again = append(again, readJob(j))
			}
			continue
		}
		for i, ws := range m.wss {
			jobs = append(jobs, &job{owner: i, p: m.p, reqs: m.many, ws: ws})
		}
	}
	if len(again) > 0 {
		if err := rd.Run(ctx, again...); err != nil {
			return nil, err
		}
	}

	for _, j := range djobs {
		for _, d := range j.ds {
			row := Delegation{
				Protocol: j.p.Name(), Validator: d.Target,
				Staked: Amount{Amount: d.Staked.String(), Symbol: d.Token.Symbol, Decimals: d.Token.Decimals},
			}
			if d.Rewards != nil {
				row.Rewards = &Amount{Amount: d.Rewards.String(), Symbol: d.RewardToken.Symbol, Decimals: d.RewardToken.Decimals}
			}
			res[j.owner].Delegations = append(res[j.owner].Delegations, row)
		}
	}
	pending, claimable := make([]*big.Int, len(res)), make([]*big.Int, len(res))
	for i := range res {
		pending[i], claimable[i] = new(big.Int), new(big.Int)
	}
	for _, j := range jobs {
		r := res[j.owner]
		for _, w := range j.ws {
			switch w.Status {
			case protocol.StatusPending:
				r.Withdrawals.Pending.add(w)
				pending[j.owner].Add(pending[j.owner], w.Amount)
			case protocol.StatusClaimable:
				r.Withdrawals.Claimable.Count++
				if w.Claimable != nil {
					claimable[j.owner].Add(claimable[j.owner], w.Claimable)
				}
			}
		}
	}
	for i, r := range res {
		r.Withdrawals.Pending.Amount = pending[i].String()
		r.Withdrawals.Claimable.Amount = Amount{Amount: claimable[i].String(), Symbol: native.Symbol, Decimals: native.Decimals}
	}
	return res, nil
}

// owners resolves the ADDRESS arguments (ENS names cost their lookups), or
// the signer's account when there are none.
func owners(ctx context.Context, opts *BalanceOptions) ([]txcmd.Account, error) {
	if len(opts.Owners) == 0 {
		a, err := txcmd.OwnerAccount(ctx, opts.Deps, "", "ADDRESS")
		if err != nil {
			return nil, err
		}
		return []txcmd.Account{a}, nil
	}
	out := make([]txcmd.Account, len(opts.Owners))
	for i, o := range opts.Owners {
		a, err := txcmd.OwnerAccount(ctx, opts.Deps, o, "ADDRESS")
		if err != nil {
			return nil, err
		}
		out[i] = a
	}
	return out, nil
}

// readBalances fills in the native balance, the token balances and the
// exchange rates of res in one CallAll: the native balance through
// Multicall3's getEthBalance so that it packs with the rest, and, on a
// chain without Multicall3 (an empty answer), through eth_getBalance in a
// second round trip.
func readBalances(ctx context.Context, b protocol.Backend, ps []protocol.Protocol, accts []txcmd.Account, native protocol.Token, res []*Result) error {
	type tokenRef struct {
		p protocol.Protocol
		t protocol.Token
	}
	var toks []tokenRef
	for _, p := range ps {
		for _, t := range p.Tokens() {
			if !t.IsNative() {
				// The native coin is shown once, from the network.
				toks = append(toks, tokenRef{p, t})
			}
		}
	}
	type rateRef struct {
		p      protocol.Protocol
		decode func([]byte) (*big.Int, error)
	}
	var rates []rateRef
	var msgs []ethereum.CallMsg
	for _, p := range ps {
		if r, ok := p.(protocol.Rater); ok {
			msg, decode := r.RateCall()
			rates = append(rates, rateRef{p, decode})
			msgs = append(msgs, msg)
		}
	}
	perOwner := 1 + len(toks)
	for _, a := range accts {
		msgs = append(msgs, chain.EthBalanceCall(a.Address))
		for _, t := range toks {
			data, err := erc20.ABI.Pack("balanceOf", a.Address)
			if err != nil {
				return err
			}
			to := t.t.Address
			msgs = append(msgs, ethereum.CallMsg{To: &to, Data: data})
		}
	}
	outs, errs := protocol.CallAll(ctx, b, msgs)

	rateOf := map[string]*big.Int{}
	for i, r := range rates {
		if errs[i] != nil {
			return fmt.Errorf("read the %s exchange rate: %w", r.p.DisplayName(), errs[i])
		}
		v, err := r.decode(outs[i])
		if err != nil {
			return fmt.Errorf("read the %s exchange rate: %w", r.p.DisplayName(), err)
		}
		rateOf[r.p.Name()] = v
	}
	base := len(rates)
	var noMulticall []int // owners whose getEthBalance found no Multicall3
	for i, a := range accts {
		k := base + i*perOwner
		switch {
		case errs[k] != nil:
			return fmt.Errorf("read the %s balance of %s: %w", native.Symbol, a, errs[k])
		case len(outs[k]) == 0:
			noMulticall = append(noMulticall, i)
		default:
			v, err := decodeUint(outs[k])
			if err != nil {
				return fmt.Errorf("read the %s balance of %s: %w", native.Symbol, a, err)
			}
			res[i].Native = Amount{Amount: v.String(), Symbol: native.Symbol, Decimals: native.Decimals}
		}
		for j, t := range toks {
			k := base + i*perOwner + 1 + j
			if errs[k] != nil {
				return fmt.Errorf("read the %s balance of %s: %w", t.t.Symbol, a, errs[k])
			}
			v, err := decodeUint(outs[k])
			if err != nil {
				return fmt.Errorf("read the %s balance of %s: %w: not an ERC-20 answer (is %s a token contract on this network?)", t.t.Symbol, a, err, t.t.Address.Hex())
			}
			tb := TokenBalance{TokenAmount: *txcmd.NewTokenAmount(v, t.t), Protocol: t.p.Name()}
			if rate, ok := rateOf[t.p.Name()]; ok && t.t.Role == protocol.RoleStaked {
				tb.Rate = &Amount{Amount: rate.String(), Symbol: native.Symbol, Decimals: native.Decimals}
				value := new(big.Int).Mul(v, rate)
				value.Quo(value, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(t.t.Decimals)), nil))
				tb.Value = &Amount{Amount: value.String(), Symbol: native.Symbol, Decimals: native.Decimals}
			}
			res[i].Tokens = append(res[i].Tokens, tb)
		}
	}
	if len(noMulticall) > 0 {
		return nativeBalances(ctx, b, accts, noMulticall, native, res)
	}
	return nil
}

// nativeBalances reads eth_getBalance of the owners at idx, in one batch
// where the backend batches.
func nativeBalances(ctx context.Context, b protocol.Backend, accts []txcmd.Account, idx []int, native protocol.Token, res []*Result) error {
	vals := make([]*hexutil.Big, len(idx))
	elems := make([]rpc.BatchElem, len(idx))
	for k, i := range idx {
		vals[k] = new(hexutil.Big)
		elems[k] = rpc.BatchElem{Method: "eth_getBalance", Args: []any{accts[i].Address, "latest"}, Result: vals[k]}
	}
	if bb, ok := b.(interface {
		Batch(ctx context.Context, elems []rpc.BatchElem) error
	}); ok {
		if err := bb.Batch(ctx, elems); err != nil {
			return fmt.Errorf("read the %s balances: %w", native.Symbol, err)
		}
	} else {
		nb, ok := b.(interface {
			BalanceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (*big.Int, error)
		})
		if !ok {
			return fmt.Errorf("read the %s balances: the chain client cannot read balances", native.Symbol)
		}
		for k, i := range idx {
			v, err := nb.BalanceAt(ctx, accts[i].Address, nil)
			if err != nil {
				elems[k].Error = err
				continue
			}
			vals[k] = (*hexutil.Big)(v)
		}
	}
	for k, i := range idx {
		if elems[k].Error != nil {
			return fmt.Errorf("read the %s balance of %s: %w", native.Symbol, accts[i], elems[k].Error)
		}
		res[i].Native = Amount{Amount: (*big.Int)(vals[k]).String(), Symbol: native.Symbol, Decimals: native.Decimals}
	}
	return nil
}

// decodeUint reads one uint256 return value.
func decodeUint(ret []byte) (*big.Int, error) {
	if len(ret) != 32 {
		return nil, fmt.Errorf("%w: %d bytes where a uint256 belongs", protocol.ErrBadAnswer, len(ret))
	}
	return new(big.Int).SetBytes(ret), nil
}

// add counts w and notes its token for the human rendering.
func (p *PendingSum) add(w protocol.Withdrawal) {
	p.Count++
	switch {
	case p.token == nil && !p.mixed:
		t := w.Token
		p.token = &t
	case p.token != nil && p.token.Address != w.Token.Address:
		p.token, p.mixed = nil, true
	}
}
