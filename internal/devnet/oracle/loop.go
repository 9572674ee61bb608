package oracle

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/stakewallet/stakewallet/internal/devnet/model"
)

// The framework part of the package: the devnet and `stakewallet-devnet
// oracle` run one loop per chain that steps every model of the chain (the
// Lido oracle above is one of them, through internal/devnet/models/lido).

// Named is a model's stepper under the model's name.
type Named struct {
	Name    string
	Stepper model.Stepper
}

// Bind makes each model's stepper: env as given, with the model's
// addresses (by role, keyed by model name in addrs) and a logger that names
// the model. A model without addresses, or one that refuses, is an error.
func Bind(ctx context.Context, ms []model.Model, env model.StepEnv, addrs map[string]map[string]common.Address) ([]Named, error) {
	logger := env.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	out := make([]Named, 0, len(ms))
	for _, m := range ms {
		a, ok := addrs[m.Name()]
		if !ok {
			return nil, fmt.Errorf("model %s: no addresses for it", m.Name())
		}
		e := env
		e.Addresses = a
		e.Logger = logger.With("model", m.Name())
		st, err := m.NewStepper(ctx, e)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", m.Name(), err)
		}
		out = append(out, Named{Name: m.Name(), Stepper: st})
	}
	return out, nil
}

// Loop steps every model once per interval, in order, until ctx ends (the
// first round at once). One model's error is logged and does not hold the
// others back; Loop returns when ctx ends.
func Loop(ctx context.Context, steppers []Named, interval time.Duration, logger *slog.Logger) {
	if interval <= 0 {
		interval = DefaultInterval
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		for _, s := range steppers {
			if ctx.Err() != nil {
				return
			}
			if err := s.Stepper.Step(ctx); err != nil && ctx.Err() == nil {
				logger.Warn("oracle step failed", "model", s.Name, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
