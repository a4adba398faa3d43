package codego_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/baas-oss/baas/server/servertest"
	"github.com/baas-oss/baas/store/storetest"
)

// TestRateLimitInventedKeys: requests whose apikey never authenticated (a different one
// on every request, or none) share their client address's bucket, so inventing keys
// buys no requests; a key that authenticated keeps its own bucket, untouched by them.
func TestRateLimitInventedKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		clock := servertest.NewClock(t0)
		e := servertest.StartClock(t, engine, clock)
		c := e.CodegoLogin(t, e.Tenant) // learnt: its own bucket from now on
		invented := func(i int) *servertest.Response {
			g := &servertest.Codego{Env: e, Keys: c.Keys, Token: c.Token}
			g.Keys.APIKey = fmt.Sprintf("invented-%d", i)
			return g.Post(t, "documents_list", nil)
		}
		// The login was counted in the address's bucket: 199 more, then none.
		for i := 1; i < 200; i++ {
			wantCode(t, invented(i), 202, "")
		}
		r := invented(200)
		wantCode(t, r, 429, "200 requests per 10 seconds")
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		wantCode(t, e.Do(t, "POST", "/api/documents_list", map[string]any{}, nil), 429, "Too many")
		wantOK(t, c.Post(t, "documents_list", nil), float64(1)) // not rate-limited: the key's own bucket
		clock.Add(time.Second)
		for i := 0; i < 20; i++ {
			wantCode(t, invented(1000+i), 202, "")
		}
		wantCode(t, invented(2000), 429, "Too many")
	})
}
