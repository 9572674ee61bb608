package e2e

import (
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

// TestENSOnDevnet: names registered in the devnet's genesis (alice.eth,
// bob.eth, carol.eth → test accounts 0, 1, 2) resolve through the ENS
// registry model at mainnet's address. transfer --to bob.eth moves the
// tokens to account 1, read on-chain; balance and withdrawals take names;
// a name that does not resolve is refused with exit 2 and nothing sent.
func TestENSOnDevnet(t *testing.T) {
	url := startDevnet(t, time.Hour)
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	alice, bob, carol := testAccount(t, 0), testAccount(t, 1), testAccount(t, 2)
	for i, n := range devnet.GenesisENSNames() {
		if want := testAccount(t, i).Address; n.Addr != want {
			t.Fatalf("%s.eth is %s in genesis, want test account %d (%s)", n.Label, n.Addr.Hex(), i, want.Hex())
		}
	}
	w.ImportKey("alice", alice.KeyHex())
	chain := dialChain(t, url)
	sign := []string{"--signer", "alice", "--password-file", w.Password, "--yes"}
	steth := lido.DevnetStETH
	w.MustJSON(append([]string{"stake", "1"}, sign...)...)

	// transfer --to bob.eth
	bobBefore := chain.tokenBalance(steth, bob.Address)
	out := w.MustJSON(append([]string{"transfer", "0.1", "stETH", "--to", "bob.eth"}, sign...)...)
	if field(t, out, "to") != bob.Address.Hex() || field(t, out, "toName") != "bob.eth" {
		t.Errorf("transfer output: to %v toName %v, want %s and bob.eth", field(t, out, "to"), field(t, out, "toName"), bob.Address.Hex())
	}
	got := new(big.Int).Sub(chain.tokenBalance(steth, bob.Address), bobBefore)
	if !near(got, eth("0.1"), 2) {
		t.Errorf("account 1 received %s stETH wei, want ~0.1 stETH", got)
	}
	if moved := bigOf(t, field(t, out, "transferred")); moved.Cmp(got) != 0 {
		t.Errorf("the document says %s moved, the chain %s", moved, got)
	}

	// People see the name and the address it resolved to.
	r := w.Run("", append([]string{"transfer", "0.1", "stETH", "--to", "bob.eth"}, sign...)...)
	if r.Code != 0 || !strings.Contains(r.Stdout, "Transfer 0.1 stETH to bob.eth (0x7099…79C8)") {
		t.Errorf("human transfer: exit %d\n%s\n%s", r.Code, r.Stdout, r.Stderr)
	}

	// A name that does not resolve: exit 2, nothing sent.
	nonce := chain.nonce(alice.Address)
	r = w.Run("", append([]string{"transfer", "0.1", "stETH", "--to", "nobody.eth"}, sign...)...)
	if r.Code != 2 || !strings.Contains(r.Stderr, "nobody.eth does not resolve to an address on devnet") {
		t.Errorf("transfer to nobody.eth: exit %d, stderr %s", r.Code, r.Stderr)
	}
	if chain.nonce(alice.Address) != nonce {
		t.Error("a transfer to a name that does not resolve sent a transaction")
	}

	// balance and withdrawals take names.
	bal := w.MustJSON("balance", "carol.eth")
	if field(t, bal, "address") != carol.Address.Hex() || field(t, bal, "name") != "carol.eth" {
		t.Errorf("balance carol.eth: %v", bal)
	}
	if got, want := bigOf(t, field(t, bal, "native", "amount")), chain.balance(carol.Address); got.Cmp(want) != 0 {
		t.Errorf("balance carol.eth shows %s wei, account 2 holds %s", got, want)
	}
	list := w.MustJSON("withdrawals", "--owner", "alice.eth")
	if field(t, list, "owner") != alice.Address.Hex() || field(t, list, "ownerName") != "alice.eth" {
		t.Errorf("withdrawals --owner alice.eth: %v", list)
	}
}
