package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestMalformedSoak sends thousands of malformed, oversized and wrongly-typed requests at
// a running server process: no answer may be a 5xx, the process must stay up without a
// panic, and its memory must stay bounded. BAAS_SOAK_REQUESTS sets the count (default
// 3,000; the full run uses 100,000).
func TestMalformedSoak(t *testing.T) {
	total := 3000
	if v := os.Getenv("BAAS_SOAK_REQUESTS"); v != "" {
		var err error
		if total, err = strconv.Atoi(v); err != nil {
			t.Fatal(err)
		}
	}
	const token = "soak-test-operator-token"
	s := newStore(t, "sqlite")
	srv := startServer(t, s, "BAAS_ADMIN_TOKEN="+token)
	resp, body := srv.admin(t, token, "POST", "/admin/api/tenants", map[string]any{"name": "soak"})
	wantStatus(t, "create tenant", resp, body, 201)
	creds := checkCredentialsJSON(t, "create tenant", body)
	good := girasolHeader(creds.Girasol)
	rssBefore := rss(t, srv.cmd.Process.Pid)

	routes := []struct{ method, path string }{
		{"POST", "/v1/accounts/create-account"}, {"PATCH", "/v1/accounts/change-account-status"},
		{"POST", "/v1/accounts/cash-in"}, {"POST", "/v1/accounts/p2p-transaction"},
		{"GET", "/v1/accounts/customer-info/12345678"}, {"GET", "/v1/accounts/customer-info-by-email/a%2540b%25"},
		{"GET", "/v1/accounts/transactions/1?limit=x"}, {"POST", "/admin/api/tenants"},
		{"POST", "/admin/api/tenants/x/fund"}, {"DELETE", "/v1/accounts/cash-in"}, {"GET", "/readyz"},
	}
	bodies := []func(r *rand.Rand) []byte{
		func(r *rand.Rand) []byte { b := make([]byte, r.IntN(512)); fillRandom(r, b); return b },
		func(r *rand.Rand) []byte { return []byte(`{"amount":"` + strings.Repeat("9", r.IntN(5000)) + `"}`) },
		func(r *rand.Rand) []byte {
			return []byte(`{"accountNumber":` + strings.Repeat("[", r.IntN(100000)) + `}`)
		},
		func(r *rand.Rand) []byte { return bytes.Repeat([]byte("x"), 1<<20+r.IntN(1<<20)) }, // oversized
		func(r *rand.Rand) []byte {
			return []byte(fmt.Sprintf(`{"accountNumber":%d,"amount":%v,"originAccountNumber":"%d","email":%d,"status":[1]}`,
				r.Int64(), r.Float64()*1e20, r.IntN(9), r.IntN(9)))
		},
		func(r *rand.Rand) []byte {
			return []byte(`{"name":` + strconv.Quote(strings.Repeat("\u00e9", r.IntN(3000))) + `}`)
		},
		func(r *rand.Rand) []byte { return []byte(`{"amount":1e999,"accountNumber":-0,"message":"\ud800"}`) },
	}
	var sent, fivexx atomic.Int64
	var mu sync.Mutex
	var firstBad string
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 20 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 3))
			for sent.Add(1) <= int64(total) {
				rt := routes[r.IntN(len(routes))]
				req, err := http.NewRequest(rt.method, srv.base+rt.path, bytes.NewReader(bodies[r.IntN(len(bodies))](r)))
				if err != nil {
					t.Error(err)
					return
				}
				switch r.IntN(4) {
				case 0: // good credentials
					req.Header = good.Clone()
				case 1: // garbage credentials
					req.Header.Set("x-api-key", strings.Repeat("A", r.IntN(2000)))
					req.Header.Set("x-secret-key", "==")
					req.Header.Set("Authorization", "Bearer "+strings.Repeat("b", r.IntN(300)))
				case 2:
					req.Header = good.Clone()
					req.Header.Set("Idempotency-Key", strings.Repeat("k", r.IntN(400)))
					req.Header.Set("Content-Type", "text/plain")
				}
				resp, err := client.Do(req)
				if err != nil {
					continue // the server may close a connection after an oversized body
				}
				resp.Body.Close()
				if resp.StatusCode >= 500 {
					fivexx.Add(1)
					mu.Lock()
					if firstBad == "" {
						firstBad = fmt.Sprintf("%s %s -> %d", rt.method, rt.path, resp.StatusCode)
					}
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	if n := fivexx.Load(); n > 0 {
		t.Fatalf("%d responses were 5xx, first: %s", n, firstBad)
	}
	select {
	case <-srv.done:
		t.Fatal("the server process died")
	default:
	}
	resp, body = srv.request(t, "GET", "/healthz", nil, nil)
	wantStatus(t, "healthz after soak", resp, body, 200)
	if strings.Contains(srv.stderr.String(), "panic") {
		t.Fatalf("the server logged a panic:\n%s", grepLines(srv.stderr.String(), "panic"))
	}
	rssAfter := rss(t, srv.cmd.Process.Pid)
	t.Logf("%d malformed requests: 0 5xx; RSS %d KiB -> %d KiB", total, rssBefore, rssAfter)
	if rssAfter > rssBefore+200*1024 {
		t.Fatalf("memory grew from %d KiB to %d KiB", rssBefore, rssAfter)
	}
}

func fillRandom(r *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(r.IntN(256))
	}
}

// rss returns a process's resident set size in KiB (Linux).
func rss(t *testing.T, pid int) int {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("cannot read process memory: %v", err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	t.Skip("no VmRSS")
	return 0
}
