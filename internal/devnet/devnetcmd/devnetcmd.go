// Package devnetcmd is the stakewallet-devnet command line: run the devnet,
// deploy the model contracts onto another node, or run the oracle against one.
package devnetcmd

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
)

// Exit codes, as for the wallet: 2 is bad usage, 1 anything else.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

// rpcTimeout bounds dialing and single RPC round trips of the subcommands.
const rpcTimeout = 30 * time.Second

// usageError marks errors caused by the command line, for exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// Execute runs the command line and returns the process exit code. ctx is
// cancelled on SIGINT/SIGTERM by the caller; the devnet then stops cleanly.
func Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRootCmd(stdout, stderr)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(stderr, "stakewallet-devnet: %v\n", err)
		var ue usageError
		var ce *devnet.ConfigError
		if errors.As(err, &ue) || errors.As(err, &ce) || isCobraUsageError(err) {
			return exitUsage
		}
		return exitError
	}
	return exitOK
}

// isCobraUsageError recognises cobra's and pflag's own argument errors,
// which are plain errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand flag", "unknown command", "invalid argument",
		"flag needs an argument", "accepts ", "requires at least", "if any flags in the group", "required flag"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// durationValue is a pflag.Value that takes a Go duration ("90s", "2m") or a
// bare number of seconds ("60"), like geth's --dev.period.
type durationValue struct{ d *time.Duration }

func (v durationValue) String() string {
	if v.d == nil {
		return "0s"
	}
	return v.d.String()
}

func (v durationValue) Set(s string) error {
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		if secs < 0 {
			return errors.New("must not be negative")
		}
		*v.d = time.Duration(secs * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want a duration like 60s or 2m: %w", err)
	}
	if d < 0 {
		return errors.New("must not be negative")
	}
	*v.d = d
	return nil
}

func (v durationValue) Type() string { return "duration" }

// keyFlags selects the signing key of deploy and oracle.
type keyFlags struct {
	fromIndex int
	keyFile   string
}

func (k *keyFlags) register(cmd *cobra.Command, indexHelp string) {
	cmd.Flags().IntVar(&k.fromIndex, "from-index", 0, indexHelp)
	cmd.Flags().StringVar(&k.keyFile, "private-key-file", "", "file whose first line is the hex private key to sign with")
	cmd.MarkFlagsMutuallyExclusive("from-index", "private-key-file")
}

// key returns the selected key; ok is false when neither flag was given.
func (k *keyFlags) key(cmd *cobra.Command) (key *ecdsa.PrivateKey, ok bool, err error) {
	switch {
	case cmd.Flags().Changed("private-key-file"):
		key, err := readKeyFile(k.keyFile)
		return key, true, err
	case cmd.Flags().Changed("from-index"):
		acc, err := devkeys.TestAccount(k.fromIndex)
		if err != nil {
			return nil, true, usageError{err}
		}
		return acc.PrivateKey, true, nil
	}
	return nil, false, nil
}

func readKeyFile(path string) (*ecdsa.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("read private key file: %w", err)}
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	line = strings.TrimPrefix(strings.TrimSpace(line), "0x")
	key, err := crypto.HexToECDSA(line)
	if err != nil {
		// Never echo the file's content: it is a secret.
		return nil, usageError{fmt.Errorf("private key file %s: not a hex secp256k1 key", path)}
	}
	return key, nil
}

// dial connects to rpcURL and checks it answers.
func dial(ctx context.Context, rpcURL string) (*ethclient.Client, uint64, error) {
	if rpcURL == "" {
		return nil, 0, usagef("--rpc-url is required")
	}
	ctx, cancel := context.WithTimeout(ctx, rpcTimeout)
	defer cancel()
	client, err := ethclient.DialContext(ctx, rpcURL)
	if err != nil {
		return nil, 0, fmt.Errorf("connect to %s: %w", rpcURL, err)
	}
	chainID, err := client.ChainID(ctx)
	if err != nil {
		client.Close()
		return nil, 0, fmt.Errorf("read chain id from %s: %w", rpcURL, err)
	}
	return client, chainID.Uint64(), nil
}

func parseAddress(flag, s string) (common.Address, error) {
	if !common.IsHexAddress(s) {
		return common.Address{}, usagef("--%s %q is not an address", flag, s)
	}
	return common.HexToAddress(s), nil
}

// newLogger is the text logger for oracle events on stderr.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
}
