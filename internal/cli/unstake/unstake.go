// Package unstake implements `stakewallet unstake`.
package unstake

import (
	"context"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/stake"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// UnstakeOptions are the unstake command's inputs.
type UnstakeOptions struct {
	txcmd.Deps
	JSON bool
	Tx   cmdutil.TxFlags

	// Amount is a decimal in whole tokens, or "all".
	Amount       string
	ProtocolName string
	// Token is a symbol or address among the protocol's tokens; "" is its
	// staked token.
	Token     string
	Validator string
	// NoPermit keeps approve + request where the protocol takes an
	// EIP-2612 permit.
	NoPermit bool
}

// NewCmdUnstake returns the unstake command; runF replaces its body in tests.
func NewCmdUnstake(f *cmdutil.Factory, runF func(*UnstakeOptions) error) *cobra.Command {
	opts := &UnstakeOptions{Deps: txcmd.DepsFrom(f), Tx: cmdutil.DefaultTxFlags()}
	cmd := &cobra.Command{
		Use:   "unstake AMOUNT|all",
		Short: "Unstake: request a withdrawal of staked coin, or redeem it at once",
		Long: `Unstake AMOUNT of a liquid staking token (default: the protocol's staked
token, stETH on Lido; --token picks another of its tokens, e.g. wstETH).

Most protocols give the coin back through a request: the tokens are locked
in the protocol's withdrawal queue (or cooldown, or unbonding period) and,
once the request is claimable, 'stakewallet claim' or 'stakewallet
withdrawals wait --claim' pays it out. Protocols that redeem instantly pay
the native coin in the unstake transaction itself; no request is left.
Protocols that delegate to a validator need --validator. Amounts above a
protocol's per-request cap are split into several requests. When the
allowance is short and the protocol takes an EIP-2612 permit (Lido), the
signer signs a permit (typed data) and the request carries it: one
transaction, no standing allowance; --no-permit (or a signer that cannot
sign typed data) sends an approve transaction first instead. Every
transaction and permit is shown before signing.`,
		Example: `  stakewallet unstake 0.5 --signer alice
  stakewallet unstake all --token wstETH --signer alice --yes --json`,
		Args: cmdutil.ExactArgs(1, "AMOUNT or all"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Amount = args[0]
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return unstakeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ProtocolName, "protocol", "", "protocol (default: the network's)")
	cmd.Flags().StringVar(&opts.Token, "token", "", "token to unstake, by symbol or address (default: the protocol's staked token)")
	cmd.Flags().StringVar(&opts.Validator, "validator", "", "validator to unstake from, for protocols that delegate")
	cmd.Flags().BoolVar(&opts.NoPermit, "no-permit", false, "approve in a transaction of its own instead of signing an EIP-2612 permit")
	cmdutil.AddTxFlags(cmd, &opts.Tx)
	return cmd
}

func unstakeRun(ctx context.Context, opts *UnstakeOptions) error {
	if opts.Amount != "all" {
		// Validate the syntax before touching keys or the network; the
		// token's decimals are checked again below.
		if err := amount.CheckSyntax(opts.Amount); err != nil {
			return cmdutil.BadInput(err)
		}
	}
	env, err := txcmd.Setup(ctx, opts.Deps, opts.JSON, opts.Tx)
	if err != nil {
		return err
	}
	defer env.Close()
	p, err := opts.Protocol(ctx, opts.ProtocolName)
	if err != nil {
		return err
	}
	if err := stake.CheckTarget(p, opts.Validator); err != nil {
		return err
	}
	// --validator by id or moniker prefix; a per-validator credit (BNB)
	// also says which token the amount is in.
	target, token, err := cmdutil.ResolveUnstakeValidator(ctx, p, opts.Validator, opts.Token, opts.Amount, env.Native())
	if err != nil {
		return err
	}
	if token == nil {
		t, err := unstakeToken(ctx, env, p, opts.Token)
		if err != nil {
			return err
		}
		token = &t
	}
	var value *big.Int
	if dg, ok := p.(protocol.Delegator); ok && opts.Amount == "all" && token.IsNative() && target != "" {
		// A native delegation (Sonic; any protocol.Delegator, rewards or
		// not): "all" is the stake with the validator.
		if value, err = delegated(ctx, dg, p, env.From, target); err != nil {
			return err
		}
	} else if value, err = txcmd.ParseTokenAmount(ctx, env.Chain, opts.Amount, *token, env.From, true); err != nil {
		return err
	}
	res, err := send(ctx, env, p, protocol.UnstakeRequest{Owner: env.From, Amount: value, Token: *token, Target: target}, opts.NoPermit)
	if err != nil {
		return err
	}
	return output.Print(opts.IO, opts.JSON, res)
}

// unstakeToken is the token named by ref among p's own tokens, or p's
// staked token when ref is empty. An address that is none of p's tokens is
// refused here, in words that name p, before any amount is read for it.
func unstakeToken(ctx context.Context, env *txcmd.Env, p protocol.Protocol, ref string) (protocol.Token, error) {
	if ref == "" {
		t, ok := p.Tokens().ByRole(protocol.RoleStaked)
		if !ok {
			return protocol.Token{}, cmdutil.BadInputf("%s has no staked token: name the token to unstake with --token", p.DisplayName())
		}
		return t, nil
	}
	t, owner, err := txcmd.FindToken(ctx, env.Chain, []protocol.Protocol{p}, ref)
	if err != nil {
		return protocol.Token{}, err
	}
	if owner == nil {
		return protocol.Token{}, cmdutil.BadInputf("%s (%s) is not a token of %s", t.Symbol, t.Address.Hex(), p.DisplayName())
	}
	return t, nil
}

// Result is what unstake did: the transactions and, once they are mined,
// the requests created (protocols with requests) or the native coin paid
// out (instant unstakes).
type Result struct {
	*txcmd.Result
	// RequestIDs are the requests the unstake created, to wait for and
	// claim; absent for instant unstakes and dry runs.
	RequestIDs []string `json:"requestIds,omitempty"`
	// Received is the native coin an instant unstake paid out, before
	// the fees of its transactions (see nativeReceived).
	Received *txcmd.TokenAmount `json:"received,omitempty"`
}

// RenderHuman implements output.Human.
func (r *Result) RenderHuman(w io.Writer, st output.Styles) {
	r.Result.RenderHuman(w, st)
	if !r.Sent() {
		return
	}
	kv := &output.KV{}
	if r.Received != nil {
		kv.Add("received", r.Received.Human())
	} else {
		kv.Add("request ids", strings.Join(r.RequestIDs, ", ")).Add("next", "stakewallet withdrawals wait --claim")
	}
	kv.Render(w, st)
}

// send unstakes r with p through env (its target already checked): builds
// the calls, previews, sends, and reads what the unstake left (request
// ids) or paid (instant).
func send(ctx context.Context, env *txcmd.Env, p protocol.Protocol, r protocol.UnstakeRequest, noPermit bool) (*Result, error) {
	kind := p.Unstaking()
	var reqs protocol.Requests
	if kind.HasRequests() {
		// Asserted before anything is signed: an adapter that declares
		// requests without the capability could not say which it made.
		var err error
		if reqs, err = cmdutil.Requests(p); err != nil {
			return nil, err
		}
	}
	calls, err := p.Unstake(ctx, r)
	if err != nil {
		return nil, err
	}
	verb := "Request withdrawal of"
	if !kind.HasRequests() {
		verb = "Unstake"
	}
	title := fmt.Sprintf("%s %s from %s", verb, amount.FormatUnits(r.Amount, r.Token.Decimals, r.Token.Symbol), p.DisplayName())
	if r.Target != "" {
		title += " (validator " + r.Target + ")"
	}
	out := &Result{}
	var before func() (*big.Int, error)
	req := &txcmd.Request{
		Action:   "unstake",
		Title:    title,
		Protocol: p,
		Calls:    calls,
		Amount:   r.Amount,
		Token:    r.Token,
		NoPermit: noPermit,
		After: func(ctx context.Context, receipts []*types.Receipt) error {
			if reqs != nil {
				var ids []protocol.RequestID
				for _, rc := range receipts {
					ids = append(ids, reqs.RequestIDs(rc)...)
				}
				out.RequestIDs = cmdutil.IDStrings(ids)
				return nil
			}
			got, err := nativeReceived(ctx, env.Chain, env.From, before, receipts, calls)
			if err != nil {
				return err
			}
			out.Received = txcmd.NewTokenAmount(got, env.Native())
			return nil
		},
	}
	if reqs == nil {
		// An instant unstake pays in its own transaction: what it paid is
		// the balance change, from the balance read with everything else
		// before the first send.
		before = req.ReadNativeBalance(env.From)
	}
	if out.Result, err = env.Run(ctx, req); err != nil {
		return nil, err
	}
	return out, nil
}

// balanceReader is the chain access nativeReceived needs.
type balanceReader interface {
	BalanceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (*big.Int, error)
}

// nativeReceived is the native coin that reached who through the mined
// receipts: its balance at the last receipt's block minus its balance
// before sending (read in the batch before the first send), plus what the
// transactions cost it (fees and any value the calls carried). The
// balance after is read at a fixed block, so later blocks cannot change
// the answer; a payment from someone else mined in between would be
// counted too.
func nativeReceived(ctx context.Context, c balanceReader, who common.Address, readBefore func() (*big.Int, error), receipts []*types.Receipt, calls []protocol.Call) (*big.Int, error) {
	if len(receipts) == 0 || readBefore == nil {
		return new(big.Int), nil
	}
	before, err := readBefore()
	if err != nil {
		return nil, err
	}
	last := receipts[len(receipts)-1].BlockNumber
	after, err := c.BalanceAt(ctx, who, last)
	if err != nil {
		return nil, fmt.Errorf("read the balance at block %s: %w", last, err)
	}
	got := new(big.Int).Sub(after, before)
	for _, rc := range receipts {
		if rc.EffectiveGasPrice != nil {
			got.Add(got, new(big.Int).Mul(new(big.Int).SetUint64(rc.GasUsed), rc.EffectiveGasPrice))
		}
	}
	for _, c := range calls {
		if c.Value != nil {
			got.Add(got, c.Value)
		}
	}
	return got, nil
}

// delegated is owner's stake with validator target, for "unstake all" of a
// native delegation; none is bad input.
func delegated(ctx context.Context, dg protocol.Delegator, p protocol.Protocol, owner common.Address, target string) (*big.Int, error) {
	ds, err := dg.Delegations(ctx, owner, target)
	if err != nil {
		return nil, err
	}
	total := new(big.Int)
	for _, d := range ds {
		total.Add(total, d.Staked)
	}
	if total.Sign() == 0 {
		return nil, cmdutil.BadInputf("%s has nothing delegated to %s validator %s", owner.Hex(), p.DisplayName(), target)
	}
	return total, nil
}
