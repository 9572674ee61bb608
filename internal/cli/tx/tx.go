// Package tx implements `stakewallet tx`: the journal of signed
// transactions seen against the chain. pending and status read it (and
// bring it up to date), speedup and cancel replace a stuck transaction by
// re-signing its nonce with higher fees, and send broadcasts a transaction
// signed elsewhere. One file per subcommand; observe.go holds what they
// share: asking the chain about a journaled transaction.
package tx

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/pkg/abidecode"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// lookupTimeout bounds the read-only chain queries of pending and status;
// the RPC client retries and fails over within it.
const lookupTimeout = 2 * time.Minute

// NewCmdTx returns the tx command and its subcommands. Each subcommand has
// its own NewCmdX(f, runF) for tests; the parent only groups them.
func NewCmdTx(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tx <command>",
		Short: "The journal of signed transactions: pending, status, speedup, cancel, send",
		Long: `Every transaction stakewallet signs is written (and fsynced) to the journal
before it is broadcast: <config dir>/stakewallet/journal/CHAINID-HASH.json
($STAKEWALLET_HOME/journal if set). These commands read it against the chain:

  pending   what is signed or broadcast but not mined yet
  status    one transaction: the journal entry and what the node says
  speedup   re-sign a stuck transaction with higher fees (same nonce)
  cancel    replace a stuck transaction by a 0-value transfer to yourself
  send      broadcast a signed raw transaction or signed document (from a file, or - for stdin)
  sign      sign an unsigned transaction document (from --unsigned) with no network

When a command times out (exit 5) the transaction is out there: do not send
it again; follow it with ` + "`stakewallet tx status HASH`" + `, and if it is stuck,
speed it up or cancel it.`,
		Example: `  stakewallet tx pending --signer alice
  stakewallet tx status 0x5c50…e0a1
  stakewallet tx speedup 0x5c50…e0a1 --signer alice
  stakewallet tx cancel 0x5c50…e0a1 --signer alice --max-fee 40
  stakewallet tx send signed.hex`,
	}
	cmd.AddCommand(
		NewCmdPending(f, nil),
		NewCmdStatus(f, nil),
		NewCmdSpeedup(f, nil),
		NewCmdCancel(f, nil),
		NewCmdSend(f, nil),
		NewCmdSign(f, nil),
	)
	return cmd
}

// parseHash parses a transaction hash: 0x and 64 hex digits.
func parseHash(s string) (common.Hash, error) {
	b, err := hexutil.Decode(s)
	if err != nil || len(b) != common.HashLength {
		return common.Hash{}, cmdutil.BadInputf("%q is not a transaction hash (0x followed by 64 hex digits)", s)
	}
	return common.BytesToHash(b), nil
}

// openJournal opens the journal of the configured state directory.
func openJournal(d txcmd.Deps) (*journal.Journal, error) {
	cfg, err := d.Config()
	if err != nil {
		return nil, err
	}
	return journal.Open(cfg.JournalDir())
}

// entryFile is where an entry lives, for messages that point at it.
func entryFile(j *journal.Journal, e *journal.Entry) string {
	return filepath.Join(j.Dir(), fmt.Sprintf("%d-%s.json", e.ChainID, e.Hash.Hex()))
}

// decoder explains reverts and events with every protocol configured on
// the network plus ERC-20; a protocol that cannot be bound only costs
// decoding, never the command.
type decoder struct {
	abis  []*abi.ABI
	hints []abidecode.Hints
}

func newDecoder(ctx context.Context, deps txcmd.Deps) *decoder {
	d := &decoder{abis: []*abi.ABI{erc20.ABI}}
	ps, err := txcmd.Protocols(ctx, deps)
	if err != nil {
		return d
	}
	for _, p := range ps {
		d.abis = append(d.abis, p.ABI())
		if h, ok := p.(protocol.Hinter); ok {
			d.hints = append(d.hints, h.RevertHints())
		}
	}
	return d
}

func (d *decoder) revert(data []byte) string {
	return abidecode.Human(abidecode.DecodeRevert(data, d.abis...), d.hints...)
}

// short abbreviates a hash for prose (the full one is in JSON and tables).
func short(h common.Hash) string {
	s := h.Hex()
	return s[:10] + "…" + s[len(s)-4:]
}

// noSigner reports whether no account was selected (no --signer and no
// default signer), for commands that otherwise act on the signer's account.
func noSigner(d txcmd.Deps) bool {
	if d.Signer != nil && d.Signer() != "" {
		return false
	}
	cfg, err := d.Config()
	return err == nil && strings.TrimSpace(cfg.DefaultSigner) == ""
}
