package devnet_test

import (
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/contracts"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/pkg/protocol/lido"
)

func TestGenesisIsDeterministic(t *testing.T) {
	first, err := devnet.GenesisHash()
	if err != nil {
		t.Fatal(err)
	}
	second, err := devnet.GenesisHash()
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Fatalf("genesis hash changed between builds: %s then %s", first, second)
	}
	if first == (common.Hash{}) {
		t.Fatal("zero genesis hash")
	}
}

func TestGenesisAlloc(t *testing.T) {
	g, err := devnet.Genesis()
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Config.ChainID.Uint64(); got != devnet.ChainID {
		t.Errorf("chain id %d, want %d", got, devnet.ChainID)
	}
	if g.Config.CancunTime == nil || *g.Config.CancunTime != 0 || g.Config.PragueTime == nil || *g.Config.PragueTime != 0 {
		t.Errorf("Cancun and Prague must be active at genesis: %v", g.Config)
	}
	for _, acc := range devkeys.TestAccounts() {
		if got := g.Alloc[acc.Address].Balance; got == nil || got.Cmp(devnet.TestAccountBalance()) != 0 {
			t.Errorf("test account %d balance %v, want %v", acc.Index, got, devnet.TestAccountBalance())
		}
	}
	if got := g.Alloc[devkeys.Oracle().Address].Balance; got == nil || got.Cmp(devnet.OracleBalance()) != 0 {
		t.Errorf("oracle balance %v", got)
	}

	tests := []struct {
		name     string
		addr     common.Address
		artifact *contracts.Artifact
		balance  *big.Int
	}{
		{"stETH", lido.DevnetStETH, contracts.Lido(), contracts.BootstrapDeposit()},
		{"wstETH", lido.DevnetWstETH, contracts.WstETH(), new(big.Int)},
		{"queue", lido.DevnetWithdrawalQueue, contracts.WithdrawalQueue(), new(big.Int)},
		{"locator", lido.DevnetLocator, contracts.Locator(), new(big.Int)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc, ok := g.Alloc[tt.addr]
			if !ok {
				t.Fatalf("no account at %s", tt.addr)
			}
			// Immutables make the installed code differ from the artifact's
			// zero-filled runtime code, but never its length.
			if len(acc.Code) != len(tt.artifact.DeployedBytecode) {
				t.Errorf("code length %d, want %d", len(acc.Code), len(tt.artifact.DeployedBytecode))
			}
			if acc.Balance.Cmp(tt.balance) != 0 {
				t.Errorf("balance %v, want %v", acc.Balance, tt.balance)
			}
			if acc.Nonce != 1 {
				t.Errorf("nonce %d, want 1", acc.Nonce)
			}
		})
	}
	if len(g.Alloc[lido.DevnetStETH].Storage) == 0 || len(g.Alloc[lido.DevnetWithdrawalQueue].Storage) == 0 {
		t.Error("Lido and the queue must carry constructor-initialised storage")
	}
}

// TestTestAccounts checks the hard-coded keys against the addresses anvil
// and Hardhat print for the test mnemonic.
func TestTestAccounts(t *testing.T) {
	want := []string{
		"0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
		"0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
		"0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
		"0x90F79bf6EB2c4f870365E785982E1f101E93b906",
		"0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
		"0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
		"0x976EA74026E726554dB657fA54763abd0C3a0aa9",
		"0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
		"0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
		"0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
	}
	accs := devkeys.TestAccounts()
	if len(accs) != len(want) {
		t.Fatalf("%d accounts, want %d", len(accs), len(want))
	}
	for i, w := range want {
		if accs[i].Address.Hex() != w {
			t.Errorf("account %d is %s, want %s", i, accs[i].Address.Hex(), w)
		}
		if crypto.PubkeyToAddress(accs[i].PrivateKey.PublicKey) != accs[i].Address {
			t.Errorf("account %d: key does not match address", i)
		}
	}
	if _, err := devkeys.TestAccount(10); err == nil {
		t.Error("index 10 must be out of range")
	}
	if o := devkeys.Oracle(); o.Address == (common.Address{}) || o.Index != -1 {
		t.Errorf("oracle account %+v", o)
	}
}

// TestSelectors compares the compiled ABIs with the selectors and topics of
// the real Lido contracts (shared/reference/protocols.md §1.1–1.4): each
// signature must exist in the artifact, and the hex in the table must be its
// keccak256 (which also checks the table).
func TestSelectors(t *testing.T) {
	type entry struct {
		artifact *contracts.Artifact
		sig      string
		want     string // 4-byte selector or 32-byte topic, hex without 0x
	}
	lidoA, wst, queue, loc := contracts.Lido(), contracts.WstETH(), contracts.WithdrawalQueue(), contracts.Locator()
	methods := []entry{
		// Lido / stETH (§1.2)
		{lidoA, "submit(address)", "a1903eab"},
		{lidoA, "getCurrentStakeLimit()", "609c4c6c"},
		{lidoA, "getStakeLimitFullInfo()", "665b4b0b"},
		{lidoA, "isStakingPaused()", "1ea7ca89"},
		{lidoA, "sharesOf(address)", "f5eb42dc"},
		{lidoA, "transferShares(address,uint256)", "8fcb4e5b"},
		{lidoA, "transferSharesFrom(address,address,uint256)", "6d780459"},
		{lidoA, "getSharesByPooledEth(uint256)", "19208451"},
		{lidoA, "getPooledEthByShares(uint256)", "7a28fb88"},
		{lidoA, "getPooledEthBySharesRoundUp(uint256)", "0103349c"},
		{lidoA, "getTotalPooledEther()", "37cfdaca"},
		{lidoA, "getTotalShares()", "d5002f2e"},
		{lidoA, "getBufferedEther()", "47b714e0"},
		{lidoA, "transfer(address,uint256)", "a9059cbb"},
		{lidoA, "balanceOf(address)", "70a08231"},
		{lidoA, "approve(address,uint256)", "095ea7b3"},
		{lidoA, "transferFrom(address,address,uint256)", "23b872dd"},
		{lidoA, "allowance(address,address)", "dd62ed3e"},
		{lidoA, "totalSupply()", "18160ddd"},
		// EIP-2612 (StETHPermit, EIP712StETH; protocols.md §1)
		{lidoA, "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "d505accf"},
		{lidoA, "nonces(address)", "7ecebe00"},
		{lidoA, "DOMAIN_SEPARATOR()", "3644e515"},
		{lidoA, "eip712Domain()", "84b0196e"},
		// wstETH (§1.2)
		{wst, "wrap(uint256)", "ea598cb0"},
		{wst, "unwrap(uint256)", "de0e9a3e"},
		{wst, "getWstETHByStETH(uint256)", "b0e38900"},
		{wst, "getStETHByWstETH(uint256)", "bb2952fc"},
		{wst, "stEthPerToken()", "035faf82"},
		{wst, "tokensPerStEth()", "9576a0c8"},
		{wst, "permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "d505accf"},
		{wst, "nonces(address)", "7ecebe00"},
		{wst, "DOMAIN_SEPARATOR()", "3644e515"},
		// WithdrawalQueueERC721 (§1.2)
		{queue, "requestWithdrawals(uint256[],address)", "d6681042"},
		{queue, "requestWithdrawalsWstETH(uint256[],address)", "19aa6257"},
		{queue, "requestWithdrawalsWithPermit(uint256[],address,(uint256,uint256,uint8,bytes32,bytes32))", "acf41e4d"},
		{queue, "requestWithdrawalsWstETHWithPermit(uint256[],address,(uint256,uint256,uint8,bytes32,bytes32))", "7951b76f"},
		{queue, "getWithdrawalRequests(address)", "7d031b65"},
		{queue, "getWithdrawalStatus(uint256[])", "b8c4b85a"},
		{queue, "getClaimableEther(uint256[],uint256[])", "c97912d8"},
		{queue, "findCheckpointHints(uint256[],uint256,uint256)", "62abe3fa"},
		{queue, "getLastCheckpointIndex()", "526eae3e"},
		{queue, "claimWithdrawals(uint256[],uint256[])", "e3afe0a3"},
		{queue, "claimWithdrawalsTo(uint256[],uint256[],address)", "5e7eead9"},
		{queue, "claimWithdrawal(uint256)", "f8444436"},
		{queue, "getLastRequestId()", "19c2b4c3"},
		{queue, "getLastFinalizedRequestId()", "4f069a13"},
		{queue, "unfinalizedStETH()", "d0fb84e8"},
		{queue, "unfinalizedRequestNumber()", "c2fc7aff"},
		{queue, "getLockedEtherAmount()", "f6fa8a47"},
		{queue, "isBunkerModeActive()", "2b95b781"},
		{queue, "bunkerModeSinceTimestamp()", "9b36be58"},
		{queue, "isPaused()", "b187bd26"},
		{queue, "getResumeSinceTimestamp()", "589ff76c"},
		{queue, "MIN_STETH_WITHDRAWAL_AMOUNT()", "0d25a957"},
		{queue, "MAX_STETH_WITHDRAWAL_AMOUNT()", "db2296cd"},
		{queue, "ownerOf(uint256)", "6352211e"},
		{queue, "balanceOf(address)", "70a08231"},
		{queue, "safeTransferFrom(address,address,uint256)", "42842e0e"},
		// LidoLocator (§1.1)
		{loc, "lido()", "23509a2d"},
		{loc, "withdrawalQueue()", "37d5fe99"},
		{loc, "accountingOracle()", "5a2031f9"},
		{loc, "wstETH()", "4aa07e64"},
	}
	events := []entry{
		{lidoA, "Submitted(address,uint256,address)", "96a25c8ce0baabc1fdefd93e9ed25d8e092a3332f3aa9a41722b5697231d1d1a"},
		{lidoA, "TransferShares(address,address,uint256)", "9d9c909296d9c674451c0c24f02cb64981eb3b727f99865939192f880a755dcb"},
		{lidoA, "Transfer(address,address,uint256)", "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
		{wst, "Transfer(address,address,uint256)", "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
		{queue, "Transfer(address,address,uint256)", "ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"},
		{queue, "WithdrawalRequested(uint256,address,address,uint256,uint256)", "f0cb471f23fb74ea44b8252eb1881a2dca546288d9f6e90d1a0e82fe0ed342ab"},
		{queue, "WithdrawalsFinalized(uint256,uint256,uint256,uint256,uint256)", "197874c72af6a06fb0aa4fab45fd39c7cb61ac0992159872dc3295207da7e9eb"},
		{queue, "WithdrawalClaimed(uint256,address,address,uint256)", "6ad26c5e238e7d002799f9a5db07e81ef14e37386ae03496d7a7ef04713e145b"},
		{queue, "BatchMetadataUpdate(uint256,uint256)", "6bd5c950a8d8df17f772f5af37cb3655737899cbf903264b9795592da439661c"},
	}
	errs := []entry{
		{queue, "RequestAmountTooSmall(uint256)", "b89b87c8"},
		{queue, "RequestAmountTooLarge(uint256)", "8ebfb78d"},
		{queue, "RequestIdsNotSorted()", "374e8bd1"},
		{queue, "ZeroRecipient()", "d27b4443"},
		{queue, "ArraysLengthMismatch(uint256,uint256)", "4c59bf28"},
		{queue, "NotOwner(address,address)", "23295f0e"},
		{queue, "InvalidRequestId(uint256)", "c969e0f2"},
		{queue, "InvalidRequestIdRange(uint256,uint256)", "71894257"},
		{queue, "RequestNotFoundOrNotFinalized(uint256)", "4ae50228"},
		{queue, "NotEnoughEther()", "8a0d3779"},
		{queue, "RequestAlreadyClaimed(uint256)", "f0e0cc2d"},
		{queue, "InvalidHint(uint256)", "cee778e2"},
		{queue, "CantSendValueRecipientMayHaveReverted()", "0f0b498d"},
		{queue, "ResumedExpected()", "14378398"},
		{queue, "PausedExpected()", "b047186b"},
	}

	check := func(t *testing.T, e entry, found map[string][]byte, size int) {
		t.Helper()
		if got := hex.EncodeToString(crypto.Keccak256([]byte(e.sig))[:size]); got != e.want {
			t.Errorf("keccak(%s) = %s, table says %s", e.sig, got, e.want)
		}
		id, ok := found[e.sig]
		if !ok {
			t.Errorf("%s has no %s", e.artifact.Name, e.sig)
			return
		}
		if got := hex.EncodeToString(id[:size]); got != e.want {
			t.Errorf("%s.%s compiled to %s, want %s", e.artifact.Name, e.sig, got, e.want)
		}
	}
	for _, e := range methods {
		found := map[string][]byte{}
		for _, m := range e.artifact.ABI.Methods {
			found[m.Sig] = m.ID
		}
		check(t, e, found, 4)
	}
	for _, e := range events {
		found := map[string][]byte{}
		for _, ev := range e.artifact.ABI.Events {
			found[ev.Sig] = ev.ID.Bytes()
		}
		check(t, e, found, 32)
	}
	for _, e := range errs {
		found := map[string][]byte{}
		for _, er := range e.artifact.ABI.Errors {
			found[er.Sig] = er.ID.Bytes()
		}
		check(t, e, found, 4)
	}
}

// TestWithdrawalStatusTuple pins the real WithdrawalRequestStatus layout,
// which clients decode by position and name.
func TestWithdrawalStatusTuple(t *testing.T) {
	m, ok := contracts.WithdrawalQueue().ABI.Methods["getWithdrawalStatus"]
	if !ok || len(m.Outputs) != 1 {
		t.Fatal("getWithdrawalStatus missing or not single-output")
	}
	elem := m.Outputs[0].Type.Elem
	if elem == nil {
		t.Fatalf("output %s is not an array", m.Outputs[0].Type)
	}
	want := []struct{ name, typ string }{
		{"amountOfStETH", "uint256"}, {"amountOfShares", "uint256"}, {"owner", "address"},
		{"timestamp", "uint256"}, {"isFinalized", "bool"}, {"isClaimed", "bool"},
	}
	if len(elem.TupleElems) != len(want) {
		t.Fatalf("%d tuple fields, want %d", len(elem.TupleElems), len(want))
	}
	for i, w := range want {
		if elem.TupleRawNames[i] != w.name || elem.TupleElems[i].String() != w.typ {
			t.Errorf("field %d is %s %s, want %s %s", i, elem.TupleElems[i], elem.TupleRawNames[i], w.typ, w.name)
		}
	}
}
