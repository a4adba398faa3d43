package loadtest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// BankConfig describes a bank test: Transferers clients move random amounts between
// Accounts accounts for Duration while Readers clients read every balance in one snapshot.
type BankConfig struct {
	BaseURL        string
	AdminToken     string
	Transferers    int
	Readers        int
	Accounts       int
	InitialBalance int64
	Duration       time.Duration
	Seed           uint64
}

// DefaultBankConfig is the bank test of the performance issue: 64 clients, 100 accounts.
func DefaultBankConfig() BankConfig {
	return BankConfig{BaseURL: "http://127.0.0.1:8080", Transferers: 64, Readers: 4, Accounts: 100,
		InitialBalance: 10_000, Duration: 60 * time.Second, Seed: 1}
}

// BankResult is what a bank test saw. It passed when BadReads, Negative and Unexpected are
// zero, Reads is not, and LedgerOK is true.
type BankResult struct {
	Transfers    int64            `json:"transfers"`
	Insufficient int64            `json:"insufficient_funds"`
	Unexpected   map[string]int64 `json:"unexpected_errors"`
	Reads        int64            `json:"reads"`
	BadReads     int64            `json:"bad_reads"`      // snapshots whose sum was not the total
	Negative     int64            `json:"negative_seen"`  // balances below zero seen in a snapshot
	Total        int64            `json:"expected_total"` // what every snapshot must add up to
	LedgerOK     bool             `json:"ledger_ok"`
	Elapsed      time.Duration    `json:"elapsed_ns"`
}

// Passed reports whether every check held.
func (r *BankResult) Passed() bool {
	return r.BadReads == 0 && r.Negative == 0 && len(r.Unexpected) == 0 && r.Reads > 0 && r.Transfers > 0 && r.LedgerOK
}

// Bank runs the bank test against a server. Transfers that fail for insufficient funds are
// expected (amounts are drawn large on purpose); any other failure is reported as
// unexpected. Connection errors are retried with the same Idempotency-Key.
func Bank(ctx context.Context, bc BankConfig, log io.Writer) (*BankResult, error) {
	cfg := Config{BaseURL: bc.BaseURL, AdminToken: bc.AdminToken, Clients: bc.Transferers + bc.Readers,
		Accounts: bc.Accounts, InitialBalance: bc.InitialBalance, Seed: bc.Seed, Idempotency: true}
	c := newClient(cfg)
	defer c.close()
	if err := c.setup(ctx, log); err != nil {
		return nil, fmt.Errorf("setup: %w", err)
	}
	res := &BankResult{Unexpected: map[string]int64{}, Total: int64(bc.Accounts) * bc.InitialBalance}
	runCtx, cancel := context.WithTimeout(ctx, bc.Duration)
	defer cancel()
	var mu sync.Mutex
	var transfers, insufficient, reads, bad, negative atomic.Int64
	var wg sync.WaitGroup
	began := time.Now()
	for w := 0; w < bc.Transferers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(bc.Seed, uint64(w)))
			for runCtx.Err() == nil {
				i, j := rng.IntN(len(c.accounts)), rng.IntN(len(c.accounts)-1)
				if j >= i {
					j++
				}
				amount := 1 + rng.Int64N(2*bc.InitialBalance/10)
				key := "bank-" + strconv.Itoa(w) + "-" + strconv.FormatInt(c.seq.Add(1), 10)
				out := c.p2pRetry(runCtx, ctx, c.accounts[i], c.accounts[j], amount, key)
				switch {
				case out.OK:
					transfers.Add(1)
				case out.Kind == "409 INSUFFICIENT_FUNDS":
					insufficient.Add(1)
				case out.Kind == "":
				default:
					mu.Lock()
					res.Unexpected[out.Kind]++
					mu.Unlock()
				}
			}
		}(w)
	}
	for r := 0; r < bc.Readers; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for runCtx.Err() == nil {
				raw, status, err := c.admin(runCtx, "GET", "/admin/api/tenants/"+c.tenantID+"/accounts?kind=customer&limit=1000", nil)
				if err != nil || status != 200 {
					if runCtx.Err() == nil {
						mu.Lock()
						res.Unexpected[fmt.Sprintf("read %d %v", status, err)]++
						mu.Unlock()
					}
					continue
				}
				var page struct {
					Accounts []struct {
						Balance   int64 `json:"balance"`
						Available int64 `json:"available"`
					} `json:"accounts"`
				}
				if err := json.Unmarshal(raw, &page); err != nil {
					continue
				}
				var sum int64
				for _, a := range page.Accounts {
					sum += a.Balance
					if a.Balance < 0 || a.Available < 0 {
						negative.Add(1)
					}
				}
				reads.Add(1)
				if sum != res.Total || len(page.Accounts) != bc.Accounts {
					bad.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(began)
	res.Transfers, res.Insufficient, res.Reads, res.BadReads, res.Negative =
		transfers.Load(), insufficient.Load(), reads.Load(), bad.Load(), negative.Load()
	var rep struct {
		OK bool `json:"ok"`
	}
	raw, status, err := c.admin(ctx, "GET", "/admin/api/ledger/verify", nil)
	if err != nil {
		return res, err
	}
	res.LedgerOK = status == 200 && json.Unmarshal(raw, &rep) == nil && rep.OK
	return res, nil
}

// p2pRetry sends one transfer, retrying with the same Idempotency-Key after connection
// errors and 5xx answers until it gets a definite answer or stop ends. An empty Kind with
// OK false means the run ended before a definite answer.
func (c *Client) p2pRetry(run, stop context.Context, from, to, amount int64, key string) Outcome {
	for {
		_, err := c.girasol(stop, "POST", "/v1/accounts/p2p-transaction", map[string]any{
			"originAccountNumber": from, "destinationAccountNumber": to, "amount": amount, "message": "bank"}, key, nil)
		out := outcome(err)
		if out.OK || (out.Kind != "connection" && out.Kind[0] != '5') {
			return out
		}
		if run.Err() != nil {
			return Outcome{}
		}
		time.Sleep(10 * time.Millisecond)
	}
}
