package core_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
)

// BenchmarkP2P measures durable p2p transfers through the core on each store, with 32
// concurrent callers (group commit on SQLite, row locks on PostgreSQL), each transfer with
// an idempotency key as the HTTP API sends it.
func BenchmarkP2P(b *testing.B) {
	for _, engine := range storetest.Engines {
		b.Run(engine, func(b *testing.B) {
			store := storetest.Open(b, engine)
			svc, err := core.New(store, core.DefaultConfig(), core.NewMasterKey(), nil, nil)
			if err != nil {
				b.Fatal(err)
			}
			creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "bench", Sandbox: true})
			if err != nil {
				b.Fatal(err)
			}
			ctx := baas.WithTenant(context.Background(), creds.TenantID)
			accounts := make([]int64, 200)
			for i := range accounts {
				info, _, err := svc.CreateAccount(ctx, core.CreateAccountParams{Email: fmt.Sprintf("b%d@example.com", i), Handle: fmt.Sprintf("b%d", i)})
				if err != nil {
					b.Fatal(err)
				}
				accounts[i] = info.Account.Number
				if _, _, err := svc.CashIn(ctx, core.CashInParams{AccountNumber: accounts[i], Amount: 100_000}); err != nil {
					b.Fatal(err)
				}
			}
			var seq atomic.Int64
			b.SetParallelism(16) // 32 goroutines on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				rng := rand.New(rand.NewPCG(uint64(seq.Add(1)), 7))
				for pb.Next() {
					i, j := rng.IntN(len(accounts)), rng.IntN(len(accounts)-1)
					if j >= i {
						j++
					}
					n := seq.Add(1)
					_, _, err := svc.P2P(ctx, core.P2PParams{OriginNumber: accounts[i], DestinationNumber: accounts[j], Amount: 1,
						Idem: core.Idempotency{Key: fmt.Sprintf("k%d", n), Fingerprint: "f"}})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
		})
	}
}

// BenchmarkAuthenticateGirasol measures the credential check every request makes.
func BenchmarkAuthenticateGirasol(b *testing.B) {
	store := storetest.Open(b, "sqlite")
	svc, err := core.New(store, core.DefaultConfig(), core.NewMasterKey(), nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "bench", Sandbox: true})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := svc.AuthenticateGirasol(ctx, creds.Girasol.APIKey, creds.Girasol.SecretKey, creds.Girasol.CompanyID); err != nil {
			b.Fatal(err)
		}
	}
}
