package txcmd

import (
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/txflow"
)

// SigningNoter is implemented by signers whose device presents transactions
// in more than one way: a Ledger shows plain transfers and known tokens in
// clear but other contract calls only as a hash, which needs a setting
// turned on. The preview shows the note for each step, so the user knows
// before confirming what the device will display.
type SigningNoter interface {
	SigningNote(tx *types.Transaction, chainID *big.Int) string
}

// signingNote is the signer's note for step, or "" for signers that
// present every transaction alike.
func (e *Env) signingNote(s *txflow.Step) string {
	// Only an open signer can say (a Ledger is opened before the preview;
	// a closed keystore key presents every transaction alike).
	n, ok := e.Signer.Inner().(SigningNoter)
	if !ok {
		return ""
	}
	chainID := new(big.Int).SetUint64(e.Net.ChainID)
	to := s.Call.To
	// The transaction as it will be signed, minus what a note cannot
	// depend on yet (the gas of later steps is estimated after mining).
	tx := types.NewTx(&types.DynamicFeeTx{
		ChainID: chainID, Nonce: s.Nonce, GasTipCap: s.Tip, GasFeeCap: s.MaxFee,
		Gas: s.GasLimit, To: &to, Value: s.Call.Value, Data: s.Call.Data,
	})
	return n.SigningNote(tx, chainID)
}
