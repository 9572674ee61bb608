package devnet_test

import (
	"crypto/ecdsa"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/math"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/signer/core/apitypes"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
)

// permitInput is the queue's PermitInput tuple.
type permitInput struct {
	Value    *big.Int
	Deadline *big.Int
	V        uint8
	R        [32]byte
	S        [32]byte
}

// signPermit signs an EIP-2612 permit under domain with key (go-ethereum's
// typed-data hashing, independent of the contracts).
func signPermit(t *testing.T, key *ecdsa.PrivateKey, domain apitypes.TypedDataDomain, spender common.Address, value, nonce, deadline *big.Int) permitInput {
	t.Helper()
	td := apitypes.TypedData{
		Types: apitypes.Types{
			"EIP712Domain": {{Name: "name", Type: "string"}, {Name: "version", Type: "string"}, {Name: "chainId", Type: "uint256"}, {Name: "verifyingContract", Type: "address"}},
			"Permit":       {{Name: "owner", Type: "address"}, {Name: "spender", Type: "address"}, {Name: "value", Type: "uint256"}, {Name: "nonce", Type: "uint256"}, {Name: "deadline", Type: "uint256"}},
		},
		PrimaryType: "Permit",
		Domain:      domain,
		Message: apitypes.TypedDataMessage{
			"owner": crypto.PubkeyToAddress(key.PublicKey).Hex(), "spender": spender.Hex(),
			"value": (*math.HexOrDecimal256)(value), "nonce": (*math.HexOrDecimal256)(nonce), "deadline": (*math.HexOrDecimal256)(deadline),
		},
	}
	h, _, err := apitypes.TypedDataAndHash(td)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := crypto.Sign(h, key)
	if err != nil {
		t.Fatal(err)
	}
	p := permitInput{Value: value, Deadline: deadline, V: sig[64] + 27}
	copy(p.R[:], sig[:32])
	copy(p.S[:], sig[32:64])
	return p
}

// TestLidoPermitModel: stETH's and wstETH's permit on the devnet models,
// with the real domains (EIP712StETH: "Liquid staked Ether 2.0" v2; wstETH's
// OpenZeppelin ERC20Permit: "Wrapped liquid staked Ether 2.0" v1), nonces,
// revert strings, and the queue's …WithPermit requests leaving no allowance.
func TestLidoPermitModel(t *testing.T) {
	t.Parallel()
	_, c := startDevnet(t, devnet.Config{BondingPeriod: time.Hour})
	lidoA, wst, queue := contracts.Lido(), contracts.WstETH(), contracts.WithdrawalQueue()
	user, relayer := account(t, 1), account(t, 2)
	chainID := int64(1337)
	c.send(user, c.dep.StETH, ether(5), lidoA, "submit", common.Address{})
	c.send(user, c.dep.StETH, nil, lidoA, "approve", c.dep.WstETH, ether(2))
	c.send(user, c.dep.WstETH, nil, wst, "wrap", ether(2))

	stDomain := apitypes.TypedDataDomain{Name: "Liquid staked Ether 2.0", Version: "2", ChainId: math.NewHexOrDecimal256(chainID), VerifyingContract: c.dep.StETH.Hex()}
	wstDomain := apitypes.TypedDataDomain{Name: "Wrapped liquid staked Ether 2.0", Version: "1", ChainId: math.NewHexOrDecimal256(chainID), VerifyingContract: c.dep.WstETH.Hex()}

	// eip712Domain() of stETH (the shortened ERC-5267 view) and both
	// DOMAIN_SEPARATOR()s.
	d := c.call(lidoA, c.dep.StETH, "eip712Domain")
	if d[0] != stDomain.Name || d[1] != stDomain.Version || d[2].(*big.Int).Int64() != chainID || d[3] != c.dep.StETH {
		t.Errorf("stETH eip712Domain() = %v", d)
	}
	for _, tt := range []struct {
		a    *contracts.Artifact
		addr common.Address
		dom  apitypes.TypedDataDomain
	}{{lidoA, c.dep.StETH, stDomain}, {wst, c.dep.WstETH, wstDomain}} {
		td := apitypes.TypedData{Types: apitypes.Types{"EIP712Domain": {{Name: "name", Type: "string"}, {Name: "version", Type: "string"}, {Name: "chainId", Type: "uint256"}, {Name: "verifyingContract", Type: "address"}}}, Domain: tt.dom}
		want, err := td.HashStruct("EIP712Domain", td.Domain.Map())
		if err != nil {
			t.Fatal(err)
		}
		got := c.call(tt.a, tt.addr, "DOMAIN_SEPARATOR")[0].([32]byte)
		if common.Hash(got) != common.BytesToHash(want) {
			t.Errorf("%s DOMAIN_SEPARATOR %x, want %x", tt.a.Name, got, want)
		}
	}

	future := big.NewInt(time.Now().Add(time.Hour).Unix())
	zero := big.NewInt(0)
	reverts := []struct {
		name   string
		a      *contracts.Artifact
		token  common.Address
		p      permitInput
		reason string
	}{
		{"stETH expired", lidoA, c.dep.StETH, signPermit(t, user.PrivateKey, stDomain, relayer.Address, ether(1), zero, big.NewInt(1)), "ERC20Permit: expired deadline"},
		{"stETH wrong domain version", lidoA, c.dep.StETH, signPermit(t, user.PrivateKey, apitypes.TypedDataDomain{Name: stDomain.Name, Version: "1", ChainId: stDomain.ChainId, VerifyingContract: stDomain.VerifyingContract}, relayer.Address, ether(1), zero, future), "invalid signature"},
		{"stETH wrong nonce", lidoA, c.dep.StETH, signPermit(t, user.PrivateKey, stDomain, relayer.Address, ether(1), big.NewInt(1), future), "invalid signature"},
		{"wstETH expired", wst, c.dep.WstETH, signPermit(t, user.PrivateKey, wstDomain, relayer.Address, ether(1), zero, big.NewInt(1)), "ERC20Permit: expired deadline"},
		{"wstETH signed for stETH's domain", wst, c.dep.WstETH, signPermit(t, user.PrivateKey, stDomain, relayer.Address, ether(1), zero, future), "ERC20Permit: invalid signature"},
	}
	for _, tt := range reverts {
		t.Run(tt.name, func(t *testing.T) {
			data := pack(t, tt.a, "permit", user.Address, relayer.Address, tt.p.Value, tt.p.Deadline, tt.p.V, tt.p.R, tt.p.S)
			wantRevert(t, c.revertData(relayer.Address, tt.token, nil, data), nil, "", tt.reason)
		})
	}

	// A valid permit, sent by someone else: allowance set, nonce used,
	// the same signature refused a second time.
	p := signPermit(t, user.PrivateKey, stDomain, relayer.Address, ether(1), zero, future)
	r := c.send(relayer, c.dep.StETH, nil, lidoA, "permit", user.Address, relayer.Address, p.Value, p.Deadline, p.V, p.R, p.S)
	wantEvent(t, r.Logs, lidoA, c.dep.StETH, "Approval", event{"owner": user.Address, "spender": relayer.Address, "value": ether(1)})
	if n := c.callBig(lidoA, c.dep.StETH, "nonces", user.Address); n.Int64() != 1 {
		t.Errorf("nonce %s, want 1", n)
	}
	replay := pack(t, lidoA, "permit", user.Address, relayer.Address, p.Value, p.Deadline, p.V, p.R, p.S)
	wantRevert(t, c.revertData(relayer.Address, c.dep.StETH, nil, replay), nil, "", "invalid signature")
	c.send(user, c.dep.StETH, nil, lidoA, "approve", relayer.Address, zero)

	// The queue's requests with a permit: one transaction each, no
	// allowance left.
	for _, tt := range []struct {
		name   string
		a      *contracts.Artifact
		token  common.Address
		dom    apitypes.TypedDataDomain
		method string
		nonce  int64
	}{
		{"stETH", lidoA, c.dep.StETH, stDomain, "requestWithdrawalsWithPermit", 1},
		{"wstETH", wst, c.dep.WstETH, wstDomain, "requestWithdrawalsWstETHWithPermit", 0},
	} {
		t.Run(tt.method, func(t *testing.T) {
			amt := ether(0.5)
			p := signPermit(t, user.PrivateKey, tt.dom, c.dep.WithdrawalQueue, amt, big.NewInt(tt.nonce), future)
			r := c.send(user, c.dep.WithdrawalQueue, nil, queue, tt.method, []*big.Int{amt}, user.Address, p)
			if len(events(t, r.Logs, queue, c.dep.WithdrawalQueue, "WithdrawalRequested")) != 1 {
				t.Errorf("%s: no WithdrawalRequested", tt.method)
			}
			if a := c.callBig(tt.a, tt.token, "allowance", user.Address, c.dep.WithdrawalQueue); a.Sign() != 0 {
				t.Errorf("allowance left %s", a)
			}
			if n := c.callBig(tt.a, tt.token, "nonces", user.Address); n.Int64() != tt.nonce+1 {
				t.Errorf("nonce %s, want %d", n, tt.nonce+1)
			}
		})
	}
}
