// Package journal keeps every signed transaction on disk, written and
// fsynced before it is broadcast, so that a crash, a lost connection or a
// killed process never loses a transaction that may already be on its way.
package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
)

// State of a journaled transaction.
type State string

const (
	StateSigned    State = "signed"    // written, not yet handed to a node
	StateBroadcast State = "broadcast" // a node accepted it
	StateIncluded  State = "included"  // mined successfully
	StateReverted  State = "reverted"  // mined, reverted
	StateFailed    State = "failed"    // the node rejected it; it was never sent
	// StateReplaced: another transaction with the same sender and nonce was
	// mined (a speed-up, a cancel, or one sent elsewhere), so this one can
	// never be. Final, like included.
	StateReplaced State = "replaced"
)

// Open reports whether a transaction in state s may still be mined: it was
// signed and perhaps broadcast, and nothing says otherwise yet.
func (s State) Open() bool { return s == StateSigned || s == StateBroadcast }

// Mined reports whether a transaction in state s used its nonce on chain:
// it was mined (included or reverted), or another one with its nonce was.
func (s State) Mined() bool {
	return s == StateIncluded || s == StateReverted || s == StateReplaced
}

// Entry is one journaled transaction.
type Entry struct {
	Hash        common.Hash    `json:"txHash"`
	ChainID     uint64         `json:"chainId"`
	Network     string         `json:"network"`
	From        common.Address `json:"from"`
	Nonce       uint64         `json:"nonce"`
	Action      string         `json:"action"`
	Description string         `json:"description"`
	Raw         hexutil.Bytes  `json:"raw"`
	State       State          `json:"state"`
	Error       string         `json:"error,omitempty"`
	BlockNumber uint64         `json:"blockNumber,omitempty"`
	// ReplacedBy is the transaction that took this one's nonce, when known
	// (state replaced).
	ReplacedBy *common.Hash `json:"replacedBy,omitempty"`
	CreatedAt  time.Time    `json:"createdAt"`
	UpdatedAt  time.Time    `json:"updatedAt"`
}

// Tx decodes the raw signed transaction.
func (e *Entry) Tx() (*types.Transaction, error) {
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(e.Raw); err != nil {
		return nil, fmt.Errorf("journal entry %s: %w", e.Hash, err)
	}
	return tx, nil
}

// Journal is a directory of entries, one file per transaction.
type Journal struct {
	dir string
	now func() time.Time
}

// Open returns the journal in dir, creating it (0700) if needed.
func Open(dir string) (*Journal, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create journal %s: %w", dir, err)
	}
	return &Journal{dir: dir, now: time.Now}, nil
}

// Dir is where the entries live.
func (j *Journal) Dir() string { return j.dir }

func (j *Journal) path(chainID uint64, hash common.Hash) string {
	return filepath.Join(j.dir, fmt.Sprintf("%d-%s.json", chainID, hash.Hex()))
}

// Record writes a newly signed transaction durably (state "signed"). It
// must succeed before the transaction is broadcast.
func (j *Journal) Record(network string, chainID uint64, from common.Address, action, description string, tx *types.Transaction) (*Entry, error) {
	raw, err := tx.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("encode signed transaction: %w", err)
	}
	now := j.now().UTC()
	e := &Entry{
		Hash: tx.Hash(), ChainID: chainID, Network: network, From: from, Nonce: tx.Nonce(),
		Action: action, Description: description, Raw: raw, State: StateSigned,
		CreatedAt: now, UpdatedAt: now,
	}
	return e, j.write(e)
}

// Update sets the state of an entry and writes it durably.
func (j *Journal) Update(e *Entry, state State, blockNumber uint64, errMsg string) error {
	e.State, e.BlockNumber, e.Error, e.UpdatedAt = state, blockNumber, errMsg, j.now().UTC()
	return j.write(e)
}

// MarkReplaced records that another transaction used e's nonce; by is
// that transaction when known (nil when it was sent from elsewhere).
func (j *Journal) MarkReplaced(e *Entry, by *common.Hash, note string) error {
	e.ReplacedBy = by
	return j.Update(e, StateReplaced, 0, note)
}

func (j *Journal) write(e *Entry) error {
	data, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return err
	}
	final := j.path(e.ChainID, e.Hash)
	tmp, err := os.CreateTemp(j.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("journal: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("journal: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("journal: fsync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	if err := os.Rename(tmp.Name(), final); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	return syncDir(j.dir)
}

// syncDir makes the rename itself durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("journal: fsync dir: %w", err)
	}
	return nil
}

// Get reads the entry of a transaction.
func (j *Journal) Get(chainID uint64, hash common.Hash) (*Entry, error) {
	return readEntry(j.path(chainID, hash))
}

func readEntry(path string) (*Entry, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("journal entry %s: %w", filepath.Base(path), err)
	}
	// The file may be damaged or edited, and nonce choice and `tx status`
	// trust its hash and nonce: they must be those of the transaction in it.
	tx, err := e.Tx()
	if err != nil {
		return nil, fmt.Errorf("journal entry %s: %w", filepath.Base(path), err)
	}
	if tx.Hash() != e.Hash || tx.Nonce() != e.Nonce {
		return nil, fmt.Errorf("journal entry %s is damaged: it names transaction %s with nonce %d but holds %s with nonce %d; restore the file or move it out of %s",
			filepath.Base(path), e.Hash.Hex(), e.Nonce, tx.Hash().Hex(), tx.Nonce(), filepath.Dir(path))
	}
	return &e, nil
}

// List returns the entries of a chain (0 = all chains), oldest first.
// Unreadable entries are reported, not skipped silently.
func (j *Journal) List(chainID uint64) ([]*Entry, error) {
	names, err := os.ReadDir(j.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	prefix := ""
	if chainID != 0 {
		prefix = fmt.Sprintf("%d-", chainID)
	}
	var out []*Entry
	for _, de := range names {
		n := de.Name()
		if de.IsDir() || !strings.HasSuffix(n, ".json") || strings.HasPrefix(n, ".") || !strings.HasPrefix(n, prefix) {
			continue
		}
		e, err := readEntry(filepath.Join(j.dir, n))
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sort.Slice(out, func(a, b int) bool {
		if out[a].Nonce != out[b].Nonce && out[a].From == out[b].From {
			return out[a].Nonce < out[b].Nonce
		}
		return out[a].CreatedAt.Before(out[b].CreatedAt)
	})
	return out, nil
}

// Pending returns the entries of from on chainID that are signed or
// broadcast but not known to be mined.
func (j *Journal) Pending(chainID uint64, from common.Address) ([]*Entry, error) {
	all, err := j.List(chainID)
	if err != nil {
		return nil, err
	}
	var out []*Entry
	for _, e := range all {
		if e.From == from && e.State.Open() {
			out = append(out, e)
		}
	}
	return out, nil
}

// LastMined returns the entry of from on chainID with the highest nonce
// among those whose nonce is used on chain (State.Mined), or nil: a node
// whose next nonce is not past it is behind the chain.
func (j *Journal) LastMined(chainID uint64, from common.Address) (*Entry, error) {
	all, err := j.List(chainID)
	if err != nil {
		return nil, err
	}
	var last *Entry
	for _, e := range all {
		if e.From == from && e.State.Mined() && (last == nil || e.Nonce > last.Nonce) {
			last = e
		}
	}
	return last, nil
}

// SameNonce returns every entry of from on chainID with the given nonce:
// an original and its replacements, oldest first.
func (j *Journal) SameNonce(chainID uint64, from common.Address, nonce uint64) ([]*Entry, error) {
	all, err := j.List(chainID)
	if err != nil {
		return nil, err
	}
	var out []*Entry
	for _, e := range all {
		if e.From == from && e.Nonce == nonce {
			out = append(out, e)
		}
	}
	return out, nil
}
