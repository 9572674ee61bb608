package tx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/cli/txcmd"
	"github.com/stakewallet/stakewallet/internal/config"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/txdoc"
)

// signTimeout bounds tx sign: a person approving every transaction on a
// Ledger, nothing on the network.
const signTimeout = 10 * time.Minute

// SignOptions are tx sign's inputs. It uses the config (networks and
// deployments), the signer and the terminal: never the chain.
type SignOptions struct {
	IO      *iostreams.IOStreams
	Config  func() (*config.Config, error)
	Account func(ctx context.Context) (*signer.Lazy, error)
	// NetworkFlag is --network (or STAKEWALLET_NETWORK) as given; "" =
	// the document's own network, which must exist here.
	NetworkFlag string
	JSON        bool

	File string // "-" is stdin
	Out  string
	Yes  bool
}

// NewCmdSign returns tx sign; runF replaces its body in tests.
func NewCmdSign(f *cmdutil.Factory, runF func(*SignOptions) error) *cobra.Command {
	opts := &SignOptions{IO: f.IO, Config: f.Config, Account: f.Account}
	cmd := &cobra.Command{
		Use:   "sign FILE|- [--out FILE]",
		Short: "Sign an unsigned transaction document, with no network",
		Long: `Sign a document written by a sending command's --unsigned, on the machine
that holds the key. Nothing is read from or sent to a network: --rpc-url
and ETH_RPC_URL are ignored, so this works on an air-gapped computer.

The document is checked before anything is shown: its chain ID must be the
network's (--network, default the document's own network, which must be
known here), every transaction must call the protocol's contracts on that
network (the built-in table and the config file), its calldata must decode
to what its description and preview say (the function, the amount, the
addresses), and the signer's address must be the document's "from". A
document that fails any check is refused (exit 2): build it again.

Then the preview is shown and confirmed (--yes to skip; without a terminal
and --yes, exit 6), the key is unlocked, every transaction signed (typed
data a transaction carries, such as a permit, first) and each signature
checked against "from". The signed document goes to --out FILE (created
0600, never overwritten) or stdout; broadcast it with ` + "`stakewallet tx send FILE`" + `.`,
		Example: `  stakewallet tx sign unsigned.json --signer cold --out signed.json
  stakewallet tx sign - --signer keystore:/media/usb/key.json --yes < unsigned.json > signed.json`,
		Args: cmdutil.ExactArgs(1, "FILE (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			opts.JSON = f.Flags.JSON
			opts.NetworkFlag = f.Flags.Network
			if runF != nil {
				return runF(opts)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), signTimeout)
			defer cancel()
			return signRun(ctx, opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	cmd.Flags().StringVar(&opts.Out, "out", "", "write the signed document to `FILE` (created 0600, never overwritten) instead of stdout")
	return cmd
}

// readDoc reads and parses a document from FILE or stdin; anything wrong
// with it is bad input.
func readDoc(name string, stdin io.Reader) (*txdoc.Doc, error) {
	var r io.Reader = stdin
	if name != "-" {
		fh, err := os.Open(name)
		if err != nil {
			return nil, cmdutil.BadInput(fmt.Errorf("read the transaction document: %w", err))
		}
		defer fh.Close()
		r = fh
	}
	d, err := txdoc.Read(r)
	if err != nil {
		return nil, cmdutil.BadInput(fmt.Errorf("%s: %w", name, err))
	}
	return d, nil
}

// docNetwork is the network a document is checked against: --network if
// given, else the document's own (which must be known here).
func docNetwork(cfg *config.Config, flag string, d *txdoc.Doc) (*config.Network, error) {
	name := flag
	if name == "" {
		name = d.Network
	}
	n, err := cfg.Network(name)
	if err != nil {
		if flag == "" {
			return nil, cmdutil.BadInputf("the document is for network %q, which is not known here: %w; add it to the config file or pass --network", d.Network, err)
		}
		return nil, cmdutil.BadInput(err)
	}
	return n, nil
}

// checkDoc checks d against network n offline (txdoc.Check) and returns
// what it was checked against.
func checkDoc(cfg *config.Config, n *config.Network, d *txdoc.Doc) (txdoc.Deployment, error) {
	dep, err := txcmd.DeploymentFor(cfg, n, d.Protocol)
	if err != nil {
		return dep, err
	}
	err = txdoc.Check(d, dep)
	switch {
	case errors.Is(err, txdoc.ErrChain):
		return dep, cmdutil.WithExit(cmdutil.ExitBadInput, "wrong_chain", err)
	case err != nil:
		return dep, cmdutil.WithExit(cmdutil.ExitBadInput, "document_mismatch", err)
	}
	return dep, nil
}

func signRun(ctx context.Context, opts *SignOptions) error {
	d, err := readDoc(opts.File, opts.IO.In)
	if err != nil {
		return err
	}
	if d.Signed() {
		return cmdutil.BadInputf("%s is signed already: broadcast it with `stakewallet tx send %s`", opts.File, opts.File)
	}
	cfg, err := opts.Config()
	if err != nil {
		return err
	}
	n, err := docNetwork(cfg, opts.NetworkFlag, d)
	if err != nil {
		return err
	}
	dep, err := checkDoc(cfg, n, d)
	if err != nil {
		return err
	}
	if opts.Out != "" {
		if _, err := os.Stat(opts.Out); err == nil {
			return cmdutil.BadInputf("%s already exists; refusing to overwrite it (choose another --out, or remove it)", opts.Out)
		}
	}
	s, err := opts.Account(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	if w, ok := keys.IsWatchOnly(s); ok {
		return fmt.Errorf("tx sign needs the key of %s: %w", d.From.Hex(), w.Unavailable())
	}
	if s.Address() != d.From {
		return cmdutil.BadInputf("the document is from %s, but signer %s is %s: sign it with the key of %s (nothing was signed)",
			d.From.Hex(), s, s.Address().Hex(), d.From.Hex())
	}
	warnings := txdoc.Warnings(d, dep)
	if opts.Yes {
		txcmd.RenderWarnings(opts.IO.ErrOut, output.NewStyles(opts.IO), warnings)
	} else {
		st := output.NewStyles(opts.IO)
		txcmd.RenderLines(opts.IO.ErrOut, st, d.Preview)
		(&output.KV{}).Add("signer", s.String()).Render(opts.IO.ErrOut, st)
		txcmd.RenderWarnings(opts.IO.ErrOut, st, warnings)
		ok, err := opts.IO.Confirm("Sign?")
		if errors.Is(err, iostreams.ErrNoTTY) {
			return cmdutil.WithExit(cmdutil.ExitNeedsInput, "confirmation_required",
				errors.New("confirmation needed but stdin is not a terminal: re-run with --yes to sign without asking (nothing was signed)"))
		}
		if err != nil {
			return err
		}
		if !ok {
			return cmdutil.WithExit(cmdutil.ExitNeedsInput, "declined", errors.New("declined: nothing was signed"))
		}
	}
	// Confirmed: unlock the key now.
	if _, err := s.Open(ctx); err != nil {
		return err
	}
	signed, err := signDoc(ctx, s, d, dep.ABIs)
	if err != nil {
		return err
	}
	// What tx send will check, here first.
	if _, err := checkDoc(cfg, n, signed); err != nil {
		return fmt.Errorf("the signed document does not pass its own check (nothing was written): %w", err)
	}
	data, err := signed.Marshal()
	if err != nil {
		return err
	}
	if _, err := txdoc.Parse(data); err != nil {
		return fmt.Errorf("the signed document does not read back (nothing was written): %w", err)
	}
	if opts.Out == "" {
		_, err := opts.IO.Out.Write(data)
		return err
	}
	if err := txdoc.WriteNew(opts.Out, data); err != nil {
		if errors.Is(err, txdoc.ErrExists) {
			return cmdutil.BadInput(err)
		}
		return err
	}
	return output.Print(opts.IO, opts.JSON, newSignResult(signed, opts.Out))
}

// signDoc signs every transaction of d (its permit first) and returns the
// signed document; each signature is checked against d.From.
func signDoc(ctx context.Context, s *signer.Lazy, d *txdoc.Doc, abis []*abi.ABI) (*txdoc.Doc, error) {
	out := *d
	out.Type = txdoc.TypeSigned
	out.SignedAt = time.Now().UTC().Truncate(time.Second)
	out.Transactions = make([]*txdoc.Tx, len(d.Transactions))
	chainID := new(big.Int).SetUint64(d.ChainID)
	for i, t0 := range d.Transactions {
		t := *t0
		t.Data = append([]byte(nil), t0.Data...)
		if t0.Permit != nil {
			if err := txcmd.CheckPermitJSON(d, t0); err != nil {
				return nil, fmt.Errorf("transaction %d (%s): %w", i+1, t0.Action, err)
			}
			p := *t0.Permit
			if err := signPermit(ctx, s, d.From, &p, t.Data); err != nil {
				return nil, fmt.Errorf("transaction %d (%s): %w", i+1, t.Action, err)
			}
			t.Permit = &p
		}
		tx, err := s.SignTx(ctx, t.Unsigned(d.ChainID), chainID)
		if err != nil {
			return nil, fmt.Errorf("sign transaction %d (%s): %w", i+1, t.Action, err)
		}
		if err := signer.VerifySender(tx, chainID, d.From); err != nil {
			return nil, fmt.Errorf("transaction %d (%s): %w", i+1, t.Action, err)
		}
		raw, err := tx.MarshalBinary()
		if err != nil {
			return nil, err
		}
		h := tx.Hash()
		t.Raw, t.Hash = raw, &h
		out.Transactions[i] = &t
	}
	// A permit's signature changed the calldata: the preview shows it.
	out.Preview = txdoc.Lines(&out, abis...)
	return &out, nil
}

// signPermit signs p's typed data with s and writes the signature into
// data at p's words: v (27/28) as a uint256, r and s.
func signPermit(ctx context.Context, s *signer.Lazy, from common.Address, p *txdoc.Permit, data []byte) error {
	var td apitypes.TypedData
	if err := json.Unmarshal(p.TypedData, &td); err != nil {
		return cmdutil.BadInput(fmt.Errorf("permit typed data: %w", err))
	}
	w := p.SignatureWords
	for _, off := range []int{w.V, w.R, w.S} {
		if off < 4 || off+32 > len(data) {
			return cmdutil.BadInputf("permit signature word at byte %d is outside the %d bytes of calldata", off, len(data))
		}
	}
	sig, err := s.SignTypedData(ctx, td)
	if err != nil {
		return fmt.Errorf("sign the permit: %w", err)
	}
	digest, err := signer.TypedDataDigest(td)
	if err != nil {
		return err
	}
	if err := signer.VerifyTypedData(digest, sig, from); err != nil {
		return fmt.Errorf("permit signature: %w", err)
	}
	v := sig[64]
	if v < 27 {
		v += 27
	}
	put := func(off int, b []byte) {
		word := data[off : off+32]
		clear(word)
		copy(word[32-len(b):], b)
	}
	put(w.V, []byte{v})
	put(w.R, sig[:32])
	put(w.S, sig[32:64])
	p.Signature = append([]byte(nil), sig...)
	return nil
}

// SignResult is tx sign's result when the document went to --out.
type SignResult struct {
	Action       string     `json:"action"`
	Network      string     `json:"network"`
	ChainID      uint64     `json:"chainId"`
	From         string     `json:"from"`
	Document     string     `json:"document"`
	Transactions []SignedTx `json:"transactions"`
}

// SignedTx is one signed transaction of tx sign's result.
type SignedTx struct {
	Action string `json:"action"`
	Nonce  uint64 `json:"nonce"`
	TxHash string `json:"txHash"`
	Status string `json:"status"` // "signed"
}

func newSignResult(d *txdoc.Doc, file string) *SignResult {
	r := &SignResult{Action: "sign", Network: d.Network, ChainID: d.ChainID, From: d.From.Hex(), Document: file}
	for _, t := range d.Transactions {
		r.Transactions = append(r.Transactions, SignedTx{Action: t.Action, Nonce: t.Nonce, TxHash: t.Hash.Hex(), Status: "signed"})
	}
	return r
}

// RenderHuman implements output.Human.
func (r *SignResult) RenderHuman(w io.Writer, st output.Styles) {
	fmt.Fprintln(w, st.OK.Render("✓ ")+st.Title.Render(fmt.Sprintf("Signed %d transaction(s) for %s", len(r.Transactions), r.From)))
	kv := &output.KV{}
	kv.Add("document", r.Document)
	for _, t := range r.Transactions {
		kv.Add(fmt.Sprintf("   %s (nonce %d)", t.Action, t.Nonce), t.TxHash)
	}
	kv.Render(w, st)
	fmt.Fprintf(w, "Nothing was sent. Broadcast it from a machine with a network:\n  stakewallet tx send %s\n", r.Document)
}
