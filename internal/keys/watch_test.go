package keys

import (
	"context"
	"errors"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

// A watch-only key: its address is known everywhere a key's is (Address,
// Account, Signer), and every way of signing with it or exporting it is
// refused with a reason, as a signer that is unavailable (exit 7).
func TestWatchOnlyKey(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	addr := common.HexToAddress(addr1Hex)
	e, err := fx.store.AddWatch(ctx, "vault", addr)
	if err != nil {
		t.Fatal(err)
	}
	if e.Backend != BackendWatch || e.Address != addr || e.File != "" {
		t.Fatalf("entry = %+v", e)
	}
	// Registered like any key: same name refused, listed, deleted.
	if _, err := fx.store.AddWatch(ctx, "vault", addr); !errors.Is(err, ErrExists) {
		t.Errorf("second AddWatch = %v, want ErrExists", err)
	}
	if _, err := fx.store.AddWatch(ctx, "zero", common.Address{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("AddWatch of the zero address = %v, want ErrInvalid", err)
	}

	got, err := fx.store.Address(ctx, "vault")
	if err != nil || got != addr {
		t.Fatalf("Address = %s, %v", got.Hex(), err)
	}
	lazy, err := fx.store.Account(ctx, "vault")
	if err != nil {
		t.Fatal(err)
	}
	w, ok := IsWatchOnly(lazy)
	if !ok || lazy.Address() != addr || lazy.String() != "watch:vault" {
		t.Fatalf("Account = %s %s, watch-only %v", lazy, lazy.Address().Hex(), ok)
	}
	to := common.HexToAddress(addr0Hex)
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Gas: 21000, GasFeeCap: big.NewInt(1), GasTipCap: big.NewInt(1), To: &to})
	for name, s := range map[string]signer.Signer{"lazy": lazy, "inner": w} {
		_, err := s.SignTx(ctx, tx, big.NewInt(1337))
		if !errors.Is(err, signer.ErrUnavailable) || !strings.Contains(err.Error(), "--unsigned") || !strings.Contains(err.Error(), "--signer") {
			t.Errorf("%s: SignTx = %v; want ErrUnavailable naming --signer and --unsigned", name, err)
		}
	}
	for _, ref := range []string{"keystore:vault", "keyring:vault"} {
		if _, err := fx.store.Signer(ctx, ref); !errors.Is(err, signer.ErrNotFound) {
			t.Errorf("Signer(%s) = %v, want ErrNotFound (it is a watch key)", ref, err)
		}
	}
	if _, err := fx.store.ExportKeystoreFile(ctx, "vault", filepath.Join(t.TempDir(), "out.json")); !errors.Is(err, ErrNotExportable) || !strings.Contains(err.Error(), "watch-only") {
		t.Errorf("ExportKeystoreFile = %v", err)
	}
	if _, _, err := fx.store.ExportPrivateKey(ctx, "vault"); !errors.Is(err, ErrNotExportable) {
		t.Errorf("ExportPrivateKey = %v", err)
	}
	list, err := fx.store.List(ctx)
	if err != nil || len(list) != 1 || list[0].Backend != BackendWatch || list[0].Missing {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if _, err := fx.store.Delete(ctx, "vault"); err != nil {
		t.Fatal(err)
	}
	if _, err := fx.store.Get("vault"); !errors.Is(err, signer.ErrNotFound) {
		t.Errorf("after Delete: %v", err)
	}
}
