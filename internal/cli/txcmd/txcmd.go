// Package txcmd is the part every transaction-sending command shares: it
// resolves the network, RPC and account, previews the plan, asks for
// confirmation, runs pkg/txflow and returns a typed result. Commands only
// build protocol calls and fill their own result fields.
package txcmd

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"os"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/amount"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/txflow"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// Deps are the factory functions a sending command uses. Commands copy
// them from the factory (DepsFrom); tests fill them with fakes.
type Deps struct {
	IO       *iostreams.IOStreams
	Config   func() (*config.Config, error)
	Network  func() (*config.Network, error)
	Chain    func(ctx context.Context) (cmdutil.Chain, error)
	Protocol func(ctx context.Context, name string) (protocol.Protocol, error)
	Account  func(ctx context.Context) (*signer.Lazy, error)
	Address  func(ctx context.Context) (common.Address, error)
	// Signer is the --signer flag as given ("" = the config default), for
	// read-only commands that need to know whether one was named.
	Signer func() string
}

// DepsFrom copies the factory's functions.
func DepsFrom(f *cmdutil.Factory) Deps {
	return Deps{
		IO: f.IO, Config: f.Config, Network: f.Network, Chain: f.Chain, Protocol: f.Protocol,
		Account: f.Account, Address: f.Address, Signer: func() string { return f.Flags.Signer },
	}
}

// Env is what a transaction command works with.
type Env struct {
	Deps
	JSON bool
	Tx   cmdutil.TxFlags
	Net  *config.Network
	// Chain is the dialled RPC, its chain ID verified.
	Chain cmdutil.Chain
	// Signer signs for From; its key opens only at the first signature.
	Signer *signer.Lazy
	From   common.Address
}

// Setup resolves the network, the account (its address only: no key is
// unlocked) and dials the RPC (verifying its chain ID). The account comes
// first: a bad --signer is bad input and must fail before any traffic.
func Setup(ctx context.Context, d Deps, asJSON bool, tx cmdutil.TxFlags) (*Env, error) {
	if tx.Confirmations == 0 {
		return nil, cmdutil.BadInputf("--confirmations must be at least 1")
	}
	if err := checkOfflineFlags(tx); err != nil {
		return nil, err
	}
	net, err := d.Network()
	if err != nil {
		return nil, err
	}
	if tx.From != "" {
		// An account without a key (--unsigned or --dry-run only): it
		// overrides --signer and STAKEWALLET_SIGNER.
		c, err := d.Chain(ctx)
		if err != nil {
			return nil, err
		}
		s, err := fromAccount(ctx, d, c, tx.From)
		if err != nil {
			return nil, err
		}
		return &Env{Deps: d, JSON: asJSON, Tx: tx, Net: net, Chain: c, Signer: s, From: s.Address()}, nil
	}
	s, err := d.Account(ctx)
	if err != nil {
		return nil, err
	}
	if w, ok := keys.IsWatchOnly(s); ok && !tx.Offline() {
		// Before any traffic: this signer can only build or preview.
		_ = s.Close()
		return nil, w.Unavailable()
	}
	c, err := d.Chain(ctx)
	if err != nil {
		_ = s.Close()
		return nil, err
	}
	return &Env{Deps: d, JSON: asJSON, Tx: tx, Net: net, Chain: c, Signer: s, From: s.Address()}, nil
}

// Close releases the signer's resources (a Ledger handle, an opened key).
func (e *Env) Close() { _ = e.Signer.Close() }

// Native is the network's coin.
func (e *Env) Native() protocol.Token { return e.Net.Native() }

// Request is one command's batch of calls.
type Request struct {
	// Action names the command in JSON ("stake").
	Action string
	// Title is the preview's heading ("Stake 1 ETH with Lido").
	Title    string
	Protocol protocol.Protocol // nil for plain token transfers
	Calls    []protocol.Call
	// Amount and Token are the headline amount, echoed in JSON; the zero
	// Token means the native coin.
	Amount *big.Int
	Token  protocol.Token
	// ExtraABIs decode events and reverts of contracts outside Protocol.
	ExtraABIs []*abi.ABI
	// After fills the command's own result fields once every call is
	// mined (not on a dry run).
	After func(ctx context.Context, receipts []*types.Receipt) error
	// Reads are the command's own reads, answered in the same round trip
	// as everything Prepare reads before the first send (their Result and
	// Error are filled before Prepared and After run). ReadTokenBalance
	// adds one.
	Reads []rpc.BatchElem
	// Prepared, when set, runs once the plan is filled (Reads answered),
	// before the preview: for warnings the preview must follow.
	Prepared func() error
	// NoPermit keeps approve + call where a call offers an EIP-2612
	// permit (--no-permit); see permit.go.
	NoPermit bool
}

func (r *Request) abis() []*abi.ABI {
	var out []*abi.ABI
	if r.Protocol != nil {
		out = append(out, r.Protocol.ABI())
	}
	return append(out, r.ExtraABIs...)
}

func (r *Request) hints() []abidecode.Hints {
	if h, ok := r.Protocol.(protocol.Hinter); ok {
		return []abidecode.Hints{h.RevertHints()}
	}
	return nil
}

// Flow builds the pipeline with the transaction flags' overrides.
func (e *Env) Flow(req *Request) (*txflow.Flow, error) {
	g := e.Tx
	opts := txflow.Options{
		Network:       e.Net.Name,
		ChainID:       new(big.Int).SetUint64(e.Net.ChainID),
		GasLimit:      g.GasLimit,
		Confirmations: g.Confirmations,
		Timeout:       g.Timeout,
		RevertData:    abidecode.RevertData,
		// The network's fee cap (an explicit --max-fee overrides it) and
		// its coin, for messages in coins rather than wei.
		MaxFeeCap:      e.Net.MaxFeeCap,
		HighFeeOK:      g.YesHighFee,
		NativeSymbol:   e.Net.NativeSymbol,
		NativeDecimals: e.Net.NativeDecimals,
		// Named in the account lock, so that a run waiting for it can say
		// what it waits for.
		Command: fmt.Sprintf("stakewallet %s: %s", req.Action, req.Title),
		DecodeRevert: func(data []byte) string {
			return abidecode.Human(abidecode.DecodeRevert(data, req.abis()...), req.hints()...)
		},
	}
	if g.Confirmations == 0 {
		return nil, cmdutil.BadInputf("--confirmations must be at least 1")
	}
	e.permitOptions(req, &opts)
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
	cfg, err := e.Config()
	if err != nil {
		return nil, err
	}
	var j *journal.Journal
	switch _, statErr := os.Stat(cfg.JournalDir()); {
	case !g.Offline():
		if j, err = journal.Open(cfg.JournalDir()); err != nil {
			return nil, err
		}
	case statErr == nil:
		// A dry run (or an unsigned document) reads the journal, so that
		// its nonce is the one a real run would take (past open entries),
		// but creates nothing.
		if j, err = journal.Open(cfg.JournalDir()); err != nil {
			return nil, err
		}
	}
	return txflow.New(e.Chain, j, opts), nil
}

// Run previews req, asks for confirmation, sends, and returns the result
// (a dry run's: the filled, unsigned plan). The key is unlocked only
// after the confirmation, at the first signature.
func (e *Env) Run(ctx context.Context, req *Request) (*Result, error) {
	io := e.IO
	flow, err := e.Flow(req)
	if err != nil {
		return nil, err
	}
	io.StartProgress("Preparing " + req.Action)
	plan, err := flow.Prepare(ctx, e.From, req.Calls, req.Reads...)
	io.StopProgress()
	if err != nil {
		return nil, err
	}
	if req.Prepared != nil {
		if err := req.Prepared(); err != nil {
			return nil, err
		}
	}
	res := e.newResult(req, plan)
	if e.Tx.Unsigned {
		// Built, filled, simulated: written down for signing elsewhere.
		// Nothing is unlocked.
		return e.writeUnsigned(req, plan, res)
	}
	if e.Tx.DryRun {
		res.markDryRun()
		return res, nil
	}
	if !e.Tx.Yes {
		st := output.NewStyles(io)
		e.renderPreview(io.ErrOut, st, req, plan)
		ok, err := io.Confirm("Confirm?")
		if errors.Is(err, iostreams.ErrNoTTY) {
			return nil, cmdutil.WithExit(cmdutil.ExitNeedsInput, "confirmation_required",
				errors.New("confirmation needed but stdin is not a terminal: re-run with --yes to send without asking (nothing was signed)"))
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, cmdutil.WithExit(cmdutil.ExitNeedsInput, "declined", errors.New("declined: nothing was signed or sent"))
		}
	}
	// The user confirmed: unlock the key now, before Execute takes the
	// account's lock, so that a slow unlock (scrypt, a keyring prompt)
	// does not hold up other runs for the same account.
	if _, err := e.Signer.Open(ctx); err != nil {
		return nil, err
	}
	results, runErr := flow.Execute(ctx, plan, e.Signer, e.hooks(req, plan))
	io.StopProgress()
	var receipts []*types.Receipt
	for _, r := range results {
		if r.Receipt != nil {
			receipts = append(receipts, r.Receipt)
		}
	}
	res.setSent(results)
	if runErr != nil {
		if len(results) > 0 && !e.JSON {
			res.renderTransactions(io.ErrOut, output.NewStyles(io))
		}
		return nil, runErr
	}
	if req.After != nil {
		if err := req.After(ctx, receipts); err != nil {
			return nil, fmt.Errorf("%s succeeded, but reading the result failed: %w", req.Action, err)
		}
	}
	return res, nil
}

func (e *Env) hooks(req *Request, plan *txflow.Plan) txflow.Hooks {
	io := e.IO
	n := len(plan.Steps)
	return txflow.Hooks{
		Signing: func(i int, s *txflow.Step) {
			io.StartProgress(fmt.Sprintf("[%d/%d] Signing %s with %s", i+1, n, s.Call.Action, e.Signer))
		},
		SigningPermit: func(i int, s *txflow.Step) {
			io.StartProgress(fmt.Sprintf("[%d/%d] Signing the %s permit of %s with %s", i+1, n, output.Safe(s.Permit.Request.Token.Symbol), s.Call.Action, e.Signer))
		},
		LockWait: func(h journal.Holder) {
			io.StopProgress()
			fmt.Fprintf(io.ErrOut, "Waiting for another stakewallet run that is signing for %s: %s\n", e.From.Hex(), h)
		},
		Note: func(i int, msg string) {
			io.StopProgress()
			fmt.Fprintf(io.ErrOut, "note: %s\n", output.SafeLines(msg)) // may quote the node
		},
		Sending: func(i int, h common.Hash) {
			io.StartProgress(fmt.Sprintf("[%d/%d] Sending %s and waiting for it to be mined", i+1, n, h.Hex()))
		},
		Sent: func(i int, h common.Hash) {
			io.StartProgress(fmt.Sprintf("[%d/%d] Waiting for %s to be mined", i+1, n, h.Hex()))
			if !io.IsStderrTTY() && !e.JSON {
				fmt.Fprintf(io.ErrOut, "sent %s: %s\n", plan.Steps[i].Call.Action, h.Hex())
			}
		},
	}
}
