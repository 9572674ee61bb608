package clitest

import (
	"context"
	"testing"

	"github.com/stakewallet/stakewallet/internal/ledgeremu"
)

// StartLedger serves an emulated Ledger (the test mnemonic) over
// Speculos's TCP protocol until the test ends, and returns it with the
// --ledger-transport value that reaches it. Nothing but that loopback
// listener is started.
func StartLedger(t testing.TB, opts ledgeremu.Options) (*ledgeremu.Emulator, string) {
	t.Helper()
	emu, err := ledgeremu.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(func() { cancel(); emu.Close() })
	addr, err := emu.ServeTCP(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return emu, "tcp://" + addr
}
