package txcmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"sort"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/erc20"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/txdoc"
	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// unsignedHintFactor multiplies the gas hint of a call that cannot be
// estimated before an earlier call of the document is mined.
const unsignedHintFactor = 2

// checkOfflineFlags refuses combinations of --unsigned, --out and --from
// that cannot mean anything, before anything is read.
func checkOfflineFlags(tx cmdutil.TxFlags) error {
	switch {
	case tx.Unsigned && tx.DryRun:
		return cmdutil.BadInputf("--unsigned already previews without signing; drop --dry-run")
	case tx.Out != "" && !tx.Unsigned:
		return cmdutil.BadInputf("--out FILE goes with --unsigned (the file receives the unsigned transaction document)")
	case tx.From != "" && !tx.Offline():
		return cmdutil.WithExit(cmdutil.ExitSignerUnavl, "signer_unavailable", fmt.Errorf(
			"--from %s names an account without a key: it can build the transaction unsigned (--unsigned --out FILE, then `stakewallet tx sign FILE` where the key is) or preview it (--dry-run); to sign here, pass --signer instead: %w",
			tx.From, signer.ErrUnavailable))
	}
	if tx.Out != "" {
		// Before any traffic; WriteNew refuses it again at the end.
		if _, err := os.Lstat(tx.Out); err == nil {
			return cmdutil.BadInputf("%s already exists; refusing to overwrite it (choose another --out, or remove it)", tx.Out)
		}
	}
	return nil
}

// fromAccount is the keyless signer of --from (an address or an ENS name,
// resolved on c).
func fromAccount(ctx context.Context, d Deps, c cmdutil.Chain, from string) (*signer.Lazy, error) {
	if err := CheckAccount("--from", from); err != nil {
		return nil, err
	}
	acct, err := ResolveAccount(ctx, d, c, "--from", from)
	if err != nil {
		return nil, err
	}
	return signer.Opened(keys.NewWatchOnly(acct.Address, "--from "+acct.String())), nil
}

// unsignedOut is what --unsigned adds to a command's result.
type unsignedOut struct {
	doc  *txdoc.Doc
	data []byte // the document, when it goes to stdout
	file string
}

// Document implements output.Document: without --out, the unsigned
// document is the command's output, as it is (with or without --json).
func (r *Result) Document() []byte {
	if r == nil || r.unsigned == nil || r.unsigned.file != "" {
		return nil
	}
	return r.unsigned.data
}

// abisFor are the ABIs a document's calldata is decoded with: the
// protocol's, then ERC-20's. Both sides of offline signing use this order.
func abisFor(p protocol.Protocol) []*abi.ABI {
	if p == nil {
		return []*abi.ABI{erc20.ABI}
	}
	return []*abi.ABI{p.ABI(), erc20.ABI}
}

// writeUnsigned turns the filled plan into an unsigned document, checks
// it as tx sign will, shows its preview and writes it.
func (e *Env) writeUnsigned(req *Request, plan *txflow.Plan, res *Result) (*Result, error) {
	doc := &txdoc.Doc{
		Type: txdoc.TypeUnsigned, Version: txdoc.Version,
		Network: e.Net.Name, ChainID: e.Net.ChainID, From: plan.From,
		Native: txdoc.Token{Symbol: e.Net.NativeSymbol, Decimals: e.Net.NativeDecimals},
		Action: req.Action, Title: req.Title,
		CreatedAt: time.Now().UTC().Truncate(time.Second),
	}
	if req.Protocol != nil {
		doc.Protocol = req.Protocol.Name()
	}
	for i, s := range plan.Steps {
		t := &txdoc.Tx{
			Action: s.Call.Action, Description: s.Call.Description,
			Nonce: s.Nonce, To: s.Call.To, Value: txdoc.NewWei(s.Call.Value), Data: s.Call.Data,
			Gas: s.GasLimit, GasEstimated: s.Estimated,
			MaxFeePerGas: txdoc.NewWei(s.MaxFee), MaxPriorityFeePerGas: txdoc.NewWei(s.Tip),
		}
		if s.Call.Amount != nil {
			t.Amount = txdoc.NewWei(s.Call.Amount)
			tok := s.Call.Token
			if tok.IsNative() {
				tok = e.Native()
			}
			t.Token = &txdoc.Token{Symbol: tok.Symbol, Decimals: tok.Decimals}
			if !tok.IsNative() {
				a := tok.Address
				t.Token.Address = &a
			}
		}
		p, err := PermitDoc(s) // permit.go
		if err != nil {
			return nil, err
		}
		t.Permit = p
		if !s.Estimated {
			// A live run estimates this call once the earlier one is
			// mined; a document is signed before that, so it carries
			// twice the protocol's figure (unused gas is not paid).
			t.Gas = unsignedHintFactor * s.GasLimit
			doc.Notes = append(doc.Notes, fmt.Sprintf(
				"transaction %d's gas limit (%d) is %d × the protocol's figure: the node cannot estimate it before transaction %d is mined (gas not used is not paid); sign and send them together",
				i+1, t.Gas, unsignedHintFactor, i))
		}
		doc.Transactions = append(doc.Transactions, t)
	}
	doc.Preview = txdoc.Lines(doc, abisFor(req.Protocol)...)
	// The check tx sign will make, here first: a document this wallet
	// would refuse to sign is not worth carrying to the offline machine.
	cfg, err := e.Config()
	if err != nil {
		return nil, err
	}
	dep, err := DeploymentFor(cfg, e.Net, doc.Protocol)
	if err != nil {
		return nil, err
	}
	if err := txdoc.Check(doc, dep); err != nil {
		return nil, fmt.Errorf("the unsigned document does not pass its own check (a bug; nothing was written): %w", err)
	}
	data, err := doc.Marshal()
	if err != nil {
		return nil, err
	}
	out := &unsignedOut{doc: doc, file: e.Tx.Out}
	if !e.JSON {
		st := output.NewStyles(e.IO)
		RenderLines(e.IO.ErrOut, st, doc.Preview)
		RenderWarnings(e.IO.ErrOut, st, txdoc.Warnings(doc, dep))
	}
	if e.Tx.Out != "" {
		if err := txdoc.WriteNew(e.Tx.Out, data); err != nil {
			if errors.Is(err, txdoc.ErrExists) {
				return nil, cmdutil.BadInput(err)
			}
			return nil, err
		}
	} else {
		out.data = data
	}
	res.markDryRun()
	res.DryRun = false
	res.Unsigned, res.DocumentFile, res.unsigned = true, e.Tx.Out, out
	for i := range res.Transactions {
		gas := doc.Transactions[i].Gas
		res.Transactions[i].Status, res.Transactions[i].GasLimit = "unsigned", &gas
	}
	res.MaxFee = doc.MaxCost().String()
	return res, nil
}

// RenderLines prints a document's preview lines: the first as the title.
// The lines come from a file and may quote the chain: they are shown Safe.
func RenderLines(w io.Writer, st output.Styles, lines []string) {
	for i, l := range lines {
		l = output.Safe(l)
		if i == 0 {
			fmt.Fprintln(w, st.Title.Render(l))
			continue
		}
		fmt.Fprintln(w, "  "+l)
	}
}

// RenderWarnings prints what a document's check could not verify.
func RenderWarnings(w io.Writer, st output.Styles, warnings []string) {
	for _, m := range warnings {
		fmt.Fprintln(w, st.Warn.Render("warning: ")+output.Safe(m))
	}
}

// renderUnsigned is the human result of --unsigned --out FILE.
func (r *Result) renderUnsigned(w io.Writer, st output.Styles) {
	u := r.unsigned
	n := len(u.doc.Transactions)
	first, last := u.doc.Transactions[0].Nonce, u.doc.Transactions[n-1].Nonce
	nonces := fmt.Sprintf("nonce %d", first)
	if n > 1 {
		nonces = fmt.Sprintf("nonces %d–%d", first, last)
	}
	fmt.Fprintln(w, st.OK.Render("✓ ")+st.Title.Render(fmt.Sprintf("Unsigned: %s (%d transaction(s), %s)", output.Safe(r.req.Title), n, nonces)))
	(&output.KV{}).Add("document", u.file).Render(w, st)
	fmt.Fprintf(w, "Nothing was signed or sent. Sign it where the key is (no network needed):\n  stakewallet tx sign %s --signer KEY --out signed.json\nthen broadcast it here:\n  stakewallet tx send signed.json\n", u.file)
}

// DeploymentFor is what the offline side checks a document of protocol
// name (or "" for plain token transfers) against on network n: the
// contracts and tokens of the built-in table and the config file, and the
// ABIs that decode the calldata. Adapters are bound to a backend that
// refuses every call: nothing here may reach a network.
func DeploymentFor(cfg *config.Config, n *config.Network, name string) (txdoc.Deployment, error) {
	dep := txdoc.Deployment{
		Network: n.Name, ChainID: n.ChainID,
		Native:    txdoc.Token{Symbol: n.NativeSymbol, Decimals: n.NativeDecimals},
		Contracts: map[common.Address]string{},
		Tokens:    map[string]common.Address{},
	}
	names := make([]string, 0, len(n.Protocols))
	for pn := range n.Protocols {
		names = append(names, pn)
	}
	sort.Strings(names)
	var mine protocol.Protocol
	for _, pn := range names {
		d, ok := cfg.Protocol(pn)
		if !ok {
			continue
		}
		p, err := d.New(protocol.Env{Network: n.Name, Addresses: n.Protocols[pn], Backend: offlineBackend{}, Native: n.Native()})
		if err != nil {
			if pn == name {
				return dep, cmdutil.BadInput(fmt.Errorf("protocol %s on %s: %w", pn, n.Name, err))
			}
			continue
		}
		for _, t := range p.Tokens() {
			if !t.IsNative() {
				if _, dup := dep.Tokens[t.Symbol]; !dup {
					dep.Tokens[t.Symbol] = t.Address
				}
			}
		}
		if pn != name {
			continue
		}
		mine = p
		for role, a := range n.Protocols[pn] {
			dep.Contracts[a] = role
		}
		for _, t := range p.Tokens() {
			if !t.IsNative() {
				dep.Contracts[t.Address] = t.Symbol
			}
		}
	}
	if name != "" && mine == nil {
		return dep, cmdutil.BadInputf("the document is for protocol %q, which has no contracts on %s here; add them to the config file or use the matching --network", name, n.Name)
	}
	dep.ABIs = abisFor(mine)
	dep.Discovered = discovers[name]
	return dep, nil
}

// discovers names the protocols that call contracts their deployment
// table does not list (the adapter finds them on-chain), and why: the
// "to" of their documents' calls to those cannot be checked offline, and
// tx sign says so instead of refusing them.
var discovers = map[string]string{
	"rocketpool": "Rocket Pool's deposit pool is looked up in RocketStorage",
	"polygon":    "each Polygon validator has a share contract of its own",
}

// errOffline: an adapter bound by DeploymentFor tried to reach the chain.
var errOffline = errors.New("no network: checking a transaction document reads nothing from the chain")

// offlineBackend is the protocol.Backend of adapters used only for their
// ABI, contracts and tokens: every call fails.
type offlineBackend struct{}

func (offlineBackend) CallContract(context.Context, ethereum.CallMsg, *big.Int) ([]byte, error) {
	return nil, errOffline
}

func (offlineBackend) FilterLogs(context.Context, ethereum.FilterQuery) ([]types.Log, error) {
	return nil, errOffline
}

func (offlineBackend) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return nil, errOffline
}
