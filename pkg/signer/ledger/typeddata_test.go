package ledger

import (
	"context"
	"errors"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/stakewallet/stakewallet/internal/ledgeremu"
	ledgerapp "github.com/stakewallet/stakewallet/pkg/ledger"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

func permit() apitypes.TypedData {
	return apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {{Name: "name", Type: "string"}, {Name: "version", Type: "string"}, {Name: "chainId", Type: "uint256"}, {Name: "verifyingContract", Type: "address"}},
			"Permit":       {{Name: "owner", Type: "address"}, {Name: "spender", Type: "address"}, {Name: "value", Type: "uint256"}, {Name: "nonce", Type: "uint256"}, {Name: "deadline", Type: "uint256"}},
		},
		PrimaryType: "Permit",
		Domain: apitypes.TypedDataDomain{Name: "Wrapped liquid staked Ether 2.0", Version: "1", ChainId: math.NewHexOrDecimal256(560048),
			VerifyingContract: "0x7E99eE3C66636DE415D2d7C880938F2f40f94De4"},
		Message: apitypes.TypedDataMessage{
			"owner": account0.Hex(), "spender": "0xfe56573178f1bcdf53F01A6E9977670dcBBD9186",
			"value": (*math.HexOrDecimal256)(big.NewInt(25e16)), "nonce": math.NewHexOrDecimal256(3), "deadline": math.NewHexOrDecimal256(1767225600),
		},
	}
}

// TestSignTypedData: the Ledger signer signs a permit in full EIP-712 mode
// (the device shows its fields), in v0 on an app too old for full mode with
// blind signing on, and says why it cannot otherwise; over TCP and HID.
func TestSignTypedData(t *testing.T) {
	tests := []struct {
		name      string
		opts      ledgeremu.Options
		wantErr   error
		wantBlind bool
		wantMode  ledgerapp.EIP712Mode
	}{
		{name: "full mode", opts: ledgeremu.Options{}, wantMode: ledgerapp.EIP712Full},
		{name: "app 1.9.18, blind signing on: v0", opts: ledgeremu.Options{Version: "1.9.18", BlindSigning: true}, wantBlind: true, wantMode: ledgerapp.EIP712Hashed},
		{name: "app 1.9.18, blind signing off", opts: ledgeremu.Options{Version: "1.9.18"}, wantErr: signer.ErrTypedDataUnsupported, wantMode: ledgerapp.EIP712Hashed},
		{name: "app 1.4.2", opts: ledgeremu.Options{Version: "1.4.2"}, wantErr: signer.ErrTypedDataUnsupported, wantMode: ledgerapp.EIP712Unsupported},
		{name: "user rejects", opts: ledgeremu.Options{Reject: true}, wantErr: signer.ErrDeclined, wantMode: ledgerapp.EIP712Full},
	}
	for _, dev := range devices {
		for _, tt := range tests {
			t.Run(dev.name+"/"+tt.name, func(t *testing.T) {
				emu := newEmu(t, tt.opts)
				app := dev.open(t, emu, Options{})
				s, err := New(context.Background(), app, mustPath(t, "ledger"), account0)
				if err != nil {
					t.Fatal(err)
				}
				mode, _ := app.TypedDataSupport(context.Background())
				if mode != tt.wantMode {
					t.Errorf("mode %d, want %d", mode, tt.wantMode)
				}
				if err := s.TypedDataSupport(); (err == nil) != (tt.wantErr == nil || tt.wantErr == signer.ErrDeclined) {
					t.Errorf("TypedDataSupport: %v", err)
				}
				sig, err := s.SignTypedData(context.Background(), permit())
				if tt.wantErr != nil {
					if !errors.Is(err, tt.wantErr) {
						t.Fatalf("err %v, want %v", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				digest, err := signer.TypedDataDigest(permit())
				if err != nil {
					t.Fatal(err)
				}
				if err := signer.VerifyTypedData(digest, sig, account0); err != nil || (sig[64] != 27 && sig[64] != 28) {
					t.Fatalf("signature %x: %v", sig, err)
				}
				sc := emu.Screens()
				last := sc[len(sc)-1]
				if last.Kind != "typed data" || last.Blind != tt.wantBlind {
					t.Fatalf("device showed %+v", last)
				}
				if !tt.wantBlind {
					shown := map[string]string{}
					for _, f := range last.Fields {
						shown[f.Path] = f.Value
					}
					if shown["Permit.value"] != "250000000000000000" || shown["Permit.spender"] != common.HexToAddress("0xfe56573178f1bcdf53F01A6E9977670dcBBD9186").Hex() || shown["EIP712Domain.chainId"] != "560048" {
						t.Errorf("device showed %v", last.Fields)
					}
				}
			})
		}
	}
}
