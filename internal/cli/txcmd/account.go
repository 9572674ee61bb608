package txcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/pkg/ens"
)

// Account is an account as the user gave it: an address, or an ENS name
// and the address it resolved to.
type Account struct {
	Address common.Address
	// Name is the ENS name, normalised ("alice.eth"); "" when an address
	// was given.
	Name string
}

// String is the checksummed address, or "alice.eth (0x7099…79C8)": the
// name with enough of the address beside it to recognise it (previews
// also show the full address of every call).
func (a Account) String() string {
	if a.Name == "" {
		return a.Address.Hex()
	}
	return fmt.Sprintf("%s (%s)", a.Name, ShortAddress(a.Address))
}

// ShortAddress is "0x7099…79C8": the first and last four hex digits.
func ShortAddress(a common.Address) string {
	h := a.Hex()
	return h[:6] + "…" + h[len(h)-4:]
}

// CheckAccount checks the syntax of an address or ENS name given as what
// ("--to"), before anything is dialled: a mistyped address or a name that
// cannot be normalised is bad input whatever the chain says.
func CheckAccount(what, input string) error {
	if !ens.IsName(input) {
		_, err := parseAddress(what, input)
		return err
	}
	if _, err := ens.Normalize(input); err != nil {
		return cmdutil.BadInput(fmt.Errorf("%s: %w", what, err))
	}
	return nil
}

func parseAddress(what, input string) (common.Address, error) {
	if !strings.HasPrefix(input, "0x") && !strings.HasPrefix(input, "0X") {
		return common.Address{}, cmdutil.BadInputf("%s %q is neither an address (0x followed by 40 hex digits) nor an ENS name (such as alice.eth)", what, input)
	}
	return cmdutil.ParseAddress(what, input)
}

// ResolveAccount turns input, given as what ("--to"), into an account: an
// address is parsed (mixed case must carry its EIP-55 checksum), a name
// is resolved through the network's ENS registry on c. A name that does
// not resolve, and any name on a network without ENS, is bad input (exit
// 2): nothing may be sent to a guess.
func ResolveAccount(ctx context.Context, d Deps, c cmdutil.Chain, what, input string) (Account, error) {
	if !ens.IsName(input) {
		a, err := parseAddress(what, input)
		return Account{Address: a}, err
	}
	name, err := ens.Normalize(input)
	if err != nil {
		return Account{}, cmdutil.BadInput(fmt.Errorf("%s: %w", what, err))
	}
	net, err := d.Network()
	if err != nil {
		return Account{}, err
	}
	if net.ENSRegistry == (common.Address{}) {
		return Account{}, cmdutil.BadInputf("ENS is not available on %s; give the address (or set ens-registry for this network in the config file)", net.Name)
	}
	addr, err := ens.Resolve(ctx, c, net.ENSRegistry, name)
	var notResolved *ens.NotResolvedError
	switch {
	case errors.As(err, &notResolved):
		return Account{}, cmdutil.BadInputf("%s does not resolve to an address on %s: %s; check the name and --network, or give the address", name, net.Name, notResolved.Reason)
	case errors.Is(err, ens.ErrNoRegistry):
		return Account{}, cmdutil.BadInputf("%s cannot be resolved on %s: %w; fix ens-registry for this network in the config file, or give the address", name, net.Name, err)
	case err != nil:
		return Account{}, fmt.Errorf("resolve %s on %s: %w", name, net.Name, err)
	}
	return Account{Address: addr, Name: name}, nil
}

// OwnerAccount is Owner for read-only commands that also take an ENS
// name: the explicit address or name if given, else the signer's
// address (no unlocking needed).
func OwnerAccount(ctx context.Context, d Deps, explicit, what string) (Account, error) {
	if explicit == "" {
		a, err := Owner(ctx, d, "", what)
		return Account{Address: a}, err
	}
	if !ens.IsName(explicit) {
		a, err := parseAddress(what, explicit)
		return Account{Address: a}, err
	}
	if err := CheckAccount(what, explicit); err != nil {
		return Account{}, err
	}
	c, err := d.Chain(ctx)
	if err != nil {
		return Account{}, err
	}
	return ResolveAccount(ctx, d, c, what, explicit)
}

// delegationPrefix starts the code of an account that delegated to a
// contract under EIP-7702: it is still a key holder's account.
var delegationPrefix = []byte{0xef, 0x01, 0x00}

// getThreshold() of Safe (Gnosis Safe) multisigs, every version.
var safeGetThreshold = common.FromHex("0xe75235b8")

// RecipientWarning says why sending tokens to a could lose them, or ""
// when a looks like an account that can move tokens: one without code, an
// EIP-7702-delegated key holder's account, or a Safe multisig (it answers
// getThreshold() with at least 1). Any other contract may or may not be
// able to move tokens sent to it, which only the user can know.
func RecipientWarning(ctx context.Context, c cmdutil.Chain, a Account, symbol string) (string, error) {
	code, err := c.CodeAt(ctx, a.Address, nil)
	if err != nil {
		return "", fmt.Errorf("check whether the recipient %s is a contract: %w", a, err)
	}
	to := a.Address
	var threshold []byte
	var thresholdErr error
	if len(code) != 0 {
		threshold, thresholdErr = c.CallContract(ctx, ethereum.CallMsg{To: &to, Data: safeGetThreshold}, nil)
	}
	return recipientWarning(a, symbol, code, threshold, thresholdErr), nil
}

// ReadRecipientWarning is RecipientWarning with its reads (the recipient's
// code, and getThreshold() should it be a Safe) added to req.Reads, made
// in the batch before the first send; the returned func gives the warning
// once Run has prepared the plan (use it in Request.Prepared).
func (r *Request) ReadRecipientWarning(a Account, symbol string) func() (string, error) {
	var code, threshold hexutil.Bytes
	to := a.Address
	i := len(r.Reads)
	r.Reads = append(r.Reads,
		rpc.BatchElem{Method: "eth_getCode", Args: []any{to, "latest"}, Result: &code, Error: errNotRead},
		rpc.BatchElem{Method: "eth_call", Args: []any{callArg(ethereum.CallMsg{To: &to, Data: safeGetThreshold}), "latest"}, Result: &threshold, Error: errNotRead},
	)
	return func() (string, error) {
		if err := r.Reads[i].Error; err != nil {
			return "", fmt.Errorf("check whether the recipient %s is a contract: %w", a, err)
		}
		return recipientWarning(a, symbol, code, threshold, r.Reads[i+1].Error), nil
	}
}

// recipientWarning judges the recipient's code and its answer (or error)
// to getThreshold().
func recipientWarning(a Account, symbol string, code, threshold []byte, thresholdErr error) string {
	if len(code) == 0 || len(code) == 23 && bytes.HasPrefix(code, delegationPrefix) {
		return ""
	}
	if thresholdErr == nil && len(threshold) == 32 && new(big.Int).SetBytes(threshold).Sign() > 0 {
		return ""
	}
	return fmt.Sprintf("the recipient %s is a contract, not a wallet account: %s sent to a contract that cannot move tokens is lost for good; send only if you know it can (a smart-contract wallet you control, an exchange's deposit contract)", a, symbol)
}
