package devnetcmd_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/stakewallet/stakewallet/internal/devnet"
	"github.com/stakewallet/stakewallet/internal/testutil/freeport"
)

// chainReady is one ready line per chain.
var chainReady = regexp.MustCompile(`(?m)^stakewallet-devnet ready: http=(\S+) ws=(\S+) chain=(\S+) chain-id=(\d+)$`)

// TestRunAllChains: with no --chains every chain runs, on consecutive ports
// from --http; the banner names each with its chain id, native coin,
// endpoints and Multicall3, and each endpoint answers with its chain id.
func TestRunAllChains(t *testing.T) {
	base := freeport.Block(t, len(devnet.Chains()))
	r := start("--http", "127.0.0.1:"+strconv.Itoa(base), "--log-level", "error", "--apr", "0")
	t.Cleanup(r.stop)
	firstHTTP, _ := r.ready(t)
	out := r.stdout.String()
	m := chainReady.FindAllStringSubmatch(out, -1)
	chains := devnet.Chains()
	if len(m) != len(chains) {
		t.Fatalf("%d ready lines, want %d:\n%s", len(m), len(chains), out)
	}
	if firstHTTP != m[0][1] {
		t.Errorf("first ready line %s is not the first chain's %s", firstHTTP, m[0][1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i, ch := range chains {
		addr := "127.0.0.1:" + strconv.Itoa(base+i)
		if m[i][1] != "http://"+addr || m[i][2] != "ws://"+addr || m[i][3] != ch.Name || m[i][4] != strconv.FormatUint(ch.ChainID, 10) {
			t.Errorf("ready line %d = %q; want %s on %s", i, m[i][0], ch.Name, addr)
		}
		section := out[strings.Index(out, "== "+ch.Name+" =="):]
		for _, want := range []string{
			"Chain ID        " + strconv.FormatUint(ch.ChainID, 10) + "\n",
			"Native coin     " + ch.Native + "\n",
			"HTTP JSON-RPC   http://" + addr + "\n",
			"WS JSON-RPC     ws://" + addr + " (shares the HTTP port)\n",
			"Multicall3      " + devnet.Multicall3Address.Hex() + "\n",
		} {
			if !strings.Contains(section, want) {
				t.Errorf("%s section lacks %q", ch.Name, want)
			}
		}
		for _, url := range []string{m[i][1], m[i][2]} {
			c, err := ethclient.DialContext(ctx, url)
			if err != nil {
				t.Fatalf("dial %s: %v", url, err)
			}
			id, err := c.ChainID(ctx)
			c.Close()
			if err != nil || id.Uint64() != ch.ChainID {
				t.Errorf("%s over %s: chain id %v, %v", ch.Name, url, id, err)
			}
		}
	}
	r.stop()
	select {
	case code := <-r.code:
		if code != 0 {
			t.Errorf("exit %d on Ctrl-C:\n%s", code, r.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("did not stop")
	}
}
