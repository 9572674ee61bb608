package tx

import (
	"context"
	"encoding/json"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/spf13/cobra"

	"github.com/stakewallet/stakewallet/internal/cli/clitest"
	"github.com/stakewallet/stakewallet/internal/cli/cmdutil"
	"github.com/stakewallet/stakewallet/internal/devnet/devkeys"
	"github.com/stakewallet/stakewallet/internal/testutil/chaintest/lidofake"
	"github.com/stakewallet/stakewallet/pkg/txflow/journal"
)

// txWorld is a node-backed env plus a way to sign as its accounts and to
// reach its journal.
type txWorld struct {
	*clitest.Env
	t *testing.T
	j *journal.Journal
}

func newWorld(t *testing.T, stdin string) *txWorld {
	t.Helper()
	e := clitest.NewEnv(t, stdin)
	j, err := journal.Open(filepath.Join(e.Home, "journal"))
	if err != nil {
		t.Fatal(err)
	}
	return &txWorld{Env: e, t: t, j: j}
}

// sign signs, as devnet test account i, a transaction to `to` with value
// wei and data, at nonce, with a tip of tipGwei (1559 fees well above the
// node's base fee, so that it is mined when sent).
func (w *txWorld) sign(i int, nonce uint64, to common.Address, value *big.Int, data []byte, tipGwei int64) *types.Transaction {
	w.t.Helper()
	acct, err := devkeys.TestAccount(i)
	if err != nil {
		w.t.Fatal(err)
	}
	gas := uint64(21000)
	if len(data) > 0 {
		gas = 200_000
	}
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: big.NewInt(1337), Nonce: nonce, To: &to, Value: value, Data: data, Gas: gas,
		GasTipCap: big.NewInt(tipGwei * params.GWei), GasFeeCap: big.NewInt(10 * params.GWei),
	})
	signed, err := types.SignTx(tx, types.LatestSignerForChainID(big.NewInt(1337)), acct.PrivateKey)
	if err != nil {
		w.t.Fatal(err)
	}
	return signed
}

// broadcast sends tx to the node directly (another wallet's doing).
func (w *txWorld) broadcast(tx *types.Transaction) {
	w.t.Helper()
	c, err := ethclient.Dial(w.Node.URL())
	if err != nil {
		w.t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendTransaction(context.Background(), tx); err != nil {
		w.t.Fatal(err)
	}
}

// record journals tx of from as broadcast, as the wallet does before and
// after sending.
func (w *txWorld) record(from common.Address, action string, tx *types.Transaction) *journal.Entry {
	w.t.Helper()
	e, err := w.j.Record("devnet", 1337, from, action, "Test "+action, tx)
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.j.Update(e, journal.StateBroadcast, 0, ""); err != nil {
		w.t.Fatal(err)
	}
	return e
}

func (w *txWorld) state(h common.Hash) *journal.Entry {
	w.t.Helper()
	e, err := w.j.Get(1337, h)
	if err != nil {
		w.t.Fatal(err)
	}
	return e
}

func decode[T any](t *testing.T, s string) (v T) {
	t.Helper()
	clitest.DecodeJSON(t, s, &v)
	return v
}

func pendingCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdPending(f, nil) }
func statusCmd(f *cmdutil.Factory) *cobra.Command  { return NewCmdStatus(f, nil) }
func sendCmd(f *cmdutil.Factory) *cobra.Command    { return NewCmdSend(f, nil) }

type pendingDoc struct {
	Transactions, Resolved []struct {
		TxHash, From, Action, State, Node, ReplacedBy, SupersededBy, CreatedAt string
		Nonce                                                                  uint64
		ChainID                                                                uint64
		BlockNumber                                                            *uint64
	}
	Gap *NonceGap
}

// TestPendingAgainstNode: journal entries are checked against the node and
// the journal brought up to date: the mined one and the one whose nonce it
// took are resolved; the one the node never saw stays pending as unknown.
func TestPendingAgainstNode(t *testing.T) {
	w := newWorld(t, "")
	bob := w.Bob
	mined := w.sign(0, 0, bob, big.NewInt(1), nil, 2)
	outbid := w.sign(0, 0, bob, big.NewInt(1), nil, 1) // same nonce, never sent
	lost := w.sign(0, 1, bob, big.NewInt(2), nil, 1)   // next nonce, never sent
	w.broadcast(mined)
	w.record(w.Alice, "stake", outbid)
	w.record(w.Alice, "stake", mined)
	w.record(w.Alice, "transfer", lost)
	// Another account's entry: listed with --all only.
	w.Node.SetBalance(bob, clitest.Ether(1))
	bobs := w.sign(1, 0, w.Alice, big.NewInt(1), nil, 1)
	w.record(bob, "transfer", bobs)

	w.RunOK(t, pendingCmd, "--json")
	doc := decode[pendingDoc](t, w.Out.String())
	if len(doc.Transactions) != 1 || doc.Transactions[0].TxHash != lost.Hash().Hex() || doc.Transactions[0].Node != "unknown" ||
		doc.Transactions[0].State != "broadcast" || doc.Transactions[0].Nonce != 1 || doc.Transactions[0].BlockNumber != nil || doc.Transactions[0].From != w.Alice.Hex() {
		t.Errorf("pending = %+v", doc.Transactions)
	}
	resolved := map[string]string{}
	for _, r := range doc.Resolved {
		resolved[r.TxHash] = r.State + "/" + r.Node + "/" + r.ReplacedBy
	}
	want := map[string]string{
		mined.Hash().Hex():  "included/included/",
		outbid.Hash().Hex(): "replaced/replaced/" + mined.Hash().Hex(),
	}
	if len(resolved) != len(want) {
		t.Errorf("resolved = %v, want %v", resolved, want)
	}
	for h, s := range want {
		if resolved[h] != s {
			t.Errorf("resolved %s = %q, want %q", h, resolved[h], s)
		}
	}
	if e := w.state(mined.Hash()); e.State != journal.StateIncluded || e.BlockNumber == 0 {
		t.Errorf("journal: mined entry is %s at block %d", e.State, e.BlockNumber)
	}
	if e := w.state(outbid.Hash()); e.State != journal.StateReplaced || e.ReplacedBy == nil || *e.ReplacedBy != mined.Hash() {
		t.Errorf("journal: outbid entry is %s, replaced by %v", e.State, e.ReplacedBy)
	}

	// The lost one sits at the node's next nonce, which the node does not
	// have: the account's next transaction must follow it.
	if g := doc.Gap; g == nil || g.NodeNonce != 1 || g.FirstNonce != 1 || g.Open != 1 || g.NextNonce != 2 {
		t.Errorf("gap = %+v", doc.Gap)
	}
	w.RunOK(t, pendingCmd)
	if !strings.Contains(w.Out.String(), "Nonce gap: the node's next nonce is 1") || !strings.Contains(w.Out.String(), "takes nonce 2") {
		t.Errorf("human output does not explain the gap:\n%s", w.Out)
	}

	// Resolved entries are final: the next run lists only the lost one.
	w.RunOK(t, pendingCmd, "--json")
	if doc := decode[pendingDoc](t, w.Out.String()); len(doc.Transactions) != 1 || len(doc.Resolved) != 0 {
		t.Errorf("second run: %d pending, %d resolved", len(doc.Transactions), len(doc.Resolved))
	}

	// --all adds Bob's; the table says what to do with unknown ones.
	w.RunOK(t, pendingCmd, "--all")
	out := w.Out.String()
	for _, s := range []string{"FROM", lost.Hash().Hex(), bobs.Hash().Hex(), "unknown", "2 transactions not in the node's pool", "stakewallet tx send " + w.j.Dir()} {
		if !strings.Contains(out, s) {
			t.Errorf("--all table lacks %q:\n%s", s, out)
		}
	}
	if len(w.Node.Sent()) != 1 {
		t.Errorf("pending sent something: the node has %d transactions", len(w.Node.Sent()))
	}
}

func TestPendingHumanAndRefusal(t *testing.T) {
	w := newWorld(t, "")
	if code := w.Run(pendingCmd); code != 0 || !strings.Contains(w.Out.String(), "No pending transactions of "+w.Alice.Hex()+" on devnet.") {
		t.Errorf("empty journal: exit %d, %q", code, w.Out)
	}
	mined := w.sign(0, 0, w.Bob, big.NewInt(1), nil, 1)
	w.broadcast(mined)
	w.record(w.Alice, "stake", mined)
	w.RunOK(t, pendingCmd)
	if want := "resolved " + mined.Hash().Hex() + " (stake, nonce 0): included in block"; !strings.Contains(w.Out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, w.Out)
	}

	// Whose? Neither --signer nor a default signer nor --all: exit 2
	// before the journal or the node is read.
	t.Setenv("STAKEWALLET_SIGNER", "")
	calls := len(w.Node.Calls())
	w.RunFails(t, pendingCmd, cmdutil.ExitBadInput, "--all")
	if len(w.Node.Calls()) != calls {
		t.Errorf("the refusal reached the node: %v", w.Node.Calls()[calls:])
	}
}

type statusDocT struct {
	TxHash, Network, Status, Node, From, Value, EffectiveGasPrice, RevertReason string
	ChainID                                                                     uint64
	BlockNumber, GasUsed, Nonce, GasLimit                                       *uint64
	To                                                                          *string
	Journal                                                                     *struct{ State, Action, File, UpdatedAt string }
}

// TestStatusAgainstNode: what tx status says of a journaled mined
// transaction, a mined one sent by other means, a journaled one the node
// never saw, one that reverted, and a hash nobody knows.
func TestStatusAgainstNode(t *testing.T) {
	w := newWorld(t, "")
	journaled := w.sign(0, 0, w.Bob, big.NewInt(7), nil, 1)
	w.broadcast(journaled)
	w.record(w.Alice, "transfer", journaled)
	foreign := w.sign(0, 1, w.Bob, big.NewInt(8), nil, 1)
	w.broadcast(foreign)
	lost := w.sign(0, 5, w.Bob, big.NewInt(9), nil, 1)
	w.record(w.Alice, "stake", lost)
	// A stake while Lido is paused is mined, and reverts.
	w.Lido.SetStakingPaused(true)
	submit := append(hexutil.MustDecode("0xa1903eab"), make([]byte, 32)...)
	reverted := w.sign(0, 2, lidofake.DevnetAddresses().StETH, clitest.Ether(1), submit, 1)
	w.broadcast(reverted)

	t.Run("journaled, mined", func(t *testing.T) {
		w.RunOK(t, statusCmd, journaled.Hash().Hex(), "--json")
		d := decode[statusDocT](t, w.Out.String())
		if d.Status != "success" || d.Node != "included" || d.BlockNumber == nil || d.GasUsed == nil || *d.GasUsed != 21000 ||
			d.From != w.Alice.Hex() || d.To == nil || *d.To != w.Bob.Hex() || d.Value != "7" || d.Nonce == nil || *d.Nonce != 0 || d.ChainID != 1337 {
			t.Errorf("status = %+v", d)
		}
		if d.Journal == nil || d.Journal.State != "included" || d.Journal.Action != "transfer" {
			t.Fatalf("journal = %+v", d.Journal)
		}
		if _, err := os.Stat(d.Journal.File); err != nil {
			t.Errorf("journal file: %v", err)
		}
		if e := w.state(journaled.Hash()); e.State != journal.StateIncluded {
			t.Errorf("journal entry not updated: %s", e.State)
		}
	})

	t.Run("mined elsewhere", func(t *testing.T) {
		w.RunOK(t, statusCmd, foreign.Hash().Hex(), "--json")
		d := decode[statusDocT](t, w.Out.String())
		if d.Status != "success" || d.Journal != nil || d.From != w.Alice.Hex() || d.Value != "8" {
			t.Errorf("status = %+v", d)
		}
		if !strings.Contains(w.Out.String(), `"journal": null`) {
			t.Errorf("journal must be null:\n%s", w.Out)
		}
	})

	t.Run("journaled, never arrived", func(t *testing.T) {
		w.RunOK(t, statusCmd, lost.Hash().Hex())
		for _, s := range []string{"status", "pending", "not known to the node", "stakewallet tx speedup " + lost.Hash().Hex(), "Waiting for nonce 3"} {
			if !strings.Contains(w.Out.String(), s) {
				t.Errorf("output lacks %q:\n%s", s, w.Out)
			}
		}
		w.RunOK(t, statusCmd, lost.Hash().Hex(), "--json")
		d := decode[statusDocT](t, w.Out.String())
		if d.Status != "pending" || d.Node != "unknown" || d.BlockNumber != nil || !strings.Contains(w.Out.String(), `"blockNumber": null`) {
			t.Errorf("status = %+v", d)
		}
	})

	t.Run("reverted", func(t *testing.T) {
		w.RunOK(t, statusCmd, reverted.Hash().Hex(), "--json")
		d := decode[statusDocT](t, w.Out.String())
		if d.Status != "reverted" || !strings.Contains(strings.ToLower(d.RevertReason), "paused") {
			t.Errorf("status %q, revert reason %q", d.Status, d.RevertReason)
		}
	})

	t.Run("unknown hash", func(t *testing.T) {
		err := w.RunFails(t, statusCmd, cmdutil.ExitBadInput, "", "0x"+strings.Repeat("ab", 32))
		if _, kind := clitest.ExitCode(err); kind != "not_found" {
			t.Errorf("kind %s (%v), want not_found", kind, err)
		}
	})

	t.Run("not a hash", func(t *testing.T) {
		w.RunFails(t, statusCmd, cmdutil.ExitBadInput, "not a transaction hash", "0x12")
	})
}

type sendDocT struct {
	Action, Network, From string
	ChainID               uint64
	DryRun                bool
	Transactions          []struct {
		Action, Status, TxHash string
		Nonce                  uint64
		BlockNumber            *uint64
		Events                 *[]json.RawMessage
	}
}

// writeRaw writes tx as hex to a file and returns its path.
func writeRaw(t *testing.T, tx *types.Transaction) string {
	t.Helper()
	raw, err := tx.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signed.hex")
	if err := os.WriteFile(path, []byte(hexutil.Encode(raw)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestSendAgainstNode: a signed transaction from a file is broadcast
// once, journaled and reported; sending it again sends nothing; a dry run
// sends nothing.
func TestSendAgainstNode(t *testing.T) {
	t.Run("broadcast once", func(t *testing.T) {
		w := newWorld(t, "")
		tx := w.sign(0, 0, w.Bob, clitest.Ether(1), nil, 1)
		file := writeRaw(t, tx)
		w.RunOK(t, sendCmd, file, "--yes", "--json")
		sent := w.Node.Sent()
		if len(sent) != 1 || sent[0].Hash() != tx.Hash() {
			t.Fatalf("node got %d transactions, want %s once", len(sent), tx.Hash())
		}
		d := decode[sendDocT](t, w.Out.String())
		if d.Action != "send" || d.From != w.Alice.Hex() || d.ChainID != 1337 || d.DryRun || len(d.Transactions) != 1 {
			t.Fatalf("document = %+v", d)
		}
		if x := d.Transactions[0]; x.TxHash != tx.Hash().Hex() || x.Status != "success" || x.BlockNumber == nil || x.Action != "send" || x.Events == nil {
			t.Errorf("transaction = %+v", x)
		}
		if got := w.Node.Balance(w.Bob); got.Cmp(clitest.Ether(1)) != 0 {
			t.Errorf("Bob has %s wei, want 1 ETH", got)
		}
		if e := w.state(tx.Hash()); e.State != journal.StateIncluded {
			t.Errorf("journal entry is %s", e.State)
		}
		// Again: already mined, reported, not sent twice.
		if code := w.Run(sendCmd, file, "--yes", "--json"); code != 0 {
			t.Fatalf("resend: exit %d\n%s", code, w.ErrOut)
		}
		if len(w.Node.Sent()) != 1 || !strings.Contains(w.ErrOut.String(), "already mined") {
			t.Errorf("resend: node has %d, stderr %q", len(w.Node.Sent()), w.ErrOut)
		}
		if d := decode[sendDocT](t, w.Out.String()); len(d.Transactions) != 1 || d.Transactions[0].Status != "success" {
			t.Errorf("resend document = %+v", d)
		}
	})

	t.Run("from stdin, human", func(t *testing.T) {
		w0 := newWorld(t, "")
		tx := w0.sign(0, 0, w0.Bob, big.NewInt(5), nil, 1)
		raw, _ := tx.MarshalBinary()
		w := newWorld(t, hexutil.Encode(raw))
		w.RunOK(t, sendCmd, "-", "--yes")
		for _, s := range []string{"✓ Send 0.000000000000000005 ETH to " + w.Bob.Hex(), "send " + tx.Hash().Hex(), "success", "fee paid"} {
			if !strings.Contains(w.Out.String(), s) {
				t.Errorf("output lacks %q:\n%s", s, w.Out)
			}
		}
		if len(w.Node.Sent()) != 1 {
			t.Errorf("node got %d", len(w.Node.Sent()))
		}
	})

	t.Run("dry run sends nothing", func(t *testing.T) {
		w := newWorld(t, "")
		tx := w.sign(0, 0, w.Bob, clitest.Ether(1), nil, 1)
		file := writeRaw(t, tx)
		w.RunOK(t, sendCmd, file, "--dry-run", "--json")
		d := decode[sendDocT](t, w.Out.String())
		if !d.DryRun || len(d.Transactions) != 1 || d.Transactions[0].Status != "unsent" || d.Transactions[0].TxHash != tx.Hash().Hex() ||
			d.Transactions[0].BlockNumber != nil || d.Transactions[0].Events != nil {
			t.Errorf("dry-run document = %+v\n%s", d, w.Out)
		}
		if code := w.Run(sendCmd, file, "--dry-run"); code != 0 ||
			!strings.Contains(w.Out.String(), "Broadcast signed transaction "+tx.Hash().Hex()) || !strings.Contains(w.Out.String(), "Dry run: nothing was sent.") {
			t.Errorf("human dry run: exit %d\n%s", code, w.Out)
		}
		w.AssertNothingSent(t)
	})

	refusals := []struct {
		name  string
		tx    func(w *txWorld) *types.Transaction
		args  []string
		code  int
		kind  string
		msg   string
		stdin string
	}{
		{"another chain", func(w *txWorld) *types.Transaction {
			acct, _ := devkeys.TestAccount(0)
			tx, _ := types.SignTx(types.NewTx(&types.DynamicFeeTx{ChainID: big.NewInt(1), Gas: 21000, To: &w.Bob, GasFeeCap: big.NewInt(1), GasTipCap: big.NewInt(1)}),
				types.LatestSignerForChainID(big.NewInt(1)), acct.PrivateKey)
			return tx
		}, []string{"--yes"}, cmdutil.ExitRPC, "wrong_chain", "signed for chain 1", ""},
		{"--nonce", nil, []string{"--yes", "--nonce", "1"}, cmdutil.ExitBadInput, "bad_input", "--nonce", ""},
		{"--max-fee", nil, []string{"--yes", "--max-fee", "50"}, cmdutil.ExitBadInput, "bad_input", "--max-fee", ""},
		{"no terminal, no --yes", nil, nil, cmdutil.ExitNeedsInput, "confirmation_required", "--yes", ""},
		{"declined", nil, nil, cmdutil.ExitNeedsInput, "declined", "declined", "n\n"},
		{"nonce already used", func(w *txWorld) *types.Transaction {
			w.broadcast(w.sign(0, 0, w.Bob, big.NewInt(1), nil, 3))
			return w.sign(0, 0, w.Bob, big.NewInt(2), nil, 1)
		}, []string{"--yes"}, cmdutil.ExitBadInput, "nonce_used", "already used", ""},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.stdin)
			if tt.stdin != "" {
				w.F.IO.SetTTY(true, false, false)
			}
			var tx *types.Transaction
			if tt.tx != nil {
				tx = tt.tx(w)
			} else {
				tx = w.sign(0, 0, w.Bob, big.NewInt(1), nil, 1)
			}
			before := len(w.Node.Sent())
			err := w.RunFails(t, sendCmd, tt.code, tt.msg, append([]string{writeRaw(t, tx)}, tt.args...)...)
			if _, kind := clitest.ExitCode(err); kind != tt.kind {
				t.Errorf("kind %s (%v), want %s", kind, err, tt.kind)
			}
			if len(w.Node.Sent()) != before {
				t.Errorf("refused send reached the node: %d → %d", before, len(w.Node.Sent()))
			}
		})
	}
}

func speedupCmd(f *cmdutil.Factory) *cobra.Command { return NewCmdSpeedup(f, nil) }
func cancelCmd(f *cmdutil.Factory) *cobra.Command  { return NewCmdCancel(f, nil) }

type replaceDocT struct {
	Action, Replaces string
	Nonce            *uint64
	DryRun           bool
	Transactions     []struct {
		Action, Status, TxHash, MaxFeePerGas string
		Nonce                                *uint64
	}
}

// TestReplaceAgainstNode: a journaled transaction the node never mined is
// replaced at its nonce with higher fees (speedup: the same call; cancel:
// 0 to oneself), the original is marked replaced, and a dry run or a mined
// original sends nothing.
func TestReplaceAgainstNode(t *testing.T) {
	tests := []struct {
		name      string
		build     func(*cmdutil.Factory) *cobra.Command
		action    string
		wantTo    func(w *txWorld) common.Address
		wantValue int64
	}{
		{"speedup", speedupCmd, "speedup", func(w *txWorld) common.Address { return w.Bob }, 7},
		{"cancel", cancelCmd, "cancel", func(w *txWorld) common.Address { return w.Alice }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, "")
			stuck := w.sign(0, 0, w.Bob, big.NewInt(7), nil, 1)
			w.record(w.Alice, "transfer", stuck)

			if code := w.Run(tt.build, stuck.Hash().Hex(), "--dry-run", "--json"); code != 0 {
				t.Fatalf("dry run: exit %d\n%s", code, w.ErrOut)
			}
			if d := decode[replaceDocT](t, w.Out.String()); !d.DryRun || d.Replaces != "" || d.Nonce != nil || len(d.Transactions) != 1 ||
				d.Transactions[0].Status != "unsigned" || d.Transactions[0].Nonce == nil || *d.Transactions[0].Nonce != 0 {
				t.Errorf("dry-run document = %+v", d)
			}
			if len(w.Node.Sent()) != 0 {
				t.Fatalf("dry run sent %d", len(w.Node.Sent()))
			}

			w.RunOK(t, tt.build, stuck.Hash().Hex(), "--yes", "--json")
			sent := w.Node.Sent()
			if len(sent) != 1 {
				t.Fatalf("node got %d transactions", len(sent))
			}
			repl := sent[0]
			if repl.Nonce() != 0 || *repl.To() != tt.wantTo(w) || repl.Value().Int64() != tt.wantValue ||
				repl.GasTipCap().Cmp(stuck.GasTipCap()) <= 0 || repl.GasFeeCap().Cmp(stuck.GasFeeCap()) <= 0 {
				t.Errorf("replacement: nonce %d to %s value %s, fees %s/%s over %s/%s",
					repl.Nonce(), repl.To(), repl.Value(), repl.GasFeeCap(), repl.GasTipCap(), stuck.GasFeeCap(), stuck.GasTipCap())
			}
			d := decode[replaceDocT](t, w.Out.String())
			if d.Action != tt.action || d.Replaces != stuck.Hash().Hex() || d.Nonce == nil || *d.Nonce != 0 ||
				len(d.Transactions) != 1 || d.Transactions[0].TxHash != repl.Hash().Hex() || d.Transactions[0].Status != "success" {
				t.Errorf("document = %+v", d)
			}
			if e := w.state(stuck.Hash()); e.State != journal.StateReplaced || e.ReplacedBy == nil || *e.ReplacedBy != repl.Hash() {
				t.Errorf("original is %s, replaced by %v", e.State, e.ReplacedBy)
			}

			// The replacement is mined: replacing it again is refused.
			err := w.RunFails(t, tt.build, cmdutil.ExitBadInput, "", repl.Hash().Hex(), "--yes")
			if _, kind := clitest.ExitCode(err); kind != "already_mined" {
				t.Errorf("replacing a mined one: kind %s (%v)", kind, err)
			}
			if len(w.Node.Sent()) != 1 {
				t.Errorf("node got %d transactions in all", len(w.Node.Sent()))
			}
		})
	}

	// The flags the replacement fixes are refused before anything is read.
	for _, args := range [][]string{{"--nonce", "3"}, {"--gas-limit", "50000"}, {"--max-fee", "x"}} {
		t.Run("refuses "+args[0], func(t *testing.T) {
			w := newWorld(t, "")
			w.RunFails(t, speedupCmd, cmdutil.ExitBadInput, args[0], append([]string{someHash, "--yes"}, args...)...)
			if len(w.Node.Calls()) != 0 {
				t.Errorf("reached the node: %v", w.Node.Calls())
			}
		})
	}
}
