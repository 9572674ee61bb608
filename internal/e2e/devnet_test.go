package e2e

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/testutil/freeport"
)

// TestDevnetHTTPAloneLeavesPort8546Alone: the built stakewallet-devnet
// given only --http starts while something else holds 127.0.0.1:8546 (a
// second devnet, a local geth), serves WebSocket on its HTTP port, and
// stops cleanly on Ctrl-C.
func TestDevnetHTTPAloneLeavesPort8546Alone(t *testing.T) {
	// Hold 8546 for the whole run. If another program already holds it,
	// the point is made all the same.
	if l, err := net.Listen("tcp", "127.0.0.1:8546"); err == nil {
		defer l.Close()
	} else if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("hold 127.0.0.1:8546: %v", err)
	}
	// Every chain takes a port from --http on (addr and the ports after it), so the test asks for a block of free ports, and
	// tries another block when something took one before the devnet bound it.
	var (
		cmd            *exec.Cmd
		lines          *bufio.Scanner
		addr           string
		httpURL, wsURL string
		ctx, cancel    = context.WithTimeout(context.Background(), 2*time.Minute)
	)
	defer cancel()
	ready := regexp.MustCompile(`^stakewallet-devnet ready: http=(\S+) ws=(\S+)`)
	for attempt := 1; httpURL == ""; attempt++ {
		addr = "127.0.0.1:" + strconv.Itoa(freeport.Block(t, len(devnet.Chains())))
		cmd = exec.CommandContext(ctx, bins.devnet, "--http", addr, "--log-level", "error")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer // read only after Wait
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func(c *exec.Cmd) { _ = c.Process.Kill() }(cmd)
		lines = bufio.NewScanner(stdout)
		for lines.Scan() {
			if m := ready.FindStringSubmatch(lines.Text()); m != nil {
				httpURL, wsURL = m[1], m[2]
				break
			}
		}
		if httpURL != "" {
			break
		}
		_ = cmd.Wait()
		if attempt < 3 && strings.Contains(stderr.String(), "address already in use") {
			t.Logf("attempt %d: a port of the block at %s was taken meanwhile; another block", attempt, addr)
			continue
		}
		t.Fatalf("stakewallet-devnet --http %s did not start (exit %d):\n%s", addr, cmd.ProcessState.ExitCode(), stderr.String())
	}
	if httpURL != "http://"+addr || wsURL != "ws://"+addr {
		t.Errorf("endpoints http=%s ws=%s; want both on %s", httpURL, wsURL, addr)
	}
	ws, err := ethclient.DialContext(ctx, wsURL)
	if err != nil {
		t.Fatalf("dial %s: %v", wsURL, err)
	}
	id, err := ws.ChainID(ctx)
	ws.Close()
	if err != nil || id.Int64() != 1337 {
		t.Errorf("chain id over %s = %v, %v; want 1337", wsURL, id, err)
	}

	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for lines.Scan() { // the rest of stdout, up to EOF at exit
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("stakewallet-devnet after Ctrl-C: %v\n%s", err, cmd.Stderr)
	}
}
