package txcmd

import (
	"context"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
)

// Owner is the account a read-only command looks at: the explicit
// address if given, else the signer's address (no unlocking needed).
func Owner(ctx context.Context, d Deps, explicit, what string) (common.Address, error) {
	if explicit != "" {
		return cmdutil.ParseAddress(what, explicit)
	}
	if d.Signer == nil || d.Signer() == "" {
		if cfg, err := d.Config(); err == nil && cfg.DefaultSigner == "" {
			return common.Address{}, cmdutil.BadInputf("which account? give %s ADDRESS or --signer NAME", what)
		}
	}
	return d.Address(ctx)
}
