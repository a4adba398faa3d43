package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// Sessions live in the process's memory: a restart signs every operator out, which is the
// safe failure, and there is one operator token, so nothing about a session needs to
// outlive the process or be shared between replicas (a console behind a load balancer
// needs sticky sessions; docs/console.md).
type session struct {
	csrf     string
	created  time.Time
	lastSeen time.Time
}

type sessions struct {
	mu   sync.Mutex
	byID map[string]*session
	idle time.Duration // idle expiry
	max  time.Duration // absolute lifetime
}

func newSessions(idle, max time.Duration) *sessions {
	return &sessions{byID: map[string]*session{}, idle: idle, max: max}
}

// randomToken is 32 random bytes, unpadded base64url.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *sessions) open(now time.Time) (id string, sess *session) {
	id = randomToken()
	sess = &session{csrf: randomToken(), created: now, lastSeen: now}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Drop expired sessions as new ones open, so the map stays as small as the live set.
	for k, v := range s.byID {
		if s.expired(v, now) {
			delete(s.byID, k)
		}
	}
	s.byID[id] = sess
	return id, sess
}

func (s *sessions) expired(v *session, now time.Time) bool {
	return now.Sub(v.lastSeen) > s.idle || now.Sub(v.created) > s.max
}

// touch returns the live session of id and marks it used now; expired reports a session
// that existed but has run out (the sign-in page says so).
func (s *sessions) touch(id string, now time.Time) (sess *session, expired bool) {
	if id == "" {
		return nil, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.byID[id]
	if !ok {
		return nil, false
	}
	if s.expired(v, now) {
		delete(s.byID, id)
		return nil, true
	}
	v.lastSeen = now
	return v, false
}

func (s *sessions) close(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.byID, id)
}

// sameToken compares two tokens in constant time; an empty one never matches.
func sameToken(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
