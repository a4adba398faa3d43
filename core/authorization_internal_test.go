package core

import (
	"math"
	"testing"
	"time"

	"github.com/baas-oss/baas"
)

func TestAuthorizationTimeoutRule(t *testing.T) {
	t.Parallel()
	for ms, ok := range map[int64]bool{math.MinInt64: false, 0: false, 1: false, 49: false, 50: true, 2000: true,
		30_000: true, 30_001: false, 3_600_000: false, math.MaxInt64: false} {
		d, err := AuthorizationTimeoutMS(ms)
		if ok && (err != nil || d != time.Duration(ms)*time.Millisecond) {
			t.Errorf("AuthorizationTimeoutMS(%d) = %v, %v", ms, d, err)
		}
		if !ok && (baas.ErrorCode(err) != baas.EInvalid || baas.AsError(err).Message != "authorization timeout must be between 50ms and 30s") {
			t.Errorf("AuthorizationTimeoutMS(%d) = %v, %v; want the range refused", ms, d, err)
		}
	}
	if CheckAuthorizationTimeout(time.Hour) == nil || CheckAuthorizationTimeout(time.Millisecond) == nil ||
		CheckAuthorizationTimeout(30*time.Second) != nil {
		t.Error("CheckAuthorizationTimeout does not hold 50ms..30s")
	}
}

func TestAuthorizationAnswer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		standIn  string
		status   int
		body     string
		approved bool
		isStand  bool
		reason   string
	}{
		{baas.StandInDecline, 200, `{"approved": true}`, true, false, "approved by the tenant"},
		{baas.StandInDecline, 204, `{"approved": false, "reason": "limit"}`, false, false, "limit"},
		{baas.StandInApprove, 200, `{"decision": "decline"}`, false, false, "declined by the tenant"},
		{baas.StandInDecline, 200, `{"decision": "approve", "reason": "ok"}`, true, false, "ok"},
		{baas.StandInApprove, 500, `{"approved": false}`, true, true, "endpoint answered HTTP 500"},
		{baas.StandInDecline, 302, ``, false, true, "endpoint answered HTTP 302"},
		{baas.StandInDecline, 200, `nope`, false, true, "invalid response: not a JSON object"},
		{baas.StandInApprove, 200, `{"approved": true, "decision": "decline"}`, true, true,
			`invalid response: want {"approved": true|false} or {"decision": "approve"|"decline"}`},
		{baas.StandInDecline, 200, `{"decision": "maybe"}`, false, true,
			`invalid response: want {"approved": true|false} or {"decision": "approve"|"decline"}`},
	} {
		d := AuthorizationAnswer(c.standIn, c.status, []byte(c.body))
		if d.Approved != c.approved || d.StandIn != c.isStand || d.Reason != c.reason {
			t.Errorf("AuthorizationAnswer(%s, %d, %s) = %+v", c.standIn, c.status, c.body, d)
		}
	}
}
