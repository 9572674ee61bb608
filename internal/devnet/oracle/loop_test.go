package oracle

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countStepper counts its steps; fail makes each step an error.
type countStepper struct {
	n    atomic.Int64
	fail bool
}

func (s *countStepper) Step(context.Context) error {
	s.n.Add(1)
	if s.fail {
		return errors.New("model is broken")
	}
	return nil
}

// lockedBuffer is a log sink the oracle goroutine writes while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLoopStepsEveryModel: the per-chain loop steps each model every
// tick; a model whose steps fail is logged and the next model still runs.
func TestLoopStepsEveryModel(t *testing.T) {
	broken, healthy := &countStepper{fail: true}, &countStepper{}
	var log lockedBuffer
	logger := slog.New(slog.NewTextHandler(&log, nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		Loop(ctx, []Named{{"broken", broken}, {"healthy", healthy}}, time.Millisecond, logger)
	}()
	deadline := time.After(10 * time.Second)
	for healthy.n.Load() < 3 {
		select {
		case <-deadline:
			t.Fatalf("healthy model stepped %d times", healthy.n.Load())
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	<-done
	if b, h := broken.n.Load(), healthy.n.Load(); b < h-1 || b > h+1 {
		t.Errorf("broken stepped %d times, healthy %d: both must be stepped every tick", b, h)
	}
	if out := log.String(); !strings.Contains(out, "model=broken") || !strings.Contains(out, "model is broken") || strings.Contains(out, "model=healthy") {
		t.Errorf("log:\n%s", out)
	}
}
