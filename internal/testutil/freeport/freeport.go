// Package freeport finds loopback ports for tests that must name a port
// before a server binds it (a devnet given --http runs one chain per port,
// from the given one on).
package freeport

import (
	"math/rand/v2"
	"net"
	"strconv"
	"testing"
)

// Lowest and highest ports Block picks from: below Linux's default
// ephemeral range (32768–60999), so the kernel does not hand ports of the
// block to outgoing connections or ":0" listeners of tests running meanwhile.
const (
	low  = 20000
	high = 32000
)

// Block returns a port P such that P, P+1, …, P+n-1 on 127.0.0.1 were all
// free a moment ago. Another process may still take one before the caller
// binds it; callers that can retry on "address already in use" should.
func Block(t testing.TB, n int) int {
	t.Helper()
	if n < 1 || n > high-low {
		t.Fatalf("freeport.Block(%d): want 1 to %d ports", n, high-low)
	}
	for try := 0; try < 200; try++ {
		base := low + rand.IntN(high-low-n+1)
		var held []net.Listener
		for i := 0; i < n; i++ {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(base+i)))
			if err != nil {
				break
			}
			held = append(held, l)
		}
		for _, l := range held {
			l.Close()
		}
		if len(held) == n {
			return base
		}
	}
	t.Fatalf("no block of %d free loopback ports in %d-%d", n, low, high)
	return 0
}
