package e2e

import (
	"testing"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
)

// Setup shared by the protocols' cycle tests.

// devnetWallet starts the built-in chain chainName in-process with cfg
// (startChain) and returns its URL, a wallet pointed at it by the
// environment (STAKEWALLET_NETWORK, ETH_RPC_URL) and a reader of it.
func devnetWallet(t *testing.T, chainName string, cfg devnet.Config) (string, *Wallet, *chainReader) {
	t.Helper()
	url := startChain(t, chainName, cfg).HTTPEndpoint()
	return url, newWallet(t, "STAKEWALLET_NETWORK="+chainName, "ETH_RPC_URL="+url), dialChain(t, url)
}

// signAs imports test account i into w under name and returns it with the
// flags that sign as name without asking: flags, then --signer,
// --password-file and --yes.
func (w *Wallet) signAs(name string, i int, flags ...string) (devkeys.Account, []string) {
	w.t.Helper()
	a := testAccount(w.t, i)
	w.ImportKey(name, a.KeyHex())
	return a, append(append([]string(nil), flags...), "--signer", name, "--password-file", w.Password, "--yes")
}
