// Package models lists every protocol model of the devnet. Adding a
// protocol's model is one package under internal/devnet/models/ plus one
// line in All.
package models

import (
	"github.com/stakewallet/stakewallet/internal/devnet/model"
	"github.com/stakewallet/stakewallet/internal/devnet/models/bnb"
	"github.com/stakewallet/stakewallet/internal/devnet/models/lido"
	"github.com/stakewallet/stakewallet/internal/devnet/models/polygon"
	"github.com/stakewallet/stakewallet/internal/devnet/models/rocketpool"
	"github.com/stakewallet/stakewallet/internal/devnet/models/savax"
	"github.com/stakewallet/stakewallet/internal/devnet/models/sonic"
	"github.com/stakewallet/stakewallet/internal/devnet/models/sts"
)

// All returns every model, in deployment order within each chain (the
// genesis deploys a chain's models in this order). A fresh slice each call.
func All() []model.Model {
	return []model.Model{
		lido.Model,
		rocketpool.Model,
		savax.Model,
		sts.Model,
		bnb.Model,
		polygon.Model,
		sonic.Model, // after sts.Model: it adds validators to sts's SFC
		// One line per protocol model: the package's exported Model value
		// (or constructor call), e.g. rocketpool.Model, savax.Model, sts.Model.
	}
}

// ForChain returns the models whose Chain is name, in the order of All.
func ForChain(name string) []model.Model {
	var out []model.Model
	for _, m := range All() {
		if m.Chain() == name {
			out = append(out, m)
		}
	}
	return out
}
