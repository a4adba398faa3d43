package webhook

import (
	"context"
	"encoding/json"
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

// CallAuthorization POSTs a signed request to req.URL and returns the tenant's decision,
// which core.AuthorizationAnswer reads from the answer. When the exchange does not
// complete within req.Timeout the decision is req.StandIn, marked StandIn, with the
// reason.
func (a *Authorizer) CallAuthorization(ctx context.Context, req baas.AuthorizationRequest) baas.AuthorizationDecision {
	start := time.Now()
	standIn := func(reason string) baas.AuthorizationDecision {
		d := core.StandIn(req.StandIn, reason)
		d.Latency = time.Since(start)
		return d
	}
	body, err := json.Marshal(envelope{ID: req.ID, Type: req.Type, CreatedAt: req.CreatedAt.UTC().Format(timeFormat),
		TenantID: req.TenantID, Data: req.Data})
	if err != nil {
		return standIn("request could not be encoded")
	}
	header, err := signedHeader(req.Secret, req.ID, a.now(), body, "")
	if err != nil {
		return standIn("signing secret unusable")
	}
	timeout := req.Timeout // the core's: the tenant's, or its default
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	x := post(ctx, a.client, req.URL, header, body)
	if x.err != nil {
		return standIn(describe(x.err, timeout))
	}
	d := core.AuthorizationAnswer(req.StandIn, x.status, x.body)
	d.StatusCode, d.Latency = x.status, time.Since(start)
	return d
}
