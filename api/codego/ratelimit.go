package codego

import (
	"crypto/sha256"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Codego's limit: "200 requests per 10 second" per API key (DefaultRateLimit).
const (
	DefaultRateLimit = 200
	rateWindow       = 10 * time.Second
	// maxLimiters bounds the keys remembered at once; beyond it, new keys wait until idle
	// ones are forgotten.
	maxLimiters = 100_000
)

// limiter applies the Codego rate limit per API key: a token bucket of 200 requests that
// refills at 20 per second (golang.org/x/time/rate). A client may send 200 requests at
// once and then 20 per second; in any 10 seconds it gets at most 400 through. Keys are
// kept as SHA-256 hashes, in this process only (each replica limits on its own).
type limiter struct {
	perWindow int // requests per rateWindow
	mu        sync.Mutex
	buckets   map[[32]byte]*rate.Limiter
	lastSweep time.Time
}

func newLimiter(perWindow int) *limiter {
	return &limiter{perWindow: perWindow, buckets: map[[32]byte]*rate.Limiter{}}
}

// allow takes one request of key at now; when the bucket is empty it returns false and how
// long to wait.
func (l *limiter) allow(key string, now time.Time) (bool, time.Duration) {
	k := sha256.Sum256([]byte(key))
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= rateWindow || len(l.buckets) >= maxLimiters {
		l.sweep(now)
	}
	b := l.buckets[k]
	if b == nil {
		if len(l.buckets) >= maxLimiters {
			return false, rateWindow
		}
		b = rate.NewLimiter(rate.Every(rateWindow/time.Duration(l.perWindow)), l.perWindow)
		l.buckets[k] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep forgets the buckets that are full again: they behave like new ones.
func (l *limiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.perWindow) {
			delete(l.buckets, k)
		}
	}
}

// retryAfter renders a wait as whole seconds, at least 1.
func retryAfter(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}
