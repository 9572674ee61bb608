// Package transfer implements `stakewallet transfer`.
package transfer

import (
	"context"
	"fmt"
	"io"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
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

// TransferOptions are the transfer command's inputs.
type TransferOptions struct {
	txcmd.Deps
	JSON bool
	Tx   cmdutil.TxFlags

	// Amount is a decimal in whole tokens, or "all".
	Amount string
	// Token is a symbol among the network's protocols' tokens, or an
	// ERC-20 contract address.
	Token string
	// To is the recipient as typed: an address or an ENS name.
	To string
}

// NewCmdTransfer returns the transfer command; runF replaces its body in tests.
func NewCmdTransfer(f *cmdutil.Factory, runF func(*TransferOptions) error) *cobra.Command {
	opts := &TransferOptions{Deps: txcmd.DepsFrom(f), Tx: cmdutil.DefaultTxFlags()}
	cmd := &cobra.Command{
		Use:   "transfer AMOUNT|all TOKEN --to ADDRESS|NAME",
		Short: "Send a liquid staking token (ERC-20) to another address",
		Long: `Transfer AMOUNT of TOKEN to --to. TOKEN is a symbol known on the network
(stETH, wstETH, …) or a token contract address. --to is an address or an
ENS name (alice.eth), resolved on networks that have ENS; the preview and
the result show the address it resolved to. A recipient that is a contract
gets a warning. Note that stETH is a rebasing token: a transfer may arrive
1-2 wei short (Lido's rounding).
Tokens their contract does not let move between accounts (per-validator
credits) are refused.`,
		Example: `  stakewallet transfer 0.1 stETH --to 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --signer alice
  stakewallet transfer all wstETH --to 0x7099… --signer ledger --yes --json
  stakewallet transfer 0.5 stETH --to vitalik.eth --network mainnet --signer ledger`,
		Args:              cmdutil.ExactArgs(2, "AMOUNT and TOKEN"),
		ValidArgsFunction: cmdutil.CompletePositional(nil, cmdutil.CompleteTokens(f, cmdutil.Transferable)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Amount, opts.Token = args[0], args[1]
			opts.JSON = f.Flags.JSON
			// A missing recipient is a usage error, known before anything
			// is resolved.
			if opts.To == "" {
				return cmdutil.BadInputf("--to ADDRESS (or an ENS name) is required")
			}
			if runF != nil {
				return runF(opts)
			}
			return transferRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.To, "to", "", "recipient address or ENS name (required)")
	cmdutil.AddTxFlags(cmd, &opts.Tx)
	return cmd
}

func transferRun(ctx context.Context, opts *TransferOptions) error {
	// A mistyped address or name fails before anything is dialled; a name
	// is resolved once the chain is.
	if err := txcmd.CheckAccount("--to", opts.To); err != nil {
		return err
	}
	if opts.Amount != "all" {
		if err := amount.CheckSyntax(opts.Amount); err != nil {
			return cmdutil.BadInput(err)
		}
	}
	env, err := txcmd.Setup(ctx, opts.Deps, opts.JSON, opts.Tx)
	if err != nil {
		return err
	}
	defer env.Close()
	recipient, err := txcmd.ResolveAccount(ctx, opts.Deps, env.Chain, "--to", opts.To)
	if err != nil {
		return err
	}
	to := recipient.Address
	if to == (common.Address{}) {
		return cmdutil.BadInputf("--to is the zero address: tokens sent there are lost")
	}
	ps, err := txcmd.Protocols(ctx, opts.Deps)
	if err != nil {
		return err
	}
	token, p, err := txcmd.FindToken(ctx, env.Chain, ps, opts.Token)
	if err != nil || p == nil {
		// A validator's credit (BNB) is no static token of its protocol.
		if c, cp, ok := cmdutil.CreditToken(ctx, ps, opts.Token); ok {
			token, p, err = c, cp, nil
		}
	}
	if err != nil {
		return err
	}
	if token.NotTransferable {
		return cmdutil.BadInputf("%s cannot be transferred: its contract does not move it between accounts", token.Symbol)
	}
	if token.IsNative() {
		// The native coin has no contract to call transfer on.
		return cmdutil.BadInputf("%s is the native coin, not a token: transfer sends ERC-20 tokens", token.Symbol)
	}
	if to == token.Address {
		return cmdutil.BadInputf("--to is the %s contract itself: tokens sent there are lost", token.Symbol)
	}
	value, err := txcmd.ParseTokenAmount(ctx, env.Chain, opts.Amount, token, env.From, true)
	if err != nil {
		return err
	}
	out := &Result{token: token, recipient: recipient}
	// The balance is a Check, and the recipient's code is read, in the
	// batch before the send: no round trip of their own.
	call := erc20.TransferCall(token, to, value)
	call.Checks = append(call.Checks, txcmd.BalanceCheck(token, env.From, value))
	req := &txcmd.Request{
		Action:    "transfer",
		Title:     fmt.Sprintf("Transfer %s to %s", amount.FormatUnits(value, token.Decimals, token.Symbol), recipient),
		Protocol:  p,
		Calls:     []protocol.Call{call},
		Amount:    value,
		Token:     token,
		ExtraABIs: []*abi.ABI{erc20.ABI},
		After: func(ctx context.Context, receipts []*types.Receipt) error {
			// What the Transfer events say arrived: a rebasing token may
			// move a wei or two less than asked.
			out.sent = erc20.Transferred(receipts, token.Address, env.From, to)
			out.To, out.Token, out.Transferred = to.Hex(), token.Address.Hex(), out.sent.String()
			out.ToName = recipient.Name
			return nil
		},
	}
	warning := req.ReadRecipientWarning(recipient, token.Symbol)
	req.Prepared = func() error {
		w, err := warning()
		if err != nil {
			return err
		}
		if w != "" {
			// Before the preview, so that it is read before confirming.
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s\n", output.Safe(w))
			out.Warnings = append(out.Warnings, w)
		}
		return nil
	}
	out.Result, err = env.Run(ctx, req)
	if err != nil {
		return err
	}
	return output.Print(opts.IO, opts.JSON, out)
}

// Result is what transfer did: the transactions and, once mined, the
// recipient (with the ENS name it was given as, if any), the token
// contract and the amount its events moved (base units). Warnings are
// what was said about the recipient before the preview.
type Result struct {
	*txcmd.Result
	To          string   `json:"to,omitempty"`
	ToName      string   `json:"toName,omitempty"`
	Token       string   `json:"token,omitempty"`
	Transferred string   `json:"transferred,omitempty"`
	Warnings    []string `json:"warnings,omitempty"`

	token     protocol.Token
	recipient txcmd.Account
	sent      *big.Int
}

// RenderHuman implements output.Human.
func (r *Result) RenderHuman(w io.Writer, st output.Styles) {
	r.Result.RenderHuman(w, st)
	if r.sent == nil {
		return
	}
	(&output.KV{}).Add("to", r.recipient.String()).Add("transferred", output.Safe(amount.FormatUnits(r.sent, r.token.Decimals, r.token.Symbol))).Render(w, st)
}
