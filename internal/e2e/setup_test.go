package e2e

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"

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

// waitClaim runs `withdrawals wait ARGS --claim --json` and checks that it
// exits 0, that every request it lists ends claimed, and that owner's
// native coin grew by want less at most 0.01 of gas. It returns the
// command's result (its stderr carries the wait's events).
func waitClaim(t *testing.T, w *Wallet, chain *chainReader, owner common.Address, want *big.Int, args ...string) Result {
	t.Helper()
	before := chain.balance(owner)
	r := w.Run("", append(append([]string{"withdrawals", "wait"}, args...), "--claim", "--json")...)
	if r.Code != 0 {
		t.Fatalf("wait --claim: exit %d\nstdout: %s\nstderr: %s", r.Code, r.Stdout, r.Stderr)
	}
	out := r.JSON(t)
	ws, _ := out["withdrawals"].([]any)
	if len(ws) == 0 {
		t.Errorf("wait --claim listed no requests: %v", out)
	}
	for i := range ws {
		if st := field(t, out, "withdrawals", i, "status"); st != "claimed" {
			t.Errorf("request %d after wait --claim: %v", i, out)
		}
	}
	gained := new(big.Int).Sub(chain.balance(owner), before)
	if floor := new(big.Int).Sub(want, eth("0.01")); gained.Cmp(floor) < 0 || gained.Cmp(want) > 0 {
		t.Errorf("native coin gained by the claims %s: want %s less the gas", gained, want)
	}
	return r
}
