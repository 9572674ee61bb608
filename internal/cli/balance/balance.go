// Package balance implements `stakewallet balance`.
package balance

import (
	"context"
	"fmt"
	"io"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// BalanceOptions are the balance command's inputs. It only reads, so it
// has no transaction flags.
type BalanceOptions struct {
	txcmd.Deps
	JSON bool

	// Owner is the ADDRESS argument (an address or an ENS name); "" means
	// the signer's account.
	Owner string
}

// NewCmdBalance returns the balance command; runF replaces its body in tests.
func NewCmdBalance(f *cmdutil.Factory, runF func(*BalanceOptions) error) *cobra.Command {
	opts := &BalanceOptions{Deps: txcmd.DepsFrom(f)}
	return &cobra.Command{
		Use:   "balance [ADDRESS|NAME]",
		Short: "Show native coin, every known LST, and pending and claimable withdrawals",
		Example: `  stakewallet balance --signer alice
  stakewallet balance 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 --json
  stakewallet balance vitalik.eth --network mainnet`,
		Args: cmdutil.MaximumArgs(1, "one ADDRESS"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Owner = ""
			if len(args) == 1 {
				opts.Owner = args[0]
			}
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
		kv.Add(t.Symbol, amountOnly(t.Amount, t.Decimals))
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
	return output.Print(opts.IO, opts.JSON, res)
}

// read gathers the balances: the native coin, every token of every
// protocol of the network, and the withdrawal requests of protocols that
// have them.
func read(ctx context.Context, opts *BalanceOptions) (*Result, error) {
	acct, err := txcmd.OwnerAccount(ctx, opts.Deps, opts.Owner, "ADDRESS")
	if err != nil {
		return nil, err
	}
	owner := acct.Address
	net, err := opts.Network()
	if err != nil {
		return nil, err
	}
	c, err := opts.Chain(ctx)
	if err != nil {
		return nil, err
	}
	native := net.Native()
	nativeBal, err := c.BalanceAt(ctx, owner, nil)
	if err != nil {
		return nil, fmt.Errorf("read the %s balance: %w", native.Symbol, err)
	}
	ps, err := txcmd.Protocols(ctx, opts.Deps)
	if err != nil {
		return nil, err
	}
	res := &Result{
		Address: owner.Hex(),
		Name:    acct.Name,
		Network: net.Name,
		ChainID: net.ChainID,
		Native:  Amount{Amount: nativeBal.String(), Symbol: native.Symbol, Decimals: native.Decimals},
		Tokens:  []TokenBalance{},
	}
	pending, claimable := new(big.Int), new(big.Int)
	for _, p := range ps {
		for _, t := range p.Tokens() {
			if t.IsNative() {
				// Shown once, from the network, above.
				continue
			}
			b, err := erc20.BalanceOf(ctx, c, t.Address, owner)
			if err != nil {
				return nil, fmt.Errorf("read the %s balance: %w", t.Symbol, err)
			}
			res.Tokens = append(res.Tokens, TokenBalance{TokenAmount: *txcmd.NewTokenAmount(b, t), Protocol: p.Name()})
		}
		reqs, ok := p.(protocol.Requests)
		if !ok {
			// Its unstake pays out at once: no requests to count.
			continue
		}
		ws, err := reqs.Withdrawals(ctx, owner, nil)
		if err != nil {
			return nil, fmt.Errorf("read the %s withdrawal requests: %w", p.DisplayName(), err)
		}
		for _, w := range ws {
			switch w.Status {
			case protocol.StatusPending:
				res.Withdrawals.Pending.add(w)
				pending.Add(pending, w.Amount)
			case protocol.StatusClaimable:
				res.Withdrawals.Claimable.Count++
				if w.Claimable != nil {
					claimable.Add(claimable, w.Claimable)
				}
			}
		}
	}
	res.Withdrawals.Pending.Amount = pending.String()
	res.Withdrawals.Claimable.Amount = Amount{Amount: claimable.String(), Symbol: native.Symbol, Decimals: native.Decimals}
	return res, nil
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
