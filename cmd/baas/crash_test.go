package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/baas-oss/baas/store/storetest"
)

// TestCrashRecovery kills the server with SIGKILL several times while clients make
// transfers, restarting it each time; clients retry with the same Idempotency-Key after a
// connection error. At the end every transfer acknowledged with a 2xx is in the ledger
// exactly once, none is applied twice, balances add up and every invariant holds.
func TestCrashRecovery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		const token = "crash-test-operator-token"
		s := newStore(t, engine)
		port := freePort(t)
		env := []string{"BAAS_ADMIN_TOKEN=" + token, "BAAS_LOG_FORMAT=text"}
		srv, _ := tryStartServer(t, s, port, env)
		if srv == nil {
			t.Fatal("server did not start")
		}
		resp, body := srv.admin(t, token, "POST", "/admin/api/tenants", map[string]any{"name": "crash"})
		wantStatus(t, "create tenant", resp, body, 201)
		creds := checkCredentialsJSON(t, "create tenant", body)
		h := girasolHeader(creds.Girasol)

		const accounts, initial = 20, 100_000
		numbers := make([]int64, accounts)
		for i := range numbers {
			raw, _ := json.Marshal(map[string]any{"firstName": "c", "lastName": "c", "addressLine1": "x", "addressLine2": "",
				"city": "x", "zipCode": "0", "phone": "+10000000", "email": fmt.Sprintf("c%d@example.com", i), "handle": fmt.Sprintf("c%d", i)})
			resp, body := srv.request(t, "POST", "/v1/accounts/create-account", raw, h)
			wantStatus(t, "create account", resp, body, 201)
			var out struct {
				Data struct{ AccountNumber int64 } `json:"data"`
			}
			decodeJSON(t, "create account", body, &out)
			numbers[i] = out.Data.AccountNumber
			raw, _ = json.Marshal(map[string]any{"accountNumber": numbers[i], "amount": initial})
			resp, body = srv.request(t, "POST", "/v1/accounts/cash-in", raw, h)
			wantStatus(t, "cash-in", resp, body, 201)
		}

		var mu sync.Mutex
		acked := map[string]int64{} // idempotency key -> transactionId
		var stop atomic.Bool
		var wg sync.WaitGroup
		client := &http.Client{Timeout: 10 * time.Second}
		for w := 0; w < 16; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 99))
				for n := 0; !stop.Load(); n++ {
					i, j := rng.IntN(accounts), rng.IntN(accounts-1)
					if j >= i {
						j++
					}
					key := fmt.Sprintf("crash-%d-%d", w, n)
					raw, _ := json.Marshal(map[string]any{"originAccountNumber": numbers[i],
						"destinationAccountNumber": numbers[j], "amount": 1 + rng.Int64N(500)})
					// Retry until a definite answer: the server always comes back.
					for attempt := 0; ; attempt++ {
						if attempt > 2000 {
							t.Errorf("no definite answer for %s", key)
							return
						}
						req, _ := http.NewRequest("POST", srv.base+"/v1/accounts/p2p-transaction", bytes.NewReader(raw))
						req.Header = h.Clone()
						req.Header.Set("Content-Type", "application/json")
						req.Header.Set("Idempotency-Key", key)
						resp, err := client.Do(req)
						if err != nil {
							time.Sleep(20 * time.Millisecond)
							continue
						}
						var out struct {
							Data struct {
								TransactionID int64 `json:"transactionId"`
							} `json:"data"`
						}
						err = json.NewDecoder(resp.Body).Decode(&out)
						resp.Body.Close()
						if resp.StatusCode >= 500 || (resp.StatusCode == 201 && err != nil) {
							time.Sleep(20 * time.Millisecond)
							continue
						}
						if resp.StatusCode == 201 {
							mu.Lock()
							acked[key] = out.Data.TransactionID
							mu.Unlock()
						} else if resp.StatusCode != 409 {
							t.Errorf("%s: unexpected status %d", key, resp.StatusCode)
						}
						break
					}
				}
			}(w)
		}

		// Kill and restart the server a few times under load.
		cur := srv
		for kill := 0; kill < 4; kill++ {
			time.Sleep(time.Duration(300+rand.IntN(500)) * time.Millisecond)
			if err := cur.cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			<-cur.done
			time.Sleep(50 * time.Millisecond)
			next, _ := tryStartServer(t, s, port, env)
			if next == nil {
				t.Fatal("server did not restart")
			}
			cur = next
		}
		time.Sleep(300 * time.Millisecond)
		stop.Store(true)
		wg.Wait()

		mu.Lock()
		defer mu.Unlock()
		if len(acked) == 0 {
			t.Fatal("no transfer was acknowledged")
		}
		seen := map[int64]string{}
		for key, id := range acked {
			if other, dup := seen[id]; dup {
				t.Fatalf("transaction %d acknowledged for two keys %s and %s", id, other, key)
			}
			seen[id] = key
		}
		// Every acknowledged transfer is in the ledger exactly once, and nothing else is.
		db := s.openDB(t)
		rows, err := db.Query(`SELECT id FROM transfers WHERE kind = 'p2p'`)
		if err != nil {
			t.Fatal(err)
		}
		inLedger := map[int64]bool{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			inLedger[id] = true
		}
		rows.Close()
		for id, key := range seen {
			if !inLedger[id] {
				t.Fatalf("acknowledged transfer %d (%s) is not in the ledger", id, key)
			}
		}
		if len(inLedger) != len(seen) {
			t.Fatalf("%d p2p transfers in the ledger but %d acknowledged", len(inLedger), len(seen))
		}
		var sum int64
		if err := db.QueryRow(`SELECT COALESCE(SUM(balance), 0) FROM accounts WHERE kind = 'customer'`).Scan(&sum); err != nil {
			t.Fatal(err)
		}
		if sum != accounts*initial {
			t.Fatalf("customer balances sum to %d, want %d", sum, accounts*initial)
		}
		resp, body = cur.admin(t, token, "GET", "/admin/api/ledger/verify", nil)
		wantStatus(t, "ledger verify", resp, body, 200)
		t.Logf("%s: %d transfers acknowledged across 4 SIGKILLs; ledger OK", engine, len(acked))
	})
}
