package keys

import (
	"context"
	"encoding/hex"
	"fmt"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

type exportOptions struct {
	f           *cmdutil.Factory
	name        string
	out         string
	unsafePrint bool
}

func newCmdExport(f *cmdutil.Factory) *cobra.Command {
	o := &exportOptions{f: f}
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
		Example: "  stakewallet keys export alice --out alice-backup.json\n  stakewallet keys export alice --unsafe-print",
		Args:    cmdutil.ExactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.name = args[0]
			return runExport(cmd.Context(), o)
		},
	}
	cmd.Flags().StringVar(&o.out, "out", "", "write a keystore `FILE` (never overwrites)")
	cmd.Flags().BoolVar(&o.unsafePrint, "unsafe-print", false, "print the bare private key in hex on stdout")
	return cmd
}

func runExport(ctx context.Context, o *exportOptions) error {
	switch {
	case o.out == "" && !o.unsafePrint:
		return cmdutil.BadInputf("say how to export: --out FILE (encrypted keystore file) or --unsafe-print (bare key on stdout)")
	case o.out != "" && o.unsafePrint:
		return cmdutil.BadInputf("give one of --out and --unsafe-print")
	case o.unsafePrint && o.f.Flags.JSON:
		// --json output never carries a secret.
		return cmdutil.BadInputf("--unsafe-print cannot be combined with --json")
	}
	s, err := o.f.Keys()
	if err != nil {
		return err
	}
	e, err := s.Get(o.name)
	if err != nil {
		return err
	}
	if e.Backend == keys.BackendLedger {
		return cmdutil.BadInputf("key %s lives on a Ledger and never leaves it; nothing to export", e.Name)
	}
	if o.unsafePrint {
		return printKeyUnsafe(ctx, o, s)
	}
	fmt.Fprintf(o.f.IO.ErrOut, "warning: exporting key %s (%s) to %s; keep that file and its passphrase safe\n", e.Name, e.Address.Hex(), o.out)
	if e, err = s.ExportKeystoreFile(ctx, o.name, o.out); err != nil {
		return classify(err)
	}
	if o.f.Flags.JSON {
		return output.JSON(o.f.IO.Out, map[string]string{"name": e.Name, "address": e.Address.Hex(), "file": o.out})
	}
	how := "a new passphrase"
	if e.Backend == keys.BackendKeystore {
		how = "its existing passphrase"
	}
	fmt.Fprintf(o.f.IO.Out, "%s %s: key %s (%s), encrypted with %s\n", output.NewStyles(o.f.IO).OK.Render("Wrote"), o.out, e.Name, e.Address.Hex(), how)
	return nil
}

// printKeyUnsafe is the one place a private key reaches the terminal.
func printKeyUnsafe(ctx context.Context, o *exportOptions, s *keys.Store) error {
	key, e, err := s.ExportPrivateKey(ctx, o.name)
	if err != nil {
		return classify(err)
	}
	defer keystore.ZeroKey(key)
	fmt.Fprintf(o.f.IO.ErrOut, "warning: printing the private key of %s (%s); anyone who sees it controls the account\n", e.Name, e.Address.Hex())
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
	_, err = o.f.IO.Out.Write(line)
	return err
}
