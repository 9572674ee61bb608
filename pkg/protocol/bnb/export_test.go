package bnb

import "github.com/ethereum/go-ethereum"

// LensMsg is the lens's eth_call (the devnet test measures its gas).
func (a *BNB) LensMsg() (ethereum.CallMsg, error) { return a.lens.Msg(a.hub) }

// LensOff says whether the adapter has stopped asking the lens.
func (a *BNB) LensOff() bool { return a.lensOff.Load() }
