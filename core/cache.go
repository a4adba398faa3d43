package core

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/baas-oss/baas"
)

// cache keeps recently used, immutable records (credentials, Codego tokens, what never
// changes about an account) in memory for a short time, so authenticating a request
// costs a map lookup and a keyed hash instead of a query. Only records that exist are cached (random keys cannot grow it),
// secrets and expiry are still checked on every request, and it is bounded.
type cache[K comparable, V any] struct {
	ttl    time.Duration
	max    int
	jitter bool // spread
	mu     sync.Mutex
	m      map[K]cached[V]
}

type cached[V any] struct {
	v       V
	expires time.Time
}

func newCache[K comparable, V any](ttl time.Duration, max int) *cache[K, V] {
	return &cache[K, V]{ttl: ttl, max: max, m: make(map[K]cached[V])}
}

// spread makes each record of c live between half its time to live and all of it, at
// random: records loaded together (every card's controls in a load's first second) then
// expire spread over time instead of all in the same batch of payments, whose reads
// they would all add to. The bound, which is what a reader relies on, stays.
func (c *cache[K, V]) spread() *cache[K, V] {
	c.jitter = true
	return c
}

// get returns the record under key, from the cache or from load.
func (c *cache[K, V]) get(key K, now time.Time, load func() (V, error)) (V, error) {
	if v, ok := c.lookup(key, now); ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.put(key, v, now)
	return v, nil
}

// lookup returns the live record under key, if there is one.
func (c *cache[K, V]) lookup(key K, now time.Time) (V, bool) {
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.v, true
	}
	var zero V
	return zero, false
}

// put stores v under key until now plus the cache's time to live.
func (c *cache[K, V]) put(key K, v V, now time.Time) {
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	ttl := c.ttl
	if c.jitter {
		ttl -= time.Duration(rand.Int64N(int64(ttl/2) + 1))
	}
	c.m[key] = cached[V]{v: v, expires: now.Add(ttl)}
	c.mu.Unlock()
}

// findCredential returns the credential of kind and keyID, from the cache or the store.
func (s *Service) findCredential(ctx context.Context, kind, keyID string) (*baas.Credential, error) {
	return s.creds.get(kind+"\x00"+keyID, s.now(), func() (*baas.Credential, error) {
		return s.store.Read().FindCredential(ctx, kind, keyID)
	})
}
