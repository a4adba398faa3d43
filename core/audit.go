package core

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/baas-oss/baas"
)

// AuditRecord is what a use case says about an operator action: its name (a baas.Audit*
// action), the tenant it concerns ("" for none), its target and a few details. Details
// never hold a secret — no token, key, secret, card number or full URL (auditURL).
type AuditRecord struct {
	Action     string
	TenantID   string
	TargetType string
	TargetID   string
	Details    map[string]any
}

// audit appends the record of an operator action to the audit log, in tx — the use
// case's own transaction, so that an action that rolls back leaves no record — with the
// actor ctx carries (baas.SystemActor when it names none) and now as its time. Every
// operator action goes through here or Service.Audit.
func audit(ctx context.Context, tx baas.Tx, now time.Time, r AuditRecord) error {
	a, ok := baas.ActorFrom(ctx)
	if !ok {
		a = baas.SystemActor
	}
	details := []byte("{}")
	if len(r.Details) > 0 {
		var err error
		if details, err = json.Marshal(r.Details); err != nil {
			return err
		}
	}
	return tx.InsertAuditEntry(ctx, &baas.AuditEntry{Actor: a.ID, Source: a.Source, Address: a.Address,
		RequestID: baas.RequestIDFrom(ctx), Action: r.Action, TenantID: r.TenantID, TargetType: r.TargetType,
		TargetID: r.TargetID, Details: details, CreatedAt: now})
}

// kycReviewRecord is the audit record of an operator's decision on a document.
func kycReviewRecord(d *baas.KYCDocument) AuditRecord {
	action := baas.AuditKYCRejected
	if d.Status == baas.KYCVerified {
		action = baas.AuditKYCVerified
	}
	return AuditRecord{Action: action, TenantID: d.TenantID, TargetType: "kyc_document", TargetID: auditID(d.ID),
		Details: map[string]any{"customer_id": d.CustomerID, "doc_type": d.Type, "reason": d.Reason, "reviewer": d.Reviewer}}
}

// endpointRecord is the audit record of a webhook endpoint created or deleted.
func endpointRecord(action string, e *baas.WebhookEndpoint) AuditRecord {
	d := map[string]any{}
	if e.URL != "" {
		d["url"], d["event_types"], d["format"] = auditURL(e.URL), e.EventTypes, e.Format
	}
	return AuditRecord{Action: action, TenantID: e.TenantID, TargetType: "webhook_endpoint", TargetID: e.ID, Details: d}
}

// resendFailedAudit records, in the first of the transactions of ResendFailed (done is
// still 0), the operator's request to send a tenant's failed deliveries again.
func resendFailedAudit(ctx context.Context, tx baas.Tx, now time.Time, done int64, tenantID string, since time.Time, endpointID string) error {
	if done > 0 {
		return nil
	}
	return audit(ctx, tx, now, AuditRecord{Action: baas.AuditDeliveriesResent, TenantID: tenantID, TargetType: "tenant",
		TargetID: tenantID, Details: map[string]any{"since": since.UTC().Format(time.RFC3339Nano), "endpoint_id": endpointID}})
}

// authorizationRecord is the audit record of a change of a tenant's real-time
// authorization settings: the fields the patch sets, and whether a signing secret was
// issued (never the secret).
func authorizationRecord(p AuthorizationSettingsPatch, secretIssued bool) AuditRecord {
	d := map[string]any{"signing_secret_issued": secretIssued}
	if p.URL != nil {
		d["authorization_url"] = auditURL(*p.URL)
	}
	if p.Timeout != nil {
		d["authorization_timeout_ms"] = p.Timeout.Milliseconds()
	}
	if p.StandIn != nil {
		d["stand_in"] = *p.StandIn
	}
	return AuditRecord{Action: baas.AuditAuthorizationChanged, TenantID: p.TenantID, TargetType: "tenant", TargetID: p.TenantID, Details: d}
}

// keysRotatedRecord is the audit record of a master key rotation: the current data key
// after it, how many data keys the database then has (all sealed under the new master key), and where the new master key is (a source
// such as "BAAS_NEW_MASTER_KEY" or a file path, never the key).
func keysRotatedRecord(current uint32, keys int, newDataKey bool, masterKey string) AuditRecord {
	return AuditRecord{Action: baas.AuditKeysRotated, TargetType: "data_key", TargetID: strconv.FormatUint(uint64(current), 10),
		Details: map[string]any{"data_keys": keys, "new_data_key": newDataKey, "master_key": masterKey}}
}

// auditID is a numeric target id as the audit log keeps it.
func auditID(id int64) string { return strconv.FormatInt(id, 10) }

// Audit records an operator action that is not itself a transaction of the store (a
// console sign-in), in a transaction of its own. An action that is one records itself
// inside it instead (audit).
func (s *Service) Audit(ctx context.Context, r AuditRecord) error {
	return s.store.InTx(ctx, func(tx baas.Tx) error { return audit(ctx, tx, s.now(), r) })
}

// auditURL is a URL as the audit log keeps it: scheme, host and path, without the user
// information, query or fragment, where a receiver's credentials may sit.
func auditURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return ""
	}
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

// MaxAuditPage is the most entries ListAudit returns at once.
const MaxAuditPage = 500

// ListAudit returns a page of the audit log (ListAudit).
func (s *Service) ListAudit(ctx context.Context, f baas.AuditFilter) ([]*baas.AuditEntry, error) {
	return ListAudit(ctx, s.store, f)
}

// ListAudit returns a page of the audit log of store, newest first: the entries of a
// tenant and of an action when the filter names them, with ids below BeforeID when set.
// A limit outside 1..MaxAuditPage is refused; 0 is 100. It needs no master key.
func ListAudit(ctx context.Context, store baas.Store, f baas.AuditFilter) ([]*baas.AuditEntry, error) {
	if f.Limit < 0 || f.Limit > MaxAuditPage {
		return nil, baas.Invalid("limit must be an integer between 1 and 500")
	}
	if f.BeforeID < 0 {
		return nil, baas.Invalid("before must be a positive integer")
	}
	for _, v := range []string{f.TenantID, f.Action} {
		if len(v) > 200 || !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return nil, baas.Invalid("tenant_id and action must be text of at most 200 bytes")
		}
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	return store.Read().ListAuditEntries(ctx, f)
}
