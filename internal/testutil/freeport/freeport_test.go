package freeport

import (
	"net"
	"strconv"
	"testing"
)

// TestBlock: every port of the block can be bound, and the block lies
// below the ephemeral range.
func TestBlock(t *testing.T) {
	for _, n := range []int{1, 4, 16} {
		base := Block(t, n)
		if base < low || base+n-1 >= high {
			t.Errorf("Block(%d) = %d; want within %d-%d", n, base, low, high)
		}
		for i := 0; i < n; i++ {
			l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(base+i)))
			if err != nil {
				t.Fatalf("Block(%d) = %d, but port %d: %v", n, base, base+i, err)
			}
			l.Close()
		}
	}
}
