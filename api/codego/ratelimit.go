package codego

import (
	"crypto/sha256"
	"math"
	"net"
	"net/http"
	"net/netip"
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

// knownFor is how long an API key that authenticated is remembered as one after its last
// request.
const knownFor = time.Hour

// limiter applies the Codego rate limit: a token bucket of 200 requests that refills at
// 20 per second (golang.org/x/time/rate). A client may send 200 requests at once and then
// 20 per second; in any 10 seconds it gets at most 400 through.
//
// An API key has a bucket of its own once it has authenticated; every other request (no
// apikey, or one that never authenticated) is counted in the bucket of its client
// address, so that a different invented apikey on every request gets no fresh bucket.
// Keys and addresses are kept as SHA-256 hashes, in this process only (each replica
// limits on its own).
type limiter struct {
	perWindow int // requests per rateWindow
	mu        sync.Mutex
	buckets   map[[32]byte]*rate.Limiter
	known     map[[32]byte]time.Time // API keys that authenticated: when last seen
	lastSweep time.Time
}

func newLimiter(perWindow int) *limiter {
	return &limiter{perWindow: perWindow, buckets: map[[32]byte]*rate.Limiter{}, known: map[[32]byte]time.Time{}}
}

func keyBucket(apiKey string) [32]byte { return sha256.Sum256([]byte("apikey\x00" + apiKey)) }

// take counts one request of r, sent with apiKey, at now: in the key's bucket when the
// key has authenticated before, else in the client address's. When the bucket is empty
// it returns false and how long to wait.
func (l *limiter) take(r *http.Request, apiKey string, now time.Time) (bool, time.Duration) {
	k := keyBucket(apiKey)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.known[k]; ok && apiKey != "" {
		l.known[k] = now
		return l.allow(k, now)
	}
	return l.allow(sha256.Sum256([]byte("addr\x00"+clientNetwork(r))), now)
}

// learn records that apiKey authenticated at now. A key learnt now starts its own
// bucket with this request in it (take counted it in the address's).
func (l *limiter) learn(apiKey string, now time.Time) {
	k := keyBucket(apiKey)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.known[k]; ok || len(l.known) >= maxLimiters {
		return
	}
	l.known[k] = now
	l.allow(k, now)
}

// clientNetwork is the client address a request is counted under: the IPv4 address, or
// the /64 an IPv6 address is in (one host commonly holds a whole /64).
func clientNetwork(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	if a = a.Unmap(); a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// allow takes one request of bucket k at now; l.mu is held.
func (l *limiter) allow(k [32]byte, now time.Time) (bool, time.Duration) {
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

// sweep forgets the buckets that are full again (they behave like new ones) and the
// keys not seen for knownFor.
func (l *limiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, seen := range l.known {
		if now.Sub(seen) >= knownFor {
			delete(l.known, k)
		}
	}
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
