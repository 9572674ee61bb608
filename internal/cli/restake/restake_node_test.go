package restake

import (
	"context"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/lidofake"
	"github.com/stakewallet/stakewallet/pkg/protocol"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

func restakeCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdRestake(f, nil) }

// restakeDoc is the part of restake's JSON document the tests check.
type restakeDoc struct {
	Action, Network, From, Protocol, Symbol string
	ChainID                                 uint64
	Decimals                                int
	Keep, Min, CarriedOver, Owed, Message   string
	NothingToDo, DryRun                     bool
	Claimed                                 *struct {
		RequestIDs []string
		Amount     string
	}
	Staked *struct{ Amount string }
	Claim  *struct {
		Action       string
		RequestIDs   []string
		Transactions []txDoc
	}
	Stake *struct {
		Action, Amount string
		Transactions   []txDoc
		Received       *struct{ Amount, Symbol string }
	}
	Transactions []txDoc
}

type txDoc struct {
	Action, Status, TxHash string
}

func decodeDoc(t *testing.T, e *clitest.Env) (doc restakeDoc) {
	t.Helper()
	e.JSON(t, &doc)
	return doc
}

// owedOnDisk is what the state file says is still to stake ("" = no file).
func owedOnDisk(t *testing.T, e *clitest.Env) string {
	t.Helper()
	b, err := os.ReadFile(statePath(filepath.Join(e.Home, "restake"), 1337, e.Alice))
	if os.IsNotExist(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	var st struct{ Owed string }
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st.Owed
}

// eth parses whole coins, e.g. "1.5", into wei.
func wei(t *testing.T, s string) *big.Int {
	t.Helper()
	v, err := parseAmount("test", s, ether)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRestakeClaimsThenStakes: a finalized Lido request of Alice's is
// claimed, and the proceeds minus --keep are staked: two transactions on
// the node, both in the document, with the claim's and the stake's own
// results embedded under "claim" and "stake".
func TestRestakeClaimsThenStakes(t *testing.T) {
	e := clitest.NewEnv(t, "")
	id := e.Lido.AddRequest(e.Alice, wei(t, "2"), true)
	before := e.Lido.StETHBalance(e.Alice)
	e.RunOK(t, restakeCmd, "--keep", "0.5", "--yes", "--json")
	doc := decodeDoc(t, e)
	ids := []string{strconv.FormatUint(id, 10)}
	if doc.Action != "restake" || doc.Network != "devnet" || doc.ChainID != 1337 || doc.From != e.Alice.Hex() || doc.Protocol != "lido" ||
		doc.Symbol != "ETH" || doc.Decimals != 18 || doc.Keep != wei(t, "0.5").String() || doc.Min != "0" || doc.CarriedOver != "0" {
		t.Errorf("document head = %+v", doc)
	}
	if doc.Claimed == nil || doc.Claimed.Amount != wei(t, "2").String() || strings.Join(doc.Claimed.RequestIDs, ",") != ids[0] {
		t.Errorf("claimed = %+v, want %s from request %s", doc.Claimed, wei(t, "2"), ids[0])
	}
	if doc.Staked == nil || doc.Staked.Amount != wei(t, "1.5").String() {
		t.Errorf("staked = %+v, want 1.5 ETH", doc.Staked)
	}
	if doc.Owed != "0" || doc.NothingToDo || doc.DryRun || !strings.Contains(doc.Message, "claimed 2 ETH from 1 request") {
		t.Errorf("owed %s, nothingToDo %v, dryRun %v, message %q", doc.Owed, doc.NothingToDo, doc.DryRun, doc.Message)
	}

	sent := e.Node.Sent()
	addrs := lidofake.DevnetAddresses()
	if len(sent) != 2 || *sent[0].To() != addrs.Queue || *sent[1].To() != addrs.StETH || sent[1].Value().Cmp(wei(t, "1.5")) != 0 {
		t.Fatalf("node got %d transactions, want a claim to the queue then a 1.5 ETH stake: %v", len(sent), toList(sent))
	}
	if doc.Claim == nil || doc.Claim.Action != "claim" || strings.Join(doc.Claim.RequestIDs, ",") != ids[0] ||
		len(doc.Claim.Transactions) != 1 || doc.Claim.Transactions[0].TxHash != sent[0].Hash().Hex() {
		t.Errorf("embedded claim = %+v", doc.Claim)
	}
	if doc.Stake == nil || doc.Stake.Action != "stake" || doc.Stake.Amount != wei(t, "1.5").String() ||
		len(doc.Stake.Transactions) != 1 || doc.Stake.Transactions[0].TxHash != sent[1].Hash().Hex() ||
		doc.Stake.Received == nil || doc.Stake.Received.Symbol != "stETH" {
		t.Errorf("embedded stake = %+v", doc.Stake)
	}
	if len(doc.Transactions) != 2 || doc.Transactions[0].Action != "claimWithdrawals" || doc.Transactions[1].Action != "stake" ||
		doc.Transactions[0].Status != "success" || doc.Transactions[1].Status != "success" {
		t.Errorf("transactions = %+v", doc.Transactions)
	}
	if r, _ := e.Lido.Request(id); !r.Claimed {
		t.Error("the request is not claimed on the fake")
	}
	if gained := new(big.Int).Sub(e.Lido.StETHBalance(e.Alice), before); gained.Cmp(wei(t, "1.5")) != 0 {
		t.Errorf("stETH gained %s, want 1.5 ETH worth", gained)
	}
	if got := owedOnDisk(t, e); got != "0" {
		t.Errorf("state file owes %q after a full restake, want 0", got)
	}

	// Run again: the request is claimed, nothing is owed, nothing is sent.
	if code := e.Run(restakeCmd, "--keep", "0.5", "--yes", "--json"); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, e.ErrOut)
	}
	if doc := decodeDoc(t, e); !doc.NothingToDo || len(e.Node.Sent()) != 2 {
		t.Errorf("second run: nothingToDo %v, node has %d transactions", doc.NothingToDo, len(e.Node.Sent()))
	}
}

func toList(txs []*types.Transaction) []string {
	var out []string
	for _, tx := range txs {
		to := "create"
		if tx.To() != nil {
			to = tx.To().Hex()
		}
		out = append(out, to+" value "+tx.Value().String())
	}
	return out
}

// TestRestakeNothingToDo: with no claimable request (none, or one still
// pending) restake sends nothing, says so, and exits 0.
func TestRestakeNothingToDo(t *testing.T) {
	tests := []struct {
		name  string
		setup func(e *clitest.Env)
	}{
		{"no requests", func(*clitest.Env) {}},
		{"a pending request", func(e *clitest.Env) { e.Lido.AddRequest(e.Alice, wei(t, "1"), false) }},
		{"someone else's finalized request", func(e *clitest.Env) { e.Lido.AddRequest(e.Bob, wei(t, "1"), true) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			tt.setup(e)
			e.RunOK(t, restakeCmd, "--yes", "--json")
			doc := decodeDoc(t, e)
			if !doc.NothingToDo || doc.Claimed != nil || doc.Staked != nil || doc.Claim != nil || doc.Stake != nil ||
				doc.Transactions == nil || len(doc.Transactions) != 0 || !strings.HasPrefix(doc.Message, "Nothing to do") {
				t.Errorf("document = %+v\n%s", doc, e.Out)
			}
			if !strings.Contains(e.Out.String(), `"transactions": []`) || !strings.Contains(e.Out.String(), `"claim": null`) {
				t.Errorf("empty lists and skipped steps must read [] and null:\n%s", e.Out)
			}
			e.AssertNothingSent(t)
			if code := e.Run(restakeCmd, "--yes"); code != 0 || !strings.Contains(e.Out.String(), "Nothing to do: no claimable requests, no proceeds to stake.") {
				t.Errorf("human: exit %d, output %q", code, e.Out)
			}
		})
	}
}

// TestRestakeHuman: people get the claim's and the stake's results, then
// restake's line.
func TestRestakeHuman(t *testing.T) {
	e := clitest.NewEnv(t, "")
	e.Lido.AddRequest(e.Alice, wei(t, "1"), true)
	e.RunOK(t, restakeCmd, "--yes")
	out := e.Out.String()
	want := []string{"✓ Claim 1 withdrawal request (1 ETH) from Lido", "claimWithdrawals 0x", "✓ Restake 1 ETH with Lido", "stake 0x",
		"✓ Restake: claimed 1 ETH from 1 request; staked the proceeds of 1 ETH minus --keep 0 ETH."}
	last := -1
	for _, w := range want {
		i := strings.Index(out, w)
		if i < 0 || i < last {
			t.Errorf("output lacks %q after the previous line:\n%s", w, out)
		}
		last = i
	}
}

// TestRestakeDryRun: the claim and the stake are previewed, nothing is
// signed, sent, journaled or remembered, and no passphrase is needed.
func TestRestakeDryRun(t *testing.T) {
	e := clitest.NewEnv(t, "")
	t.Setenv("STAKEWALLET_PASSWORD_FILE", "")
	e.Lido.AddRequest(e.Alice, wei(t, "1"), true)
	e.RunOK(t, restakeCmd, "--dry-run", "--json")
	doc := decodeDoc(t, e)
	if !doc.DryRun || doc.Claimed == nil || doc.Claim == nil || len(doc.Claim.Transactions) != 1 || doc.Claim.Transactions[0].Status != "unsigned" ||
		!strings.HasPrefix(doc.Message, "Dry run: would have claimed 1 ETH") {
		t.Errorf("dry-run document = %+v\n%s", doc, e.Out)
	}
	for _, tx := range doc.Transactions {
		if tx.Status != "unsigned" || tx.TxHash != "" {
			t.Errorf("dry-run transaction %+v", tx)
		}
	}
	e.AssertNothingSent(t)
	if owed := owedOnDisk(t, e); owed != "" {
		t.Errorf("dry run left state %q", owed)
	}
	if strings.Contains(e.ErrOut.String(), "assphrase") {
		t.Errorf("dry run asked for the passphrase: %s", e.ErrOut)
	}
}

// TestRestakeCarriesBelowMin: proceeds below --min wait in the state file
// and a later run with a lower --min stakes them without a new claim.
func TestRestakeCarriesBelowMin(t *testing.T) {
	e := clitest.NewEnv(t, "")
	e.Lido.AddRequest(e.Alice, wei(t, "0.2"), true)
	e.RunOK(t, restakeCmd, "--min", "1", "--yes", "--json")
	doc := decodeDoc(t, e)
	if doc.Staked != nil || doc.Stake != nil || doc.Owed != wei(t, "0.2").String() || !strings.Contains(doc.Message, "below --min") {
		t.Errorf("below --min: %+v", doc)
	}
	if len(e.Node.Sent()) != 1 || owedOnDisk(t, e) != wei(t, "0.2").String() {
		t.Fatalf("sent %d (want the claim only), state owes %q", len(e.Node.Sent()), owedOnDisk(t, e))
	}
	e.RunOK(t, restakeCmd, "--min", "0.1", "--yes", "--json")
	doc = decodeDoc(t, e)
	if doc.Claim != nil || doc.CarriedOver != wei(t, "0.2").String() || doc.Staked == nil || doc.Staked.Amount != wei(t, "0.2").String() || doc.Owed != "0" {
		t.Errorf("carried over: %+v", doc)
	}
	if len(e.Node.Sent()) != 2 || owedOnDisk(t, e) != "0" {
		t.Errorf("sent %d in all, state owes %q", len(e.Node.Sent()), owedOnDisk(t, e))
	}
}

// TestRestakeRefusals: what restake refuses before it sends anything.
func TestRestakeRefusals(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, e *clitest.Env)
		args  []string
		code  int
		kind  string
		msg   string
	}{
		{"no terminal, no --yes", nil, nil, cmdutil.ExitNeedsInput, "confirmation_required", "--yes"},
		{"a validator for a pooled protocol", nil, []string{"--validator", "v1", "--yes"}, cmdutil.ExitBadInput, "bad_input", "pools the stake"},
		{"bad --keep", nil, []string{"--keep", "lots", "--yes"}, cmdutil.ExitBadInput, "bad_input", "--keep"},
		{"too precise --min", nil, []string{"--min", "0.0000000000000000001", "--yes"}, cmdutil.ExitBadInput, "bad_input", "--min"},
		{"a journaled transaction still pending", journalPending, []string{"--yes"}, cmdutil.ExitOther, "pending_transaction", "still pending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			e.Lido.AddRequest(e.Alice, wei(t, "1"), true)
			if tt.setup != nil {
				tt.setup(t, e)
			}
			err := e.RunFails(t, restakeCmd, tt.code, tt.msg, tt.args...)
			if _, kind := clitest.ExitCode(err); kind != tt.kind {
				t.Errorf("kind %s (%v), want %s", kind, err, tt.kind)
			}
			// Not AssertNothingSent: one case journals a transaction first.
			if len(e.Node.Sent()) != 0 {
				t.Errorf("refused restake sent %d transactions", len(e.Node.Sent()))
			}
		})
	}
}

// journalPending journals a broadcast transaction of Alice's at the
// node's next nonce, as a crashed earlier run would leave it.
func journalPending(t *testing.T, e *clitest.Env) {
	j, err := journal.Open(filepath.Join(e.Home, "journal"))
	if err != nil {
		t.Fatal(err)
	}
	to := common.HexToAddress("0x1100000000000000000000000000000000000001")
	tx := types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1337), Nonce: e.Node.Nonce(e.Alice), Gas: 21000, GasFeeCap: big.NewInt(1), GasTipCap: big.NewInt(1), To: &to})
	ent, err := j.Record("devnet", 1337, e.Alice, "stake", "Stake", tx)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Update(ent, journal.StateBroadcast, 0, ""); err != nil {
		t.Fatal(err)
	}
}

// delegator plays a delegating protocol on top of the fake Lido: it takes
// a target (by rule) and records the one restake staked with; the target
// is dropped before Lido builds its call, since Lido pools the stake.
type delegator struct {
	protocol.Protocol
	protocol.Requests
	rule   protocol.TargetRule
	target string
}

func newDelegator(p protocol.Protocol, rule protocol.TargetRule) *delegator {
	return &delegator{Protocol: p, Requests: p.(protocol.Requests), rule: rule}
}

func (d *delegator) Targets() protocol.TargetRule { return d.rule }

func (d *delegator) Stake(ctx context.Context, req protocol.StakeRequest) ([]protocol.Call, error) {
	d.target, req.Target = req.Target, ""
	return d.Protocol.Stake(ctx, req)
}

// restaker is a delegator that knows where claimed proceeds go back to.
type restaker struct {
	*delegator
	claimed []protocol.Withdrawal
}

func (r *restaker) RestakeTarget(_ context.Context, _ common.Address, claimed []protocol.Withdrawal) (string, error) {
	r.claimed = claimed
	return "v9", nil
}

// noRequests is a protocol whose unstake pays out at once: nothing to claim.
type noRequests struct{ protocol.Protocol }

// withProtocol makes the env's factory bind wrap(lido) instead of Lido.
func withProtocol(e *clitest.Env, wrap func(p protocol.Protocol) protocol.Protocol) {
	bind := e.F.Protocol
	e.F.Protocol = func(ctx context.Context, name string) (protocol.Protocol, error) {
		p, err := bind(ctx, name)
		if err != nil {
			return nil, err
		}
		return wrap(p), nil
	}
}

// TestRestakeTargets: a Restaker names the validator from the requests it
// claimed; other delegating protocols take --validator; a protocol
// without requests cannot be restaken at all (exit 2, nothing sent).
func TestRestakeTargets(t *testing.T) {
	t.Run("restaker picks the validator", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		id := e.Lido.AddRequest(e.Alice, wei(t, "1"), true)
		var r *restaker
		withProtocol(e, func(p protocol.Protocol) protocol.Protocol {
			r = &restaker{delegator: newDelegator(p, protocol.TargetOptional)}
			return r
		})
		e.RunOK(t, restakeCmd, "--yes", "--json")
		if r.target != "v9" || len(r.claimed) != 1 || r.claimed[0].ID != protocol.RequestID(strconv.FormatUint(id, 10)) {
			t.Errorf("staked with target %q; RestakeTarget saw %+v", r.target, r.claimed)
		}
		if len(e.Node.Sent()) != 2 {
			t.Errorf("node got %d transactions, want claim and stake", len(e.Node.Sent()))
		}
	})

	refusals := []struct {
		name string
		wrap func(p protocol.Protocol) protocol.Protocol
		args []string
		msg  string
	}{
		{"restaker refuses --validator", func(p protocol.Protocol) protocol.Protocol {
			return &restaker{delegator: newDelegator(p, protocol.TargetOptional)}
		}, []string{"--validator", "v1", "--yes"}, "--validator is not taken"},
		{"delegating protocol needs --validator", func(p protocol.Protocol) protocol.Protocol {
			return newDelegator(p, protocol.TargetRequired)
		}, []string{"--yes"}, "pass --validator"},
		{"no requests", func(p protocol.Protocol) protocol.Protocol { return noRequests{p} }, []string{"--yes"}, "cannot be restaken"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			e := clitest.NewEnv(t, "")
			e.Lido.AddRequest(e.Alice, wei(t, "1"), true)
			withProtocol(e, tt.wrap)
			e.RunFails(t, restakeCmd, cmdutil.ExitBadInput, tt.msg, tt.args...)
			e.AssertNothingSent(t)
		})
	}

	// A delegating protocol that is no Restaker stakes with --validator.
	t.Run("delegating protocol stakes with --validator", func(t *testing.T) {
		e := clitest.NewEnv(t, "")
		e.Lido.AddRequest(e.Alice, wei(t, "1"), true)
		var d *delegator
		withProtocol(e, func(p protocol.Protocol) protocol.Protocol {
			d = newDelegator(p, protocol.TargetRequired)
			return d
		})
		e.RunOK(t, restakeCmd, "--validator", "v3", "--yes", "--json")
		if d.target != "v3" || len(e.Node.Sent()) != 2 {
			t.Errorf("target %q, %d sent", d.target, len(e.Node.Sent()))
		}
	})
}

// TestRestakeStakeRefusedAfterClaim: when the stake is refused after the
// claim was mined (staking paused), the claim's transaction is shown on
// stderr, and its proceeds stay owed in the state file for the next run,
// which stakes them once staking resumes.
func TestRestakeStakeRefusedAfterClaim(t *testing.T) {
	e := clitest.NewEnv(t, "")
	e.Lido.AddRequest(e.Alice, wei(t, "1"), true)
	e.Lido.SetStakingPaused(true)
	e.RunFails(t, restakeCmd, cmdutil.ExitBadInput, "paused", "--yes")
	sent := e.Node.Sent()
	if len(sent) != 1 || !strings.Contains(e.ErrOut.String(), sent[0].Hash().Hex()) {
		t.Fatalf("%d sent; stderr must show the claim's hash:\n%s", len(sent), e.ErrOut)
	}
	if got := owedOnDisk(t, e); got != wei(t, "1").String() {
		t.Fatalf("state owes %q, want the claimed 1 ETH", got)
	}
	e.Lido.SetStakingPaused(false)
	e.RunOK(t, restakeCmd, "--yes", "--json")
	doc := decodeDoc(t, e)
	if doc.Claim != nil || doc.CarriedOver != wei(t, "1").String() || doc.Staked == nil || doc.Staked.Amount != wei(t, "1").String() || owedOnDisk(t, e) != "0" {
		t.Errorf("next run: %+v, state owes %q", doc, owedOnDisk(t, e))
	}
}
