package e2e

import (
	"fmt"
	"testing"
	"time"

	"github.com/stakewallet/stakewallet/internal/ledgeremu"
)

func TestScratchLedgerHuman(t *testing.T) {
	url := startDevnet(t, time.Hour)
	emu, tr := startLedger(t, ledgeremu.Options{BlindSigning: true})
	w := newWallet(t, "STAKEWALLET_NETWORK=devnet", "ETH_RPC_URL="+url)
	show := func(args ...string) {
		r := w.Run("", args...)
		fmt.Printf("\n$ stakewallet %v  → exit %d\n--- stdout\n%s--- stderr\n%s", args, r.Code, r.Stdout, r.Stderr)
	}
	show("stake", "1", "--signer", "ledger", "--ledger-transport", tr, "--dry-run")
	show("stake", "1", "--signer", "ledger", "--ledger-transport", tr, "--yes")
	show("transfer", "0.1", "stETH", "--to", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", "--signer", "ledger", "--ledger-transport", tr, "--yes")
	show("ledger", "addresses", "--ledger-transport", tr)
	show("ledger", "addresses", "--ledger-transport", tr, "--scheme", "legacy", "--count", "2")
	show("ledger", "info", "--ledger-transport", tr)
	show("keys", "add", "dev", "--ledger", "--ledger-transport", tr)
	show("keys", "add", "dev2", "--ledger", "--ledger-transport", tr, "--path", "m/44'/60'/0'/0/1", "--confirm-address")
	show("keys", "add", "dev3", "--ledger", "--path", "44/60")
	show("keys", "add", "dev3")
	show("keys", "list")
	emu.Update(func(o *ledgeremu.Options) { o.BlindSigning = false })
	show("stake", "1", "--signer", "dev", "--ledger-transport", tr, "--yes")
	show("stake", "1", "--signer", "ledger:x", "--ledger-transport", tr, "--yes")
	show("ledger", "info")
	show("ledger", "info", "--ledger-transport", "tcp://127.0.0.1:1")
	show("ledger", "--help")
}
