package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
)

// Authorizer makes real-time authorization calls over HTTP; it implements
// baas.AuthorizationCaller.
type Authorizer struct {
	client *http.Client
	now    func() time.Time
}

// NewAuthorizer returns an Authorizer. A nil client means NewClient with the longest
// authorization timeout; each call is cut off at its own deadline.
func NewAuthorizer(client *http.Client) *Authorizer {
	if client == nil {
		client = NewClient(core.MaxAuthorizationTimeout)
	}
	return &Authorizer{client: client, now: time.Now}
}

// authorizationAnswer is what a tenant's authorization URL answers: {"approved": true}
// or {"decision": "approve"} (or "decline"), with an optional reason.
type authorizationAnswer struct {
	Approved *bool  `json:"approved"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// CallAuthorization POSTs a signed request to req.URL and returns the tenant's decision.
// Within req.Timeout (counting the whole exchange) the URL must answer 2xx with an
// answer baas understands; otherwise the decision is req.StandIn, marked StandIn, with
// the reason.
func (a *Authorizer) CallAuthorization(ctx context.Context, req baas.AuthorizationRequest) baas.AuthorizationDecision {
	start := time.Now()
	standIn := func(reason string, status int) baas.AuthorizationDecision {
		d := core.StandIn(req.StandIn, reason)
		d.StatusCode, d.Latency = status, time.Since(start)
		return d
	}
	body, err := json.Marshal(envelope{ID: req.ID, Type: req.Type, CreatedAt: req.CreatedAt.UTC().Format(timeFormat),
		TenantID: req.TenantID, Data: req.Data})
	if err != nil {
		return standIn("request could not be encoded", 0)
	}
	header, err := signedHeader(req.Secret, req.ID, a.now(), body, "")
	if err != nil {
		return standIn("signing secret unusable", 0)
	}
	timeout := req.Timeout
	if timeout <= 0 {
		timeout = core.DefaultAuthorizationTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	x := post(ctx, a.client, req.URL, header, body)
	if x.err != nil {
		return standIn(describe(x.err, timeout), 0)
	}
	if x.status < 200 || x.status > 299 {
		return standIn(fmt.Sprintf("endpoint answered HTTP %d", x.status), x.status)
	}
	var ans authorizationAnswer
	d := json.NewDecoder(bytes.NewReader(x.body))
	if err := d.Decode(&ans); err != nil {
		return standIn("invalid response: not a JSON object", x.status)
	}
	approved := false
	switch {
	case ans.Approved != nil && ans.Decision == "":
		approved = *ans.Approved
	case ans.Approved == nil && ans.Decision == "approve":
		approved = true
	case ans.Approved == nil && ans.Decision == "decline":
	default:
		return standIn(`invalid response: want {"approved": true|false} or {"decision": "approve"|"decline"}`, x.status)
	}
	reason := ans.Reason
	if reason == "" {
		reason = "declined by the tenant"
		if approved {
			reason = "approved by the tenant"
		}
	}
	return baas.AuthorizationDecision{Approved: approved, Reason: reason, StatusCode: x.status, Latency: time.Since(start)}
}
