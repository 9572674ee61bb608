// Package stake implements `stakewallet stake`.
package stake

import (
	"context"
	"fmt"
	"io"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// StakeOptions are the stake command's inputs.
type StakeOptions struct {
	txcmd.Deps
	JSON bool
	Tx   cmdutil.TxFlags

	Amount       string
	ProtocolName string
	Validator    string
	Referral     string
}

// NewCmdStake returns the stake command; runF replaces its body in tests.
func NewCmdStake(f *cmdutil.Factory, runF func(*StakeOptions) error) *cobra.Command {
	opts := &StakeOptions{Deps: txcmd.DepsFrom(f), Tx: cmdutil.DefaultTxFlags()}
	cmd := &cobra.Command{
		Use:   "stake AMOUNT",
		Short: "Stake native coin and receive the protocol's liquid staking token",
		Long: `Stake AMOUNT of the network's native coin (e.g. ETH) with a staking
protocol (default: the network's, lido on Ethereum networks) and receive its
token (stETH). AMOUNT is a decimal in whole coins: 1.5 means 1.5 ETH.
Protocols that delegate to a validator need --validator.`,
		Example: `  stakewallet stake 1 --signer alice
  stakewallet stake 0.25 --signer ledger --network hoodi --rpc-url https://…
  stakewallet stake 32 --signer alice --dry-run --json`,
		Args: cmdutil.ExactArgs(1, "AMOUNT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Amount = args[0]
			opts.JSON = f.Flags.JSON
			if runF != nil {
				return runF(opts)
			}
			return stakeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.ProtocolName, "protocol", "", "protocol to stake with (default: the network's)")
	cmd.Flags().StringVar(&opts.Validator, "validator", "", "validator to delegate to, for protocols that delegate")
	cmd.Flags().StringVar(&opts.Referral, "referral", "", "referral address passed to the protocol")
	cmdutil.AddTxFlags(cmd, &opts.Tx)
	return cmd
}

func stakeRun(ctx context.Context, opts *StakeOptions) error {
	net, err := opts.Network()
	if err != nil {
		return err
	}
	value, err := Amount(opts.Amount, net.Native())
	if err != nil {
		return err
	}
	var referral common.Address
	if opts.Referral != "" {
		if referral, err = cmdutil.ParseAddress("--referral", opts.Referral); err != nil {
			return err
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
	target, err := cmdutil.ValidatorTarget(ctx, p, opts.Validator, cmdutil.ForStake)
	if err != nil {
		return err
	}
	res, err := Stake(ctx, env, p, protocol.StakeRequest{From: env.From, Amount: value, Target: target, Referral: referral}, "Stake")
	if err != nil {
		return err
	}
	return output.Print(opts.IO, opts.JSON, res)
}

// Result is what stake did: the transactions, the staked token received
// (read from its mint event) and the balance after.
type Result struct {
	*txcmd.Result
	Received *txcmd.TokenAmount `json:"received,omitempty"`
	Balance  *txcmd.TokenAmount `json:"balance,omitempty"`
}

// RenderHuman implements output.Human.
func (r *Result) RenderHuman(w io.Writer, st output.Styles) {
	r.Result.RenderHuman(w, st)
	(&output.KV{}).Add("received", r.Received.Human()).Add("balance", r.Balance.Human()).Render(w, st)
}

// CheckTarget refuses a validator the protocol does not take, or its
// absence where the protocol needs one, before anything is read.
func CheckTarget(p protocol.Protocol, target string) error {
	switch p.Targets() {
	case protocol.TargetRequired:
		if target == "" {
			return cmdutil.BadInputf("%s delegates to a validator: pass --validator ID (`stakewallet validators` lists them)", p.DisplayName())
		}
	case protocol.TargetNone:
		if target != "" {
			return cmdutil.BadInputf("%s pools the stake: --validator is not taken", p.DisplayName())
		}
	}
	return nil
}

// Stake stakes r with p through env: builds the calls, previews, sends and
// reads the result. verb heads the preview ("Stake", "Restake"); restake
// reuses it.
func Stake(ctx context.Context, env *txcmd.Env, p protocol.Protocol, r protocol.StakeRequest, verb string) (*Result, error) {
	if err := CheckTarget(p, r.Target); err != nil {
		return nil, err
	}
	calls, err := p.Stake(ctx, r)
	if err != nil {
		return nil, err
	}
	out := &Result{}
	staked, hasStaked := p.Tokens().ByRole(protocol.RoleStaked)
	native := env.Native()
	if u, ok := p.Tokens().ByRole(protocol.RoleUnderlying); ok {
		native = u // the protocol stakes an ERC-20 (POL), not the coin
	}
	title := fmt.Sprintf("%s %s with %s", verb, amount.FormatUnits(r.Amount, native.Decimals, native.Symbol), p.DisplayName())
	if r.Target != "" {
		title += " (validator " + r.Target + ")"
	}
	req := &txcmd.Request{
		Action:   "stake",
		Title:    title,
		Protocol: p,
		Calls:    calls,
		Amount:   r.Amount,
	}
	var before func() (*big.Int, error)
	if hasStaked {
		// Read with everything else before the send: the balance after is
		// the one before plus what the receipts' events minted.
		before = req.ReadTokenBalance(staked.Address, env.From)
	}
	req.After = func(ctx context.Context, receipts []*types.Receipt) error {
		if !hasStaked {
			return nil
		}
		received := erc20.Transferred(receipts, staked.Address, common.Address{}, env.From)
		balance, err := txcmd.BalanceAfter(ctx, env.Chain, staked.Address, env.From, before, receipts)
		if err != nil {
			return err
		}
		out.Received, out.Balance = txcmd.NewTokenAmount(received, staked), txcmd.NewTokenAmount(balance, staked)
		return nil
	}
	if out.Result, err = env.Run(ctx, req); err != nil {
		return nil, err
	}
	return out, nil
}

// Amount parses a stake amount in the network's native coin.
func Amount(s string, native protocol.Token) (*big.Int, error) {
	v, err := amount.ParsePositive(s, native.Decimals)
	if err != nil {
		return nil, cmdutil.BadInput(err)
	}
	return v, nil
}
