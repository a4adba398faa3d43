// Package loadtest drives real HTTP traffic at a running baas server: it creates a tenant
// through the admin API, opens and funds accounts, then runs a workload with N concurrent
// clients for a bounded time and reports throughput, latency percentiles from an HDR
// histogram, errors by kind, and the ledger check at the end. A workload is one function
// that sends one request; adding one is adding an entry to Workloads.
package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Config describes one run.
type Config struct {
	BaseURL        string
	AdminToken     string
	Workload       string
	Clients        int
	Duration       time.Duration
	MaxRequests    int64 // stop after this many requests (0: only Duration bounds the run)
	Accounts       int
	InitialBalance int64   // cents cashed in to each account
	HotShare       float64 // p2p-hot: share of transfers that pay the hot merchant
	Idempotency    bool    // send an Idempotency-Key with every write
	Seed           uint64
	// Progress, when positive, prints each interval's throughput and latency to the log
	// while the run goes on: a run's figures over time show when its tail happens.
	Progress time.Duration
}

// DefaultConfig returns a 60-second run of uniform p2p at 32 clients over 1,000 accounts.
func DefaultConfig() Config {
	return Config{BaseURL: "http://127.0.0.1:8080", Workload: "p2p", Clients: 32, Duration: 60 * time.Second,
		Accounts: 1000, InitialBalance: 10_000_000, HotShare: 0.9, Idempotency: true, Seed: 1}
}

// Result is what a run measured.
type Result struct {
	Workload   string           `json:"workload"`
	Clients    int              `json:"clients"`
	Accounts   int              `json:"accounts"`
	Elapsed    time.Duration    `json:"elapsed_ns"`
	Requests   int64            `json:"requests"`
	Succeeded  int64            `json:"succeeded"`
	Errors     map[string]int64 `json:"errors"`
	Throughput float64          `json:"throughput_per_s"`
	P50        time.Duration    `json:"p50_ns"`
	P90        time.Duration    `json:"p90_ns"`
	P99        time.Duration    `json:"p99_ns"`
	Max        time.Duration    `json:"max_ns"`
	// The whole machine's CPU during the run (Linux only): busy time per request, idle
	// time, and time the host stole from this virtual machine.
	CPUPerRequest time.Duration `json:"cpu_per_request_ns,omitempty"`
	IdleCPU       time.Duration `json:"idle_cpu_ns,omitempty"`
	StolenCPU     time.Duration `json:"stolen_cpu_ns,omitempty"`
	// P2P transfer and card payment batches the server formed during the run (its
	// /metrics), if it says.
	Batches     *Batches        `json:"p2p_batches,omitempty"`
	CardBatches *Batches        `json:"card_batches,omitempty"`
	LedgerOK    bool            `json:"ledger_ok"`
	Ledger      json.RawMessage `json:"ledger"`
}

// Workload sends one request of its kind with client c and reports the outcome.
type Workload func(ctx context.Context, c *Client, rng *rand.Rand) Outcome

// Outcome is one request's result: OK, or the kind of error.
type Outcome struct {
	OK   bool
	Kind string // for errors: "409 INSUFFICIENT_FUNDS", "connection", …
}

// Workloads are the workloads by name.
var Workloads = map[string]Workload{
	"p2p":          p2pUniform,
	"p2p-hot":      p2pHot,
	"reads":        reads,
	"codego":       codegoMix,
	"codego-reads": codegoReads,
	"purchase":     purchase, // purchase.go
}

// Client is one tenant's view of the server, shared by the workers.
type Client struct {
	cfg      Config
	tenantID string
	http     *http.Client
	headers  http.Header
	accounts []int64
	cards    []string // purchase.go: a card per account
	seq      atomic.Int64
	codego   codegoState
}

// Run sets up a tenant with funded accounts and runs the workload.
func Run(ctx context.Context, cfg Config, log io.Writer) (*Result, error) {
	wl, ok := Workloads[cfg.Workload]
	if !ok {
		names := make([]string, 0, len(Workloads))
		for n := range Workloads {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("unknown workload %q (have %s)", cfg.Workload, strings.Join(names, ", "))
	}
	if cfg.Clients < 1 || cfg.Accounts < 2 || cfg.Duration <= 0 {
		return nil, errors.New("need at least 1 client, 2 accounts and a positive duration")
	}
	c := newClient(cfg)
	defer c.close()

	start := time.Now()
	if err := c.setup(ctx, log); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	fmt.Fprintf(log, "setup: tenant and %d funded accounts in %s\n", len(c.accounts), time.Since(start).Round(time.Millisecond))
	if strings.HasPrefix(cfg.Workload, "codego") {
		start = time.Now()
		if err := c.setupCodego(ctx); err != nil {
			return nil, fmt.Errorf("codego setup: %w", err)
		}
		fmt.Fprintf(log, "setup: %d Codego customers in %s (the server must run with BAAS_CODEGO_RATE_LIMIT=-1 or a high limit)\n",
			len(c.codego.users), time.Since(start).Round(time.Millisecond))
	}

	if cfg.Workload == "purchase" {
		start = time.Now()
		if err := c.setupCards(ctx); err != nil {
			return nil, fmt.Errorf("card setup: %w", err)
		}
		fmt.Fprintf(log, "setup: %d cards in %s\n", len(c.cards), time.Since(start).Round(time.Millisecond))
	}

	res := &Result{Workload: cfg.Workload, Clients: cfg.Clients, Accounts: cfg.Accounts, Errors: map[string]int64{}}
	var mu sync.Mutex
	hist := newHistogram()
	runCtx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()
	var sent atomic.Int64
	var wg sync.WaitGroup
	batches0, batchesOK := c.batchMetrics(ctx, "p2p")
	cardBatches0, cardBatchesOK := c.batchMetrics(ctx, "card")
	cpu0, cpuOK := readCPU()
	began := time.Now()
	var windows []*window // per worker, with Progress
	if cfg.Progress > 0 {
		windows = make([]*window, cfg.Clients)
		for w := range windows {
			windows[w] = &window{h: newHistogram()}
		}
		go progress(runCtx, cfg.Progress, began, windows, log) // until Run returns and cancels runCtx
	}
	for w := 0; w < cfg.Clients; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(cfg.Seed, uint64(w)))
			h := newHistogram()
			var win *window
			if windows != nil {
				win = windows[w]
			}
			errs := map[string]int64{}
			var ok int64
			for runCtx.Err() == nil {
				if cfg.MaxRequests > 0 && sent.Add(1) > cfg.MaxRequests {
					break
				}
				t0 := time.Now()
				out := wl(runCtx, c, rng)
				if runCtx.Err() != nil && !out.OK {
					break // cut off by the end of the run, not a server error
				}
				took := time.Since(t0).Microseconds()
				_ = h.RecordValue(took)
				if win != nil {
					win.record(took, out.OK)
				}
				if out.OK {
					ok++
				} else {
					errs[out.Kind]++
				}
			}
			mu.Lock()
			defer mu.Unlock()
			hist.Merge(h)
			res.Succeeded += ok
			for k, v := range errs {
				res.Errors[k] += v
			}
		}(w)
	}
	wg.Wait()
	res.Elapsed = time.Since(began)
	res.Requests = hist.TotalCount()
	if cpu1, ok := readCPU(); ok && cpuOK && res.Requests > 0 {
		d := cpu1.sub(cpu0)
		res.CPUPerRequest, res.IdleCPU, res.StolenCPU = d.busy/time.Duration(res.Requests), d.idle, d.steal
	}
	if batches1, ok := c.batchMetrics(ctx, "p2p"); ok && batchesOK {
		if d := batches1.sub(batches0); d.Batches > 0 {
			res.Batches = &d
		}
	}
	if batches1, ok := c.batchMetrics(ctx, "card"); ok && cardBatchesOK {
		if d := batches1.sub(cardBatches0); d.Batches > 0 {
			res.CardBatches = &d
		}
	}
	res.Throughput = float64(res.Requests) / res.Elapsed.Seconds()
	res.P50, res.P90, res.P99, res.Max = micros(hist.ValueAtQuantile(50)), micros(hist.ValueAtQuantile(90)),
		micros(hist.ValueAtQuantile(99)), micros(hist.Max())

	var rep struct {
		OK bool `json:"ok"`
	}
	raw, status, err := c.admin(ctx, "GET", "/admin/api/ledger/verify", nil)
	if err != nil {
		return res, fmt.Errorf("ledger check: %w", err)
	}
	res.Ledger = raw
	if json.Unmarshal(raw, &rep) == nil && status == 200 {
		res.LedgerOK = rep.OK
	}
	return res, nil
}

// newHistogram records latencies in microseconds, up to a minute, to 3 significant digits.
func newHistogram() *hdrhistogram.Histogram {
	return hdrhistogram.New(1, int64(time.Minute/time.Microsecond), 3)
}

// micros is a histogram's value as a duration.
func micros(v int64) time.Duration { return time.Duration(v) * time.Microsecond }

// window is one worker's latencies since the last progress line.
type window struct {
	mu     sync.Mutex
	h      *hdrhistogram.Histogram
	errors int64
}

func (w *window) record(us int64, ok bool) {
	w.mu.Lock()
	_ = w.h.RecordValue(us)
	if !ok {
		w.errors++
	}
	w.mu.Unlock()
}

// progress prints, every interval until the run ends, the requests completed in it, their
// rate and latency percentiles, and the errors among them.
func progress(ctx context.Context, every time.Duration, began time.Time, windows []*window, log io.Writer) {
	t := time.NewTicker(every)
	defer t.Stop()
	sum := newHistogram()
	last := began
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			sum.Reset()
			var errs int64
			for _, w := range windows {
				w.mu.Lock()
				sum.Merge(w.h)
				w.h.Reset()
				errs, w.errors = errs+w.errors, 0
				w.mu.Unlock()
			}
			fmt.Fprintf(log, "  %6s  %7.0f/s  p50 %-9s p99 %-9s max %-9s errors %d\n", now.Sub(began).Round(time.Second),
				float64(sum.TotalCount())/now.Sub(last).Seconds(), micros(sum.ValueAtQuantile(50)), micros(sum.ValueAtQuantile(99)),
				micros(sum.Max()), errs)
			last = now
		}
	}
}

// Print writes a human summary of r.
func (r *Result) Print(w io.Writer) {
	fmt.Fprintf(w, "workload %s: %d clients, %d accounts, %s\n", r.Workload, r.Clients, r.Accounts, r.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "  requests %d, succeeded %d, throughput %.0f/s\n", r.Requests, r.Succeeded, r.Throughput)
	fmt.Fprintf(w, "  latency p50 %s  p90 %s  p99 %s  max %s\n", r.P50, r.P90, r.P99, r.Max)
	keys := make([]string, 0, len(r.Errors))
	for k := range r.Errors {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "  errors %-40s %d\n", k, r.Errors[k])
	}
	if r.CPUPerRequest > 0 {
		fmt.Fprintf(w, "  machine CPU %s per request (server, database and load tool), idle %s, stolen by the host %s\n",
			r.CPUPerRequest.Round(time.Microsecond), r.IdleCPU.Round(100*time.Millisecond), r.StolenCPU.Round(100*time.Millisecond))
	}
	r.Batches.report(w, "p2p", "transfers")
	r.CardBatches.report(w, "card", "payments")
	fmt.Fprintf(w, "  ledger check: %v\n", map[bool]string{true: "OK", false: "BROKEN"}[r.LedgerOK])
}

// report writes one line about b (nothing when nil).
func (b *Batches) report(w io.Writer, kind, jobs string) {
	if b != nil {
		fmt.Fprintf(w, "  %s batches %d, %.1f %s per batch", kind, b.Batches, float64(b.Transfers)/float64(b.Batches), jobs)
		if b.Ended > 0 {
			fmt.Fprintf(w, ", %.2f ms per batch", b.Seconds*1000/float64(b.Ended))
		}
		reasons := make([]string, 0, len(b.LeftOut))
		for k := range b.LeftOut {
			reasons = append(reasons, k)
		}
		sort.Strings(reasons)
		for i, k := range reasons {
			fmt.Fprintf(w, "%s %s %d", map[bool]string{true: "; left out of their batch:", false: ","}[i == 0], k, b.LeftOut[k])
		}
		fmt.Fprintln(w)
	}
}

func (c *Client) setup(ctx context.Context, log io.Writer) error {
	raw, status, err := c.admin(ctx, "POST", "/admin/api/tenants", map[string]any{"name": "bench-" + strconv.FormatInt(time.Now().UnixNano(), 36)})
	if err != nil {
		return err
	}
	if status != 201 {
		return fmt.Errorf("create tenant: %d %s", status, raw)
	}
	var creds struct {
		TenantID string `json:"tenant_id"`
		Codego   struct {
			ClientKey    string `json:"client_key"`
			SecretKey    string `json:"secret_key"`
			APIKey       string `json:"api_key"`
			WhitelabelID string `json:"whitelabel_id"`
		} `json:"codego"`
		Girasol struct {
			APIKey    string `json:"api_key"`
			SecretKey string `json:"secret_key"`
			CompanyID string `json:"company_id"`
		} `json:"girasol"`
	}
	if err := json.Unmarshal(raw, &creds); err != nil {
		return err
	}
	c.tenantID = creds.TenantID
	c.codego.clientKey, c.codego.secretKey = creds.Codego.ClientKey, creds.Codego.SecretKey
	c.codego.apiKey, c.codego.whitelabelID = creds.Codego.APIKey, creds.Codego.WhitelabelID
	c.headers = http.Header{}
	c.headers.Set("x-api-key", creds.Girasol.APIKey)
	c.headers.Set("x-secret-key", creds.Girasol.SecretKey)
	c.headers.Set("x-company-id", creds.Girasol.CompanyID)
	c.headers.Set("Content-Type", "application/json")
	need := int64(c.cfg.Accounts) * c.cfg.InitialBalance
	if raw, status, err = c.admin(ctx, "POST", "/admin/api/tenants/"+creds.TenantID+"/fund", map[string]any{"amount": need}); err != nil || status != 201 {
		return fmt.Errorf("fund master: %d %s %v", status, raw, err)
	}
	c.accounts = make([]int64, c.cfg.Accounts)
	var next atomic.Int64
	errc := make(chan error, c.cfg.Clients)
	var wg sync.WaitGroup
	for w := 0; w < min(c.cfg.Clients, 16); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= c.cfg.Accounts {
					return
				}
				name := fmt.Sprintf("acct%d", i)
				var out struct {
					Data struct {
						AccountNumber int64 `json:"accountNumber"`
					} `json:"data"`
				}
				status, err := c.girasol(ctx, "POST", "/v1/accounts/create-account", map[string]any{
					"firstName": "load", "lastName": name, "addressLine1": "x", "addressLine2": "", "city": "x",
					"zipCode": "000", "phone": "+10000000000", "email": name + "@bench.example", "handle": name}, "", &out)
				if err != nil || status != 201 {
					errc <- fmt.Errorf("create account: %d %v", status, err)
					return
				}
				c.accounts[i] = out.Data.AccountNumber
				status, err = c.girasol(ctx, "POST", "/v1/accounts/cash-in", map[string]any{
					"accountNumber": out.Data.AccountNumber, "amount": c.cfg.InitialBalance, "message": "bench"}, "", nil)
				if err != nil || status != 201 {
					errc <- fmt.Errorf("cash-in: %d %v", status, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	return <-errc
}

func newClient(cfg Config) *Client {
	tr := &http.Transport{MaxIdleConns: cfg.Clients * 2, MaxIdleConnsPerHost: cfg.Clients * 2,
		DialContext: (&net.Dialer{Timeout: 5 * time.Second}).DialContext, IdleConnTimeout: 90 * time.Second}
	return &Client{cfg: cfg, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

func (c *Client) close() { c.http.CloseIdleConnections() }

// admin sends an operator request.
func (c *Client) admin(ctx context.Context, method, path string, body any) ([]byte, int, error) {
	h := http.Header{}
	h.Set("Authorization", "Bearer "+c.cfg.AdminToken)
	return c.do(ctx, method, path, body, h)
}

// girasol sends a tenant request and decodes a 2xx answer into out.
func (c *Client) girasol(ctx context.Context, method, path string, body any, idemKey string, out any) (int, error) {
	h := c.headers
	if idemKey != "" {
		h = c.headers.Clone()
		h.Set("Idempotency-Key", idemKey)
	}
	raw, status, err := c.do(ctx, method, path, body, h)
	if err != nil {
		return 0, err
	}
	if status/100 != 2 {
		var e struct {
			Data any `json:"data"`
		}
		_ = json.Unmarshal(raw, &e)
		return status, &httpError{status: status, data: fmt.Sprint(e.Data)}
	}
	if out != nil {
		return status, json.Unmarshal(raw, out)
	}
	return status, nil
}

type httpError struct {
	status int
	data   string
}

func (e *httpError) Error() string { return fmt.Sprintf("%d %s", e.status, e.data) }

func (c *Client) do(ctx context.Context, method, path string, body any, h http.Header) ([]byte, int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, rd)
	if err != nil {
		return nil, 0, err
	}
	req.Header = h
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return raw, resp.StatusCode, err
}

// outcome classifies an error: the status and errorDefinitions code, or "connection".
func outcome(err error) Outcome {
	if err == nil {
		return Outcome{OK: true}
	}
	var he *httpError
	if errors.As(err, &he) {
		d := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(he.data), "errorDefinitions."))
		if len(d) > 60 {
			d = d[:60]
		}
		return Outcome{Kind: strconv.Itoa(he.status) + " " + d}
	}
	return Outcome{Kind: "connection"}
}

func (c *Client) p2p(ctx context.Context, from, to int64, amount int64) Outcome {
	key := ""
	if c.cfg.Idempotency {
		key = "bench-" + strconv.FormatInt(c.seq.Add(1), 10) + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	_, err := c.girasol(ctx, "POST", "/v1/accounts/p2p-transaction", map[string]any{
		"originAccountNumber": from, "destinationAccountNumber": to, "amount": amount, "message": "bench"}, key, nil)
	return outcome(err)
}

func p2pUniform(ctx context.Context, c *Client, rng *rand.Rand) Outcome {
	n := len(c.accounts)
	i := rng.IntN(n)
	j := rng.IntN(n - 1)
	if j >= i {
		j++
	}
	return c.p2p(ctx, c.accounts[i], c.accounts[j], 1+rng.Int64N(100))
}

// p2pHot pays the first account — the hot merchant — in HotShare of the transfers.
func p2pHot(ctx context.Context, c *Client, rng *rand.Rand) Outcome {
	if rng.Float64() < c.cfg.HotShare {
		return c.p2p(ctx, c.accounts[1+rng.IntN(len(c.accounts)-1)], c.accounts[0], 1+rng.Int64N(100))
	}
	return p2pUniform(ctx, c, rng)
}

func reads(ctx context.Context, c *Client, rng *rand.Rand) Outcome {
	n := c.accounts[rng.IntN(len(c.accounts))]
	path := "/v1/accounts/customer-info/" + strconv.FormatInt(n, 10)
	if rng.IntN(4) == 0 {
		path = "/v1/accounts/transactions/" + strconv.FormatInt(n, 10) + "?limit=20"
	}
	_, err := c.girasol(ctx, "GET", path, nil, "", nil)
	return outcome(err)
}
