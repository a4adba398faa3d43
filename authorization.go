package baas

import (
	"context"
	"encoding/json"
	"time"
)

// Stand-in decisions: what a real-time authorization decides when the tenant's endpoint
// does not answer in time or answers something unusable.
const (
	StandInApprove = "approve"
	StandInDecline = "decline"
)

// AuthorizationSettings configure a tenant's real-time authorization call.
type AuthorizationSettings struct {
	TenantID string
	URL      string // "" when the tenant has none: authorizations are not asked about
	Timeout  time.Duration
	StandIn  string // StandInApprove or StandInDecline
	// SecretSealed is the sealed signing secret of the calls; nil until a URL is first set.
	SecretSealed []byte
}

// AuthorizationRequest is one real-time authorization call, ready to send.
type AuthorizationRequest struct {
	ID        string // unique id of the request, sent as webhook-id
	TenantID  string
	Type      string // "authorization.request"
	Data      json.RawMessage
	CreatedAt time.Time
	URL       string
	Secret    string // signing secret (whsec_…)
	Timeout   time.Duration
	StandIn   string
}

// AuthorizationDecision is the answer to an authorization request. When the endpoint did
// not answer in time, failed, or answered something unusable, StandIn is true, Approved is
// the tenant's stand-in decision and Reason says what went wrong.
type AuthorizationDecision struct {
	Approved   bool          `json:"approved"`
	StandIn    bool          `json:"stand_in"`
	Reason     string        `json:"reason"`
	StatusCode int           `json:"status_code"`
	Latency    time.Duration `json:"latency"`
}

// AuthorizationCaller sends real-time authorization requests (package webhook does it
// over HTTP). It never fails: problems become a stand-in decision.
type AuthorizationCaller interface {
	CallAuthorization(ctx context.Context, req AuthorizationRequest) AuthorizationDecision
}

// AuthorizationCall is the record of one real-time authorization call.
type AuthorizationCall struct {
	ID         int64
	TenantID   string
	RequestID  string
	Reference  string
	Approved   bool
	StandIn    bool
	Reason     string
	StatusCode int
	Latency    time.Duration
	CreatedAt  time.Time
}

// AuthorizationTx holds the queries of real-time authorization settings and calls.
type AuthorizationTx interface {
	GetAuthorizationSettings(ctx context.Context, tenantID string) (*AuthorizationSettings, error)
	SaveAuthorizationSettings(ctx context.Context, s *AuthorizationSettings) error
	InsertAuthorizationCall(ctx context.Context, c *AuthorizationCall) error
	ListAuthorizationCalls(ctx context.Context, tenantID string, beforeID int64, limit int) ([]*AuthorizationCall, error)
}
