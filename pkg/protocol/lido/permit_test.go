package lido

import (
	"context"
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/signer"
)

// TestPermitTypeHashes: EIP-2612's Permit and the 4-field EIP712Domain
// typehashes, as the contracts hard-code them (OpenZeppelin's
// _PERMIT_TYPEHASH, StETHPermit.PERMIT_TYPEHASH; EIP712StETH's typeHash).
func TestPermitTypeHashes(t *testing.T) {
	td := PermitTypedData(lidoDomain("x", "1", 1, common.Address{}), alice, alice, big.NewInt(1), big.NewInt(0), big.NewInt(1))
	for _, tt := range []struct{ typ, want string }{
		{"Permit", "6e71edae12b1b97f4d1f60370fef10105fa2faae0126114a169c64845d6126c9"},
		{"EIP712Domain", "8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f"},
	} {
		if got := hex.EncodeToString(td.TypeHash(tt.typ)); got != tt.want {
			t.Errorf("typehash of %s = %s, want %s", tt.typ, got, tt.want)
		}
	}
}

// separator is keccak256(abi.encode(typeHash, keccak(name), keccak(version),
// chainId, contract)), as EIP712StETH.domainSeparatorV4 and OpenZeppelin's
// _buildDomainSeparator compute it: written out here, not taken from
// go-ethereum's typed-data code.
func separator(name, version string, chainID int64, contract common.Address) []byte {
	th := crypto.Keccak256([]byte("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"))
	enc := append(append(append([]byte(nil), th...), crypto.Keccak256([]byte(name))...), crypto.Keccak256([]byte(version))...)
	enc = append(enc, common.LeftPadBytes(big.NewInt(chainID).Bytes(), 32)...)
	enc = append(enc, common.LeftPadBytes(contract.Bytes(), 32)...)
	return crypto.Keccak256(enc)
}

// TestPermitRequest: the permit offered on the first request of an
// unstake: its reads, its typed data (domain checked against
// DOMAIN_SEPARATOR), the digest the token verifies, and the calldata with
// the signature, decoded back with the real ABI.
func TestPermitRequest(t *testing.T) {
	chainID := big.NewInt(1337)
	key, err := crypto.HexToECDSA("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80")
	if err != nil {
		t.Fatal(err)
	}
	u64 := func(s string) abi.Type { ty, _ := abi.NewType(s, "", nil); return ty }
	eip712Domain := func(name, version string, cid int64, vc common.Address) []byte {
		b, err := abi.Arguments{{Type: u64("string")}, {Type: u64("string")}, {Type: u64("uint256")}, {Type: u64("address")}}.Pack(name, version, big.NewInt(cid), vc)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name      string
		token     protocol.Token
		selector  string
		reads     []string // selectors
		answers   func() [][]byte
		wantErr   string
		signature string // of the request
	}{
		{
			name: "stETH", token: protocol.Token{Symbol: "stETH", Address: DevnetStETH, Decimals: 18}, selector: "acf41e4d",
			reads: []string{"7ecebe00", "3644e515", "84b0196e"},
			answers: func() [][]byte {
				return [][]byte{common.LeftPadBytes([]byte{5}, 32), separator("Liquid staked Ether 2.0", "2", 1337, DevnetStETH),
					eip712Domain("Liquid staked Ether 2.0", "2", 1337, DevnetStETH)}
			},
		},
		{
			name: "wstETH", token: protocol.Token{Symbol: "wstETH", Address: DevnetWstETH, Decimals: 18}, selector: "7951b76f",
			reads: []string{"7ecebe00", "3644e515"},
			answers: func() [][]byte {
				return [][]byte{common.LeftPadBytes([]byte{5}, 32), separator("Wrapped liquid staked Ether 2.0", "1", 1337, DevnetWstETH)}
			},
		},
		{
			name: "stETH whose DOMAIN_SEPARATOR is another", token: protocol.Token{Symbol: "stETH", Address: DevnetStETH, Decimals: 18},
			answers: func() [][]byte {
				return [][]byte{common.LeftPadBytes([]byte{5}, 32), separator("Liquid staked Ether 2.0", "1", 1337, DevnetStETH),
					eip712Domain("Liquid staked Ether 2.0", "2", 1337, DevnetStETH)}
			},
			wantErr: "not signing a permit",
		},
		{
			name: "stETH whose eip712Domain names another chain", token: protocol.Token{Symbol: "stETH", Address: DevnetStETH, Decimals: 18},
			answers: func() [][]byte {
				return [][]byte{common.LeftPadBytes([]byte{5}, 32), separator("Liquid staked Ether 2.0", "2", 1, DevnetStETH),
					eip712Domain("Liquid staked Ether 2.0", "2", 1, DevnetStETH)}
			},
			wantErr: "not signing a permit",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newFake(t).adapter(t)
			amt := big.NewInt(3e17)
			calls, err := l.Unstake(context.Background(), protocol.UnstakeRequest{Owner: alice, Amount: amt, Token: tt.token})
			if err != nil {
				t.Fatal(err)
			}
			if len(calls) != 2 || calls[0].Only == nil || calls[1].Permit == nil || calls[0].Permit != nil {
				t.Fatalf("calls: want an approve (with a Condition) then a request with a permit, got %+v", calls)
			}
			p := calls[1].Permit
			if p.Spender != DevnetWithdrawalQueue || p.Value.Cmp(amt) != 0 || p.Token.Address != tt.token.Address {
				t.Errorf("permit spender %s value %s token %s", p.Spender.Hex(), p.Value, p.Token.Symbol)
			}
			for i, sel := range tt.reads {
				if got := hex.EncodeToString(p.Reads[i].Data[:4]); got != sel || *p.Reads[i].To != tt.token.Address {
					t.Errorf("read %d: %s on %s, want %s on %s", i, got, p.Reads[i].To.Hex(), sel, tt.token.Address.Hex())
				}
			}
			deadline := big.NewInt(1_900_000_000)
			td, err := p.TypedData(tt.answers(), chainID, deadline)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// The digest the token checks: 0x1901 ‖ separator ‖ keccak(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline)).
			ptype := crypto.Keccak256([]byte("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"))
			sh := crypto.Keccak256(ptype, common.LeftPadBytes(alice.Bytes(), 32), common.LeftPadBytes(DevnetWithdrawalQueue.Bytes(), 32),
				common.LeftPadBytes(amt.Bytes(), 32), common.LeftPadBytes([]byte{5}, 32), common.LeftPadBytes(deadline.Bytes(), 32))
			want := crypto.Keccak256([]byte{0x19, 0x01}, tt.answers()[1], sh)
			got, err := signer.TypedDataDigest(td)
			if err != nil {
				t.Fatal(err)
			}
			if !bytesEqual(got[:], want) {
				t.Fatalf("digest %x, want %x", got, want)
			}
			sig, err := crypto.Sign(want, key)
			if err != nil {
				t.Fatal(err)
			}
			sig[64] += 27
			data, err := p.Build(deadline, sig)
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(data[:4]) != tt.selector || p.Action != l.abis.queue.Methods[p.Action].Name {
				t.Fatalf("calldata selector %x, action %s", data[:4], p.Action)
			}
			args, err := l.abis.queue.Methods[p.Action].Inputs.Unpack(data[4:])
			if err != nil {
				t.Fatal(err)
			}
			parts := args[0].([]*big.Int)
			if len(parts) != 1 || parts[0].Cmp(amt) != 0 || args[1].(common.Address) != alice {
				t.Errorf("amounts %v owner %v", parts, args[1])
			}
			in := args[2].(struct {
				Value    *big.Int `json:"value"`
				Deadline *big.Int `json:"deadline"`
				V        uint8    `json:"v"`
				R        [32]byte `json:"r"`
				S        [32]byte `json:"s"`
			})
			if in.Value.Cmp(amt) != 0 || in.Deadline.Cmp(deadline) != 0 || in.V != sig[64] || !bytesEqual(in.R[:], sig[:32]) || !bytesEqual(in.S[:], sig[32:64]) {
				t.Errorf("permit input %+v", in)
			}
		})
	}
}

func bytesEqual(a, b []byte) bool { return string(a) == string(b) }
