package devnet

import "testing"

func TestLoopbackHostPort(t *testing.T) {
	tests := []struct {
		addr    string
		host    string
		port    int
		wantErr bool
	}{
		{"127.0.0.1:8545", "127.0.0.1", 8545, false},
		{"localhost:0", "localhost", 0, false},
		{"[::1]:8546", "::1", 8546, false},
		{"0.0.0.0:8545", "", 0, true},
		{"192.168.1.2:8545", "", 0, true},
		{"example.com:8545", "", 0, true},
		{"127.0.0.1", "", 0, true},
		{"127.0.0.1:99999", "", 0, true},
	}
	for _, tt := range tests {
		host, port, err := loopbackHostPort(tt.addr)
		if (err != nil) != tt.wantErr || host != tt.host || port != tt.port {
			t.Errorf("loopbackHostPort(%q) = %q, %d, %v", tt.addr, host, port, err)
		}
	}
}
