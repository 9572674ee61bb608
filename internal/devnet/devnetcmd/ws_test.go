package devnetcmd_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/devnet/devnetcmd"
	"github.com/stakewallet/stakewallet/internal/testutil/freeport"
)

// readyLine is the banner's last line, the one scripts wait for.
var readyLine = regexp.MustCompile(`stakewallet-devnet ready: http=(\S+) ws=(\S+)`)

// syncBuffer is stdout shared between the command's goroutine and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// running is one stakewallet-devnet run in-process.
type running struct {
	stdout, stderr syncBuffer
	stop           context.CancelFunc
	code           chan int
}

func start(args ...string) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{stop: cancel, code: make(chan int, 1)}
	go func() { r.code <- devnetcmd.Execute(ctx, args, &r.stdout, &r.stderr) }()
	return r
}

// ready waits for the banner and returns the endpoints it names.
func (r *running) ready(t *testing.T) (httpURL, wsURL string) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		if m := readyLine.FindStringSubmatch(r.stdout.String()); m != nil {
			return m[1], m[2]
		}
		select {
		case code := <-r.code:
			t.Fatalf("stakewallet-devnet exited %d before it was ready:\n%s", code, r.stderr.String())
		case <-deadline:
			t.Fatalf("stakewallet-devnet not ready after 60s:\n%s\n%s", r.stdout.String(), r.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestTwoDevnetsShareWSOnTheirHTTPPort: two devnets at once, each given an
// HTTP port and no --ws, both start (neither reaches for a default WS port
// the other holds) and both answer WebSocket JSON-RPC on their HTTP port.
func TestTwoDevnetsShareWSOnTheirHTTPPort(t *testing.T) {
	base := freeport.Block(t, 2)
	ports := []int{base, base + 1}
	var runs []*running
	for _, p := range ports {
		r := start("--chains", "devnet", "--http", "127.0.0.1:"+strconv.Itoa(p), "--log-level", "error", "--apr", "0")
		t.Cleanup(r.stop)
		runs = append(runs, r)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i, r := range runs {
		addr := "127.0.0.1:" + strconv.Itoa(ports[i])
		httpURL, wsURL := r.ready(t)
		if httpURL != "http://"+addr || wsURL != "ws://"+addr {
			t.Errorf("devnet %d: http=%s ws=%s, want both on %s", i, httpURL, wsURL, addr)
		}
		if want := "WS JSON-RPC     ws://" + addr + " (shares the HTTP port)\n"; !bytes.Contains([]byte(r.stdout.String()), []byte(want)) {
			t.Errorf("devnet %d: banner lacks %q", i, want)
		}
		for _, url := range []string{"http://" + addr, "ws://" + addr} {
			c, err := ethclient.DialContext(ctx, url)
			if err != nil {
				t.Fatalf("devnet %d: dial %s: %v", i, url, err)
			}
			id, err := c.ChainID(ctx)
			c.Close()
			if err != nil || id.Int64() != devnet.ChainID {
				t.Errorf("devnet %d: chain id over %s = %v, %v; want %d", i, url, id, err, devnet.ChainID)
			}
		}
	}
	for i, r := range runs {
		r.stop()
		select {
		case code := <-r.code:
			if code != 0 {
				t.Errorf("devnet %d exited %d on Ctrl-C:\n%s", i, code, r.stderr.String())
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("devnet %d did not stop", i)
		}
	}
}
