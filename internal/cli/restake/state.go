package restake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

// state is what restake remembers per account and chain between runs:
// the proceeds of its claims not staked yet. It holds no secrets. With it,
// a run that claimed but could not stake (a crash, --min not reached yet,
// a failed stake) leaves the proceeds to the next run instead of either
// forgetting them or staking coin that was never claimed.
type state struct {
	// Owed is the claimed native coin (base units) still to stake.
	Owed *big.Int `json:"-"`
	// OwedWei is Owed as a decimal string, the repository's JSON convention.
	OwedWei   string    `json:"owed"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func statePath(dir string, chainID uint64, from common.Address) string {
	return filepath.Join(dir, fmt.Sprintf("%d-%s.json", chainID, strings.ToLower(from.Hex())))
}

func loadState(path string) (*state, error) {
	st := &state{Owed: new(big.Int)}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("restake: %w", err)
	}
	if err := json.Unmarshal(b, st); err != nil {
		return nil, fmt.Errorf("restake: %s is corrupt (%v): check or delete it", path, err)
	}
	if _, ok := st.Owed.SetString(st.OwedWei, 10); !ok || st.Owed.Sign() < 0 {
		return nil, fmt.Errorf("restake: %s: owed %q is not an amount in wei: check or delete it", path, st.OwedWei)
	}
	return st, nil
}

// save writes the state atomically and durably: a crash leaves the old
// file or the new one, never half of one.
func (st *state) save(path string) error {
	st.OwedWei, st.UpdatedAt = st.Owed.String(), time.Now().UTC()
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("restake: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("restake: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".state-*")
	if err != nil {
		return fmt.Errorf("restake: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("restake: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("restake: sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("restake: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("restake: %w", err)
	}
	return nil
}
