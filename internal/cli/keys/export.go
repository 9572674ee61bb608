package keys

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// ExportOptions are the inputs of `keys export`.
type ExportOptions struct {
	IO   *iostreams.IOStreams
	Keys func() (*keys.Store, error)
	JSON bool

	Name        string
	Out         string
	UnsafePrint bool
}

// NewCmdExport returns `keys export`; runF replaces its body in tests.
func NewCmdExport(f *cmdutil.Factory, runF func(*ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{IO: f.IO, Keys: f.Keys}
	cmd := &cobra.Command{
		Use:   "export NAME {--out FILE | --unsafe-print}",
		Short: "Export a key to a keystore file, or print it (unsafe)",
		Long: `Export the key NAME, explicitly:

  --out FILE       write a Web3 Secret Storage file (0600; an existing file
                   is never replaced) that geth, Foundry and MetaMask can
                   import. A keystore key's file is copied unchanged (same
                   passphrase); a keyring key is encrypted under a new
                   passphrase, asked twice or read from --password-file.
  --unsafe-print   print the bare private key in hex on stdout. Anyone who
                   sees it controls the account: terminal scrollback, shell
                   logs and screen sharing included.

Ledger keys never leave the device and cannot be exported.`,
		Example:           "  stakewallet keys export alice --out alice-backup.json\n  stakewallet keys export alice --unsafe-print",
		Args:              cmdutil.ExactArgs(1, "NAME"),
		ValidArgsFunction: cmdutil.CompletePositional(cmdutil.CompleteKeyNames(f)),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.JSON = f.Flags.JSON
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return exportRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Out, "out", "", "write a keystore `FILE` (never overwrites)")
	cmd.Flags().BoolVar(&opts.UnsafePrint, "unsafe-print", false, "print the bare private key in hex on stdout")
	return cmd
}

func (o *ExportOptions) validate() error {
	switch {
	case o.Out == "" && !o.UnsafePrint:
		return cmdutil.BadInputf("say how to export: --out FILE (encrypted keystore file) or --unsafe-print (bare key on stdout)")
	case o.Out != "" && o.UnsafePrint:
		return cmdutil.BadInputf("give one of --out and --unsafe-print")
	case o.UnsafePrint && o.JSON:
		// --json output never carries a secret.
		return cmdutil.BadInputf("--unsafe-print cannot be combined with --json")
	}
	return nil
}

// ExportResult is `keys export --out FILE`.
type ExportResult struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	File    string `json:"file"`
	// Backend says which passphrase protects the file, for people.
	Backend string `json:"-"`
}

// RenderHuman implements output.Human.
func (r *ExportResult) RenderHuman(w io.Writer, st output.Styles) {
	how := "a new passphrase"
	if r.Backend == keys.BackendKeystore {
		how = "its existing passphrase"
	}
	fmt.Fprintf(w, "%s %s: key %s (%s), encrypted with %s\n", st.OK.Render("Wrote"), r.File, r.Name, r.Address, how)
}

func exportRun(ctx context.Context, opts *ExportOptions) error {
	// Checked here too, not only when parsing flags: this body is the one
	// that could print a secret, so it does not trust its caller.
	if err := opts.validate(); err != nil {
		return err
	}
	s, err := opts.Keys()
	if err != nil {
		return err
	}
	e, err := s.Get(opts.Name)
	if err != nil {
		return err
	}
	if e.Backend == keys.BackendLedger {
		return cmdutil.BadInputf("key %s lives on a Ledger and never leaves it; nothing to export", e.Name)
	}
	if opts.UnsafePrint {
		return printKeyUnsafe(ctx, opts, s)
	}
	fmt.Fprintf(opts.IO.ErrOut, "warning: exporting key %s (%s) to %s; keep that file and its passphrase safe\n", e.Name, e.Address.Hex(), opts.Out)
	if e, err = s.ExportKeystoreFile(ctx, opts.Name, opts.Out); err != nil {
		return classify(err)
	}
	return output.Print(opts.IO, opts.JSON, &ExportResult{Name: e.Name, Address: e.Address.Hex(), File: opts.Out, Backend: e.Backend})
}

// printKeyUnsafe is the one place a private key reaches the terminal. It
// writes raw bytes, not a result: a result would be marshalled, copied
// and kept in strings that cannot be cleared.
func printKeyUnsafe(ctx context.Context, opts *ExportOptions, s *keys.Store) error {
	key, e, err := s.ExportPrivateKey(ctx, opts.Name)
	if err != nil {
		return classify(err)
	}
	defer keystore.ZeroKey(key)
	fmt.Fprintf(opts.IO.ErrOut, "warning: printing the private key of %s (%s); anyone who sees it controls the account\n", e.Name, e.Address.Hex())
	raw := make([]byte, 32)
	defer clear(raw)
	fromECDSA := crypto.FromECDSA(key)
	copy(raw, fromECDSA)
	clear(fromECDSA)
	line := make([]byte, 2+64+1)
	defer clear(line)
	copy(line, "0x")
	hex.Encode(line[2:], raw)
	line[len(line)-1] = '\n'
	_, err = opts.IO.Out.Write(line)
	return err
}
