package devnet_test

import (
	"strconv"
	"testing"

	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
)

// TestWSPort: WebSocket shares the HTTP listener unless it is given a port
// of its own, and a WS address naming the HTTP port under another host
// still shares it without moving HTTP off its host.
func TestWSPort(t *testing.T) {
	t.Parallel()
	httpPort, wsPort := freePort(t), freePort(t)
	for wsPort == httpPort {
		wsPort = freePort(t)
	}
	httpAddr := "127.0.0.1:" + strconv.Itoa(httpPort)
	tests := []struct {
		name       string
		cfg        devnet.Config
		wantHTTP   string // "" = any port
		wantWS     string // "" = the HTTP endpoint's host:port
		wantShared bool
	}{
		{"zero config", devnet.Config{}, "", "", true},
		{"HTTP port, no WS", devnet.Config{HTTPAddr: httpAddr}, "http://" + httpAddr, "ws://" + httpAddr, true},
		{"WS on the HTTP port under another host", devnet.Config{HTTPAddr: httpAddr, WSAddr: "[::1]:" + strconv.Itoa(httpPort)},
			"http://" + httpAddr, "ws://" + httpAddr, true},
		{"WS port of its own", devnet.Config{WSAddr: "127.0.0.1:" + strconv.Itoa(wsPort)}, "", "ws://127.0.0.1:" + strconv.Itoa(wsPort), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.DisableOracle = true
			d, c := startDevnet(t, tt.cfg)
			if tt.wantHTTP != "" && d.HTTPEndpoint() != tt.wantHTTP {
				t.Errorf("HTTP endpoint %s, want %s", d.HTTPEndpoint(), tt.wantHTTP)
			}
			wantWS := tt.wantWS
			if wantWS == "" {
				wantWS = "ws://" + d.HTTPEndpoint()[len("http://"):]
			}
			if d.WSEndpoint() != wantWS || d.WSShared() != tt.wantShared {
				t.Errorf("WS endpoint %s (shared %v), want %s (shared %v)", d.WSEndpoint(), d.WSShared(), wantWS, tt.wantShared)
			}
			ws, err := ethclient.DialContext(c.ctx, d.WSEndpoint())
			if err != nil {
				t.Fatalf("dial %s: %v", d.WSEndpoint(), err)
			}
			defer ws.Close()
			if id, err := ws.ChainID(c.ctx); err != nil || id.Int64() != devnet.ChainID {
				t.Errorf("chain id over WS = %v, %v", id, err)
			}
		})
	}
}
