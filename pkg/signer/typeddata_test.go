package signer_test

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/stakewallet/stakewallet/pkg/signer"
	"github.com/stakewallet/stakewallet/pkg/signer/keyring"
	"github.com/stakewallet/stakewallet/pkg/signer/keystore"
)

// EIP-712's own example (EIPS/eip-712.md and its test vectors in
// assets/eip-712/Example.js): the Mail message, signed by the key
// keccak256("cow").
var (
	mailDomain    = "f2cee375fa42b42143804025fc449deafd50cc031ca257e0b194a650a912090f"
	mailStruct    = "c52c0ee5d84264471806290a3f2c4cecfc5490626bf912d01f240d7a274b371e"
	mailDigest    = "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"
	mailSignature = "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d" +
		"07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562" + "1c" // v = 28
	cowAddress = common.HexToAddress("0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826")
)

func mail() apitypes.TypedData {
	return apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {{Name: "name", Type: "string"}, {Name: "version", Type: "string"}, {Name: "chainId", Type: "uint256"}, {Name: "verifyingContract", Type: "address"}},
			"Person":       {{Name: "name", Type: "string"}, {Name: "wallet", Type: "address"}},
			"Mail":         {{Name: "from", Type: "Person"}, {Name: "to", Type: "Person"}, {Name: "contents", Type: "string"}},
		},
		PrimaryType: "Mail",
		Domain: apitypes.TypedDataDomain{Name: "Ether Mail", Version: "1", ChainId: math.NewHexOrDecimal256(1),
			VerifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC"},
		Message: apitypes.TypedDataMessage{
			"from":     map[string]any{"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
			"to":       map[string]any{"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
			"contents": "Hello, Bob!",
		},
	}
}

func TestTypedDataHashesMatchTheEIP(t *testing.T) {
	d, m, err := signer.TypedDataHashes(mail())
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(d[:]) != mailDomain || hex.EncodeToString(m[:]) != mailStruct {
		t.Errorf("domain %x struct %x, want %s %s", d, m, mailDomain, mailStruct)
	}
	digest, err := signer.TypedDataDigest(mail())
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(digest[:]) != mailDigest {
		t.Errorf("digest %x, want %s", digest, mailDigest)
	}
	// go-ethereum's own encoder (TypedDataAndHash) agrees.
	h, _, err := apitypes.TypedDataAndHash(mail())
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(h) != mailDigest {
		t.Errorf("apitypes digest %x", h)
	}
}

// TestTypedDataSigners: every local signer signs the EIP's message with
// exactly the published signature (RFC 6979 makes it deterministic) and
// refuses a signature that recovers elsewhere.
func TestTypedDataSigners(t *testing.T) {
	ctx := context.Background()
	key := crypto.ToECDSAUnsafe(crypto.Keccak256([]byte("cow")))
	if crypto.PubkeyToAddress(key.PublicKey) != cowAddress {
		t.Fatal("cow key")
	}
	file := func() signer.TypedDataSigner {
		data, err := keystore.Encrypt(key, []byte("pw"), keystore.Params{N: 2, P: 1})
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "cow.json")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := keystore.Open(p, "keystore:cow", []byte("pw"))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	ring := func() signer.TypedDataSigner {
		gokeyring.MockInit()
		k := keyring.New(keyring.GoKeyring(), time.Second)
		if err := k.Put(ctx, "cow", key); err != nil {
			t.Fatal(err)
		}
		s, err := k.Open(ctx, "cow", &cowAddress)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	lazy := func() signer.TypedDataSigner {
		inner := file()
		return signer.NewLazy(cowAddress, "keystore:cow", func(context.Context) (signer.Signer, error) { return inner, nil })
	}
	for _, tt := range []struct {
		name string
		s    func() signer.TypedDataSigner
	}{{"keystore", file}, {"keyring", ring}, {"lazy keystore", lazy}} {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s()
			sig, err := s.SignTypedData(ctx, mail())
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(sig) != mailSignature {
				t.Errorf("signature %x, want %s", sig, mailSignature)
			}
			digest := common.HexToHash(mailDigest)
			if err := signer.VerifyTypedData(digest, sig, cowAddress); err != nil {
				t.Error(err)
			}
			var wrong *signer.WrongSenderError
			if err := signer.VerifyTypedData(digest, sig, common.HexToAddress("0x01")); !errors.As(err, &wrong) {
				t.Errorf("wrong address: %v", err)
			}
		})
	}
	// A lazy key marked as unable refuses before opening anything.
	opened := false
	l := signer.NewLazy(cowAddress, "watch:cow", func(context.Context) (signer.Signer, error) { opened = true; return nil, errors.New("no key") }).NoTypedData("a watch-only key has no key")
	if _, err := l.SignTypedData(ctx, mail()); !errors.Is(err, signer.ErrTypedDataUnsupported) || opened {
		t.Errorf("watch-only: err %v, opened %v", err, opened)
	}
}
