// Package txcmd is the part every transaction-sending command shares: it
// resolves the network, RPC and signer, previews the plan, asks for
// confirmation, runs pkg/txflow and renders the outcome. Commands only
// build protocol calls and add their own result fields.
package txcmd

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/chain"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/txflow"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// Env is what a transaction command works with.
type Env struct {
	F      *cmdutil.Factory
	Net    *config.Network
	Chain  *chain.Client
	Signer signer.Signer
	From   common.Address
}

// Setup resolves the network, dials the RPC (verifying its chain ID) and
// opens the signer. The signer is opened first: a bad --signer is bad
// input and must fail before any network traffic.
func Setup(ctx context.Context, f *cmdutil.Factory) (*Env, error) {
	net, err := f.Network()
	if err != nil {
		return nil, err
	}
	s, err := f.Signer(ctx)
	if err != nil {
		return nil, err
	}
	c, err := f.Chain(ctx)
	if err != nil {
		return nil, err
	}
	return &Env{F: f, Net: net, Chain: c, Signer: s, From: s.Address()}, nil
}

// Close releases the signer's resources (a Ledger handle).
func (e *Env) Close() {
	if c, ok := e.Signer.(signer.Closer); ok {
		_ = c.Close()
	}
}

// Request is one command's batch of calls.
type Request struct {
	// Action names the command in JSON ("stake").
	Action string
	// Title is the preview's heading ("Stake 1 ETH with Lido").
	Title    string
	Protocol protocol.Protocol // nil for plain token transfers
	Calls    []protocol.Call
	// Amount and Token are the headline amount, echoed in JSON.
	Amount *big.Int
	Token  protocol.Token
	// ExtraABIs decode events and reverts of contracts outside Protocol.
	ExtraABIs []*abi.ABI
	// After adds command-specific result fields once every call is mined.
	After func(ctx context.Context, receipts []*types.Receipt) (json map[string]any, human *output.KV, err error)
}

func (r *Request) abis() []*abi.ABI {
	var out []*abi.ABI
	if r.Protocol != nil {
		out = append(out, r.Protocol.ABI())
	}
	return append(out, r.ExtraABIs...)
}

func (r *Request) hints() []abidecode.Hints {
	if h, ok := r.Protocol.(abidecode.Hinter); ok {
		return []abidecode.Hints{h.RevertHints()}
	}
	return nil
}

// Flow builds the pipeline with the global fee/gas/nonce overrides.
func (e *Env) Flow(req *Request) (*txflow.Flow, error) {
	g := e.F.Flags
	opts := txflow.Options{
		Network:       e.Net.Name,
		ChainID:       new(big.Int).SetUint64(e.Net.ChainID),
		GasLimit:      g.GasLimit,
		Confirmations: g.Confirmations,
		Timeout:       g.Timeout,
		RevertData:    abidecode.RevertData,
		DecodeRevert: func(data []byte) string {
			return abidecode.Human(abidecode.DecodeRevert(data, req.abis()...), req.hints()...)
		},
	}
	if g.Confirmations == 0 {
		return nil, cmdutil.BadInputf("--confirmations must be at least 1")
	}
	if g.Nonce >= 0 {
		n := uint64(g.Nonce)
		opts.Nonce = &n
	}
	var err error
	if g.MaxFee != "" {
		if opts.MaxFee, err = amount.GweiToWei(g.MaxFee); err != nil {
			return nil, cmdutil.BadInputf("--max-fee: %w", err)
		}
	}
	if g.PriorityFee != "" {
		if opts.PriorityFee, err = amount.GweiToWei(g.PriorityFee); err != nil {
			return nil, cmdutil.BadInputf("--priority-fee: %w", err)
		}
	}
	var j *journal.Journal
	if !g.DryRun {
		cfg, err := e.F.Config()
		if err != nil {
			return nil, err
		}
		if j, err = journal.Open(cfg.JournalDir()); err != nil {
			return nil, err
		}
	}
	return txflow.New(e.Chain, j, opts), nil
}

// Run previews req, asks for confirmation, sends and renders the outcome.
func (e *Env) Run(ctx context.Context, req *Request) error {
	io := e.F.IO
	flow, err := e.Flow(req)
	if err != nil {
		return err
	}
	io.StartProgress("Preparing " + req.Action)
	plan, err := flow.Prepare(ctx, e.From, req.Calls)
	io.StopProgress()
	if err != nil {
		return err
	}
	st := output.NewStyles(io)
	if e.F.Flags.DryRun {
		if e.F.Flags.JSON {
			return output.JSON(io.Out, e.dryRunJSON(req, plan))
		}
		e.renderPreview(io.Out, st, req, plan)
		fmt.Fprintln(io.Out, st.Dim.Render("Dry run: nothing was signed or sent."))
		return nil
	}
	if !e.F.Flags.Yes {
		e.renderPreview(io.ErrOut, st, req, plan)
		ok, err := io.Confirm("Confirm?")
		if errors.Is(err, iostreams.ErrNoTTY) {
			return cmdutil.WithExit(cmdutil.ExitNeedsInput, "confirmation_required",
				errors.New("confirmation needed but stdin is not a terminal: re-run with --yes to send without asking (nothing was signed)"))
		}
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.WithExit(cmdutil.ExitNeedsInput, "declined", errors.New("declined: nothing was signed or sent"))
		}
	}
	results, runErr := flow.Execute(ctx, plan, e.Signer, e.hooks(req, plan))
	io.StopProgress()
	var receipts []*types.Receipt
	for _, r := range results {
		if r.Receipt != nil {
			receipts = append(receipts, r.Receipt)
		}
	}
	if runErr != nil {
		if len(results) > 0 && !e.F.Flags.JSON {
			e.renderTransactions(io.ErrOut, st, req, results)
		}
		return runErr
	}
	var extraJSON map[string]any
	var extraHuman *output.KV
	if req.After != nil {
		if extraJSON, extraHuman, err = req.After(ctx, receipts); err != nil {
			return fmt.Errorf("%s succeeded, but reading the result failed: %w", req.Action, err)
		}
	}
	if e.F.Flags.JSON {
		doc := e.baseJSON(req)
		doc["transactions"] = e.transactionsJSON(req, results)
		for k, v := range extraJSON {
			doc[k] = v
		}
		return output.JSON(io.Out, doc)
	}
	fmt.Fprintln(io.Out, st.OK.Render("✓ ")+st.Title.Render(req.Title))
	e.renderTransactions(io.Out, st, req, results)
	if extraHuman != nil {
		extraHuman.Render(io.Out, st)
	}
	return nil
}

func (e *Env) hooks(req *Request, plan *txflow.Plan) txflow.Hooks {
	io := e.F.IO
	n := len(plan.Steps)
	return txflow.Hooks{
		Signing: func(i int, s *txflow.Step) {
			io.StartProgress(fmt.Sprintf("[%d/%d] Signing %s with %s", i+1, n, s.Call.Action, e.Signer))
		},
		Sent: func(i int, h common.Hash) {
			io.StartProgress(fmt.Sprintf("[%d/%d] Waiting for %s to be mined", i+1, n, h.Hex()))
			if !io.IsStderrTTY() && !e.F.Flags.JSON {
				fmt.Fprintf(io.ErrOut, "sent %s: %s\n", plan.Steps[i].Call.Action, h.Hex())
			}
		},
	}
}
