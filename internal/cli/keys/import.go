package keys

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	goio "io"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/cli/iostreams"
	"github.com/stakewallet/stakewallet/internal/cli/output"
	"github.com/stakewallet/stakewallet/internal/keys"
	"github.com/stakewallet/stakewallet/pkg/hd"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// ImportOptions are the inputs of `keys import`.
type ImportOptions struct {
	IO   *iostreams.IOStreams
	Keys func() (*keys.Store, error)
	JSON bool

	Name    string
	Backend string

	Mnemonic            bool
	MnemonicFile        string
	Index               uint32
	IndexSet            bool // --index was given (0 is a valid index)
	Path                string
	BIP39Passphrase     bool
	BIP39PassphraseFile string
	PrivateKeyFile      string
	KeystoreFile        string
}

// NewCmdImport returns `keys import`; runF replaces its body in tests.
func NewCmdImport(f *cmdutil.Factory, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{IO: f.IO, Keys: f.Keys}
	cmd := &cobra.Command{
		Use:   "import NAME {--mnemonic | --mnemonic-file F | --private-key-file F | --keystore FILE}",
		Short: "Import a key from a mnemonic, a private key file or a keystore file",
		Long: `Import a key and register it as NAME. Secrets are never taken as flag
values (they would end up in shell history and process lists):

  --mnemonic            type the BIP-39 mnemonic at a prompt (no echo)
  --mnemonic-file F     read it from F (12–24 English words); F = - reads
                        stdin (piped, or typed without echo)
      --index N         account m/44'/60'/0'/0/N (default 0), or
      --path P          any absolute BIP-32 path, e.g. m/44'/60'/1'/0/0
      --bip39-passphrase, --bip39-passphrase-file F
                        the optional BIP-39 passphrase ("25th word")
  --private-key-file F  a file holding the 32-byte key in hex (0x optional);
                        F = - reads stdin, so the key never touches disk
  --keystore FILE       a Web3 Secret Storage file (geth, cast, MetaMask
                        export); its own passphrase is asked (or read from
                        --password-file). Into the keystore backend the file
                        is copied unchanged, keeping that passphrase.

Only the 32-byte key is stored, never the mnemonic. For the keystore backend
a new passphrase is asked twice (or read from --password-file).`,
		Example: `  stakewallet keys import alice --mnemonic
  stakewallet keys import bot --backend keyring --mnemonic-file seed.txt --index 3
  stakewallet keys import old --keystore ~/.ethereum/keystore/UTC--2020-…
  stakewallet keys import hot --private-key-file key.hex --password-file pass.txt`,
		Args: cmdutil.ExactArgs(1, "NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.IndexSet = cmd.Flags().Changed("index")
			opts.JSON = f.Flags.JSON
			if err := opts.validate(); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return importRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Backend, "backend", keys.BackendKeystore, "where the key is kept: keystore or keyring")
	fl.BoolVar(&opts.Mnemonic, "mnemonic", false, "prompt for a BIP-39 mnemonic (no echo)")
	fl.StringVar(&opts.MnemonicFile, "mnemonic-file", "", "read the BIP-39 mnemonic from `FILE` (- = stdin)")
	fl.Uint32Var(&opts.Index, "index", 0, "account index N of m/44'/60'/0'/0/N")
	fl.StringVar(&opts.Path, "path", "", "absolute BIP-32 derivation `PATH`, e.g. m/44'/60'/0'/0/0")
	fl.BoolVar(&opts.BIP39Passphrase, "bip39-passphrase", false, "prompt for the optional BIP-39 passphrase")
	fl.StringVar(&opts.BIP39PassphraseFile, "bip39-passphrase-file", "", "read the BIP-39 passphrase from the first line of `FILE`")
	fl.StringVar(&opts.PrivateKeyFile, "private-key-file", "", "read a hex private key from `FILE` (- = stdin)")
	fl.StringVar(&opts.KeystoreFile, "keystore", "", "import a Web3 Secret Storage `FILE`")
	return cmd
}

func (o *ImportOptions) validate() error {
	if err := validateName(o.Name); err != nil {
		return err
	}
	if err := validateBackend(o.Backend); err != nil {
		return err
	}
	fromMnemonic := o.Mnemonic || o.MnemonicFile != ""
	sources := 0
	for _, set := range []bool{fromMnemonic, o.PrivateKeyFile != "", o.KeystoreFile != ""} {
		if set {
			sources++
		}
	}
	switch {
	case sources == 0:
		return cmdutil.BadInputf("say where the key comes from: --mnemonic, --mnemonic-file FILE, --private-key-file FILE or --keystore FILE")
	case sources > 1:
		return cmdutil.BadInputf("give only one of --mnemonic/--mnemonic-file, --private-key-file and --keystore")
	case o.Mnemonic && o.MnemonicFile != "":
		return cmdutil.BadInputf("--mnemonic prompts for the mnemonic and --mnemonic-file reads it; give one")
	case o.BIP39Passphrase && o.BIP39PassphraseFile != "":
		return cmdutil.BadInputf("--bip39-passphrase prompts and --bip39-passphrase-file reads; give one")
	case o.IndexSet && o.Path != "":
		return cmdutil.BadInputf("--index N means --path m/44'/60'/0'/0/N; give one")
	case !fromMnemonic && (o.IndexSet || o.Path != "" || o.BIP39Passphrase || o.BIP39PassphraseFile != ""):
		return cmdutil.BadInputf("--index, --path and --bip39-passphrase only apply to --mnemonic/--mnemonic-file")
	}
	return nil
}

func importRun(ctx context.Context, o *ImportOptions) error {
	s, err := o.Keys()
	if err != nil {
		return err
	}
	// Refuse a taken name before anyone types 24 words.
	if err := s.CheckNewName(o.Name); err != nil {
		return classify(err)
	}
	var e keys.Entry
	switch {
	case o.KeystoreFile != "":
		e, err = s.ImportKeystoreFile(ctx, o.Name, o.Backend, o.KeystoreFile)
	case o.PrivateKeyFile != "":
		var key *ecdsa.PrivateKey
		if key, err = readPrivateKeyFile(o.PrivateKeyFile, o.IO); err != nil {
			return err
		}
		defer keystore.ZeroKey(key)
		e, err = s.ImportKey(ctx, o.Name, o.Backend, key, "")
	default:
		var key *ecdsa.PrivateKey
		var path accounts.DerivationPath
		if key, path, err = o.deriveFromMnemonic(); err != nil {
			return classify(err)
		}
		defer keystore.ZeroKey(key)
		e, err = s.ImportKey(ctx, o.Name, o.Backend, key, path.String())
	}
	if err != nil {
		return classify(err)
	}
	return output.Print(o.IO, o.JSON, &KeyResult{Key: keyOf(s, e), Verb: "Imported"})
}

func (o *ImportOptions) deriveFromMnemonic() (*ecdsa.PrivateKey, accounts.DerivationPath, error) {
	path := hd.PathForIndex(o.Index)
	if o.Path != "" {
		p, err := hd.ParsePath(o.Path)
		if err != nil {
			return nil, nil, cmdutil.BadInput(err)
		}
		path = p
	}
	var mnemonic []byte
	var err error
	switch o.MnemonicFile {
	case "":
		mnemonic, err = readSecret(o.IO, "BIP-39 mnemonic (12–24 words, not echoed): ", "the BIP-39 mnemonic", "--mnemonic-file")
	case "-":
		mnemonic, err = readStdinSecret(o.IO, "BIP-39 mnemonic (12–24 words, not echoed): ")
	default:
		mnemonic, err = keys.ReadSecretFile(o.MnemonicFile)
	}
	if errors.Is(err, iostreams.ErrNoTTY) {
		return nil, nil, err // it names the mnemonic already
	}
	if err != nil {
		return nil, nil, fmt.Errorf("mnemonic: %w", err)
	}
	defer clear(mnemonic)
	// Check the mnemonic before asking for its passphrase.
	norm, err := hd.NormalizeMnemonic(mnemonic)
	if err != nil {
		return nil, nil, fmt.Errorf("mnemonic: %w", err)
	}
	defer clear(norm)
	pass, err := o.readBIP39Passphrase()
	if err != nil {
		return nil, nil, err
	}
	defer clear(pass)
	key, err := hd.KeyFromMnemonic(norm, pass, path)
	if err != nil {
		return nil, nil, err
	}
	return key, path, nil
}

// readBIP39Passphrase: the passphrase is asked twice on a terminal: a typo would silently
// select another wallet.
func (o *ImportOptions) readBIP39Passphrase() ([]byte, error) {
	switch {
	case o.BIP39PassphraseFile != "":
		return keys.ReadFirstLine(o.BIP39PassphraseFile)
	case !o.BIP39Passphrase:
		return nil, nil
	}
	p1, err := readSecret(o.IO, "BIP-39 passphrase: ", "the BIP-39 passphrase", "--bip39-passphrase-file")
	if err != nil {
		return nil, err
	}
	p2, err := o.IO.ReadSecret("Repeat the BIP-39 passphrase: ")
	defer clear(p2)
	if err != nil || !bytes.Equal(p1, p2) {
		clear(p1)
		return nil, errors.Join(err, cmdutil.BadInputf("the BIP-39 passphrases do not match"))
	}
	return p1, nil
}

// readPrivateKeyFile reads a hex key (0x optional, surrounding whitespace
// ignored). Errors never quote the file's content.
//
// Path "-" reads stdin, so a key can be piped in without ever being
// written to disk (`pass show eth/key | stakewallet keys import …`).
func readPrivateKeyFile(path string, io *iostreams.IOStreams) (*ecdsa.PrivateKey, error) {
	var data []byte
	var err error
	if path == "-" {
		data, err = readStdinSecret(io, "Private key (hex, not echoed): ")
		path = "(stdin)"
	} else {
		data, err = keys.ReadSecretFile(path)
	}
	if err != nil {
		return nil, cmdutil.BadInput(fmt.Errorf("private key file: %w", err))
	}
	defer clear(data)
	h := data
	if bytes.HasPrefix(h, []byte("0x")) || bytes.HasPrefix(h, []byte("0X")) {
		h = h[2:]
	}
	bad := cmdutil.BadInputf("private key file %s does not hold a private key: expected 64 hex digits (0x optional) and nothing else", path)
	if len(h) != 64 {
		return nil, bad
	}
	raw := make([]byte, 32)
	defer clear(raw)
	if _, err := hex.Decode(raw, h); err != nil {
		return nil, bad
	}
	key, err := crypto.ToECDSA(raw)
	if err != nil {
		return nil, cmdutil.BadInputf("private key file %s: not a valid secp256k1 key", path)
	}
	return key, nil
}

// readStdinSecret reads a secret given as "-": typed without echo when
// stdin is a terminal (never echoed back by a plain read), else the whole
// piped input (at most 4 KiB), trimmed.
func readStdinSecret(io *iostreams.IOStreams, prompt string) ([]byte, error) {
	if io.CanPrompt() {
		return io.ReadSecret(prompt)
	}
	data, err := goio.ReadAll(goio.LimitReader(io.In, 4096))
	defer clear(data)
	if err != nil {
		return nil, fmt.Errorf("read stdin: %w", err)
	}
	return append([]byte(nil), bytes.TrimSpace(data)...), nil
}
