package latencyproxy

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestProxyDelaysAndCounts: each HTTP request waits the delay once, a batch
// counts as one request and as many calls as it holds, answers are relayed,
// and the control paths report and reset the counters.
func TestProxyDelaysAndCounts(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(b) // echo
	}))
	defer upstream.Close()
	const delay = 30 * time.Millisecond
	p := New(upstream.URL, delay)
	srv := httptest.NewServer(p)
	defer srv.Close()
	tests := []struct {
		body  string
		calls int
	}{
		{`{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}`, 1},
		{`[{"jsonrpc":"2.0","id":1,"method":"eth_chainId"},{"jsonrpc":"2.0","id":2,"method":"eth_blockNumber"},{"jsonrpc":"2.0","id":3,"method":"eth_call"}]`, 3},
	}
	total := 0
	for i, tt := range tests {
		start := time.Now()
		resp, err := http.Post(srv.URL, "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(got) != tt.body {
			t.Errorf("request %d: answer %q, want the echo", i, got)
		}
		if took := time.Since(start); took < delay {
			t.Errorf("request %d answered before the delay", i)
		}
		total += tt.calls
		if st := p.Stats(); st.Requests != i+1 || st.Calls != total {
			t.Errorf("after request %d: %+v, want %d requests and %d calls", i, st, i+1, total)
		}
	}
	resp, err := http.Get(srv.URL + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.TrimSpace(string(b)) != `{"requests":2,"calls":4}` {
		t.Errorf("/stats = %s", b)
	}
	if _, err := http.Post(srv.URL+"/reset", "", nil); err != nil {
		t.Fatal(err)
	}
	if st := p.Stats(); st != (Stats{}) {
		t.Errorf("after /reset: %+v", st)
	}
}
