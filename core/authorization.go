package core

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/baas-oss/baas"
)

// Real-time authorization defaults and bounds.
const (
	DefaultAuthorizationTimeout = 2 * time.Second
	MinAuthorizationTimeout     = 50 * time.Millisecond
	MaxAuthorizationTimeout     = 30 * time.Second
	maxReferenceLen             = 200
)

// CheckAuthorizationTimeout is the rule for a tenant's authorization timeout: from
// MinAuthorizationTimeout to MaxAuthorizationTimeout (50 ms to 30 s, as documented). It
// returns an EInvalid error naming the range.
func CheckAuthorizationTimeout(d time.Duration) error {
	if d < MinAuthorizationTimeout || d > MaxAuthorizationTimeout {
		return baas.Invalid("authorization timeout must be between 50ms and 30s")
	}
	return nil
}

// AuthorizationTimeoutMS is a timeout a client sends in milliseconds, under the rule of
// CheckAuthorizationTimeout (checked before the conversion, which could overflow).
func AuthorizationTimeoutMS(ms int64) (time.Duration, error) {
	if ms < MinAuthorizationTimeout.Milliseconds() || ms > MaxAuthorizationTimeout.Milliseconds() {
		return 0, CheckAuthorizationTimeout(-1)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// SetAuthorizationCaller sets what sends real-time authorization requests. Until one is
// set, RequestAuthorization applies the stand-in decision.
func (s *Service) SetAuthorizationCaller(c baas.AuthorizationCaller) {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	s.hooks.caller = c
}

func (s *Service) authorizationCaller() baas.AuthorizationCaller {
	s.hooks.mu.RLock()
	defer s.hooks.mu.RUnlock()
	return s.hooks.caller
}

// AuthorizationSettingsPatch changes a tenant's real-time authorization settings; nil
// fields stay as they are. An empty URL turns the call off.
type AuthorizationSettingsPatch struct {
	TenantID string
	URL      *string
	Timeout  *time.Duration
	StandIn  *string
}

// AuthorizationSettingsView is a tenant's real-time authorization settings.
// SigningSecret is set only by the update that first gave the tenant a URL: it is shown
// once.
type AuthorizationSettingsView struct {
	TenantID      string `json:"tenant_id"`
	URL           string `json:"authorization_url"`
	TimeoutMS     int64  `json:"authorization_timeout_ms"`
	StandIn       string `json:"stand_in"`
	SigningSecret string `json:"authorization_signing_secret,omitempty"`
}

func viewAuthorization(a *baas.AuthorizationSettings) *AuthorizationSettingsView {
	return &AuthorizationSettingsView{TenantID: a.TenantID, URL: a.URL, TimeoutMS: a.Timeout.Milliseconds(), StandIn: a.StandIn}
}

// UpdateAuthorizationSettings changes where and how long baas asks a tenant to approve
// authorizations, and what it decides when the tenant does not answer in time. The first
// time a URL is set the tenant gets a signing secret, returned once.
func (s *Service) UpdateAuthorizationSettings(ctx context.Context, p AuthorizationSettingsPatch) (*AuthorizationSettingsView, error) {
	if p.URL != nil && *p.URL != "" {
		if err := ValidateWebhookURL("authorization_url", *p.URL); err != nil {
			return nil, err
		}
	}
	if p.Timeout != nil {
		if err := CheckAuthorizationTimeout(*p.Timeout); err != nil {
			return nil, err
		}
	}
	if p.StandIn != nil && *p.StandIn != baas.StandInApprove && *p.StandIn != baas.StandInDecline {
		return nil, baas.Invalid("stand_in must be approve or decline")
	}
	var view *AuthorizationSettingsView
	defer s.controls.invalidate(p.TenantID) // once committed: the payments' cached settings (controls.go)
	err := s.store.InTx(ctx, func(tx baas.Tx) error {
		a, err := tx.GetAuthorizationSettings(ctx, p.TenantID)
		if err != nil {
			return err
		}
		if p.URL != nil {
			a.URL = *p.URL
		}
		if p.Timeout != nil {
			a.Timeout = p.Timeout.Truncate(time.Millisecond)
		}
		if p.StandIn != nil {
			a.StandIn = *p.StandIn
		}
		secret := ""
		if a.URL != "" && len(a.SecretSealed) == 0 {
			secret = NewSigningSecret()
			if a.SecretSealed, err = s.keys.seal(purposeWebhookSeal, []byte(secret), "authorization-secret:"+a.TenantID); err != nil {
				return err
			}
		}
		if err := audit(ctx, tx, s.now(), authorizationRecord(p, secret != "")); err != nil {
			return err
		}
		if err := tx.SaveAuthorizationSettings(ctx, a); err != nil {
			return err
		}
		view = viewAuthorization(a)
		view.SigningSecret = secret
		return nil
	})
	return view, err
}

// GetAuthorizationSettings returns a tenant's real-time authorization settings (without
// the secret).
func (s *Service) GetAuthorizationSettings(ctx context.Context, tenantID string) (*AuthorizationSettingsView, error) {
	a, err := s.store.Read().GetAuthorizationSettings(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return viewAuthorization(a), nil
}

// AuthorizationParams are the inputs of RequestAuthorization.
type AuthorizationParams struct {
	TenantID  string
	Reference string // what is being authorized (a card authorization id, say); recorded
	Data      any    // sent to the tenant as the request's "data"
}

// RequestAuthorization asks the tenant's authorization URL, synchronously and within the
// tenant's timeout, whether to approve something (a card purchase). A tenant without a URL
// approves without being asked. When the URL does not answer in time, fails, or answers
// something unusable, the tenant's stand-in decision applies and the decision says why.
// Every call made is recorded. It must be called outside any transaction; the error is
// only for invalid input or an unknown tenant.
func (s *Service) RequestAuthorization(ctx context.Context, p AuthorizationParams) (*baas.AuthorizationDecision, error) {
	if len(p.Reference) > maxReferenceLen {
		return nil, baas.Invalid("reference must be at most 200 characters")
	}
	if _, err := json.Marshal(p.Data); err != nil {
		return nil, baas.Invalid("authorization data must be JSON")
	}
	a, err := s.store.Read().GetAuthorizationSettings(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	return s.askAuthorization(ctx, a, p)
}

// askAuthorization is RequestAuthorization with the tenant's settings a read (Authorize
// reads them first: a tenant without a URL needs no check before its transaction).
func (s *Service) askAuthorization(ctx context.Context, a *baas.AuthorizationSettings, p AuthorizationParams) (*baas.AuthorizationDecision, error) {
	if a.URL == "" {
		return &baas.AuthorizationDecision{Approved: true, Reason: "no authorization URL configured"}, nil
	}
	if len(p.Reference) > maxReferenceLen {
		return nil, baas.Invalid("reference must be at most 200 characters")
	}
	data, err := json.Marshal(p.Data)
	if err != nil {
		return nil, baas.Invalid("authorization data must be JSON")
	}
	idb := make([]byte, 12)
	_, _ = rand.Read(idb)
	req := baas.AuthorizationRequest{ID: authorizationRequestID + hex.EncodeToString(idb), TenantID: p.TenantID,
		Type: "authorization.request", Data: data, CreatedAt: s.now(), URL: a.URL, Timeout: a.Timeout, StandIn: a.StandIn}
	if req.Timeout <= 0 { // the store always holds one; 0 would cut every call off at once
		req.Timeout = DefaultAuthorizationTimeout
	}
	var d baas.AuthorizationDecision
	secret, err := s.keys.unseal(purposeWebhookSeal, a.SecretSealed, "authorization-secret:"+a.TenantID)
	caller := s.authorizationCaller()
	switch {
	case err != nil:
		s.log.ErrorContext(ctx, "cannot open a tenant's authorization secret: was the master key changed?", "tenant", p.TenantID)
		d = StandIn(a.StandIn, "signing secret unavailable")
	case caller == nil:
		d = StandIn(a.StandIn, "no authorization caller configured")
	default:
		req.Secret = string(secret)
		d = caller.CallAuthorization(ctx, req)
	}
	call := &baas.AuthorizationCall{TenantID: p.TenantID, RequestID: req.ID, Reference: p.Reference, Approved: d.Approved,
		StandIn: d.StandIn, Reason: logText(d.Reason), StatusCode: d.StatusCode, Latency: d.Latency, CreatedAt: s.now()}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.store.InTx(rctx, func(tx baas.Tx) error { return tx.InsertAuthorizationCall(rctx, call) }); err != nil {
		s.log.ErrorContext(ctx, "recording an authorization call", "err", err, "tenant", p.TenantID)
	}
	return &d, nil
}

// StandIn is the decision taken in the tenant's place, with the reason the tenant did
// not decide: approve when standIn is baas.StandInApprove, else decline.
func StandIn(standIn, reason string) baas.AuthorizationDecision {
	return baas.AuthorizationDecision{Approved: standIn == baas.StandInApprove, StandIn: true, Reason: reason}
}

// authorizationAnswer is what a tenant's authorization URL answers: {"approved": true}
// or {"decision": "approve"} (or "decline"), with an optional reason.
type authorizationAnswer struct {
	Approved *bool  `json:"approved"`
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// AuthorizationAnswer is the decision a tenant's authorization URL gave by answering
// status and body (the caller only carries them over HTTP): a 2xx answer
// {"approved": true|false} or {"decision": "approve"|"decline"}, with an optional
// reason, decides; any other answer applies the stand-in, with the reason. The caller
// fills in StatusCode and Latency.
func AuthorizationAnswer(standIn string, status int, body []byte) baas.AuthorizationDecision {
	if status < 200 || status > 299 {
		return StandIn(standIn, fmt.Sprintf("endpoint answered HTTP %d", status))
	}
	var ans authorizationAnswer
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&ans); err != nil {
		return StandIn(standIn, "invalid response: not a JSON object")
	}
	approved := false
	switch {
	case ans.Approved != nil && ans.Decision == "":
		approved = *ans.Approved
	case ans.Approved == nil && ans.Decision == "approve":
		approved = true
	case ans.Approved == nil && ans.Decision == "decline":
	default:
		return StandIn(standIn, `invalid response: want {"approved": true|false} or {"decision": "approve"|"decline"}`)
	}
	reason := ans.Reason
	if reason == "" {
		reason = "declined by the tenant"
		if approved {
			reason = "approved by the tenant"
		}
	}
	return baas.AuthorizationDecision{Approved: approved, Reason: reason}
}

// ListAuthorizationCalls returns a page of a tenant's recorded authorization calls,
// newest first.
func (s *Service) ListAuthorizationCalls(ctx context.Context, tenantID string, beforeID int64, limit int) ([]*baas.AuthorizationCall, error) {
	r := s.store.Read()
	if _, err := r.GetTenant(ctx, tenantID); err != nil {
		return nil, err
	}
	return r.ListAuthorizationCalls(ctx, tenantID, beforeID, Pages.limit(limit))
}
