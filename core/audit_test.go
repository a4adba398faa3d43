package core_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
)

// auditLog is a service's whole audit log, newest first.
func auditLog(t *testing.T, svc *core.Service) []*baas.AuditEntry {
	t.Helper()
	es, err := svc.ListAudit(context.Background(), baas.AuditFilter{Limit: core.MaxAuditPage})
	if err != nil {
		t.Fatalf("ListAudit: %v", err)
	}
	return es
}

// auditWant is what one operator action must leave in the log.
type auditWant struct {
	action, tenant, targetType, targetID string
	details                              map[string]any
}

// oneNewEntry checks that the log grew by exactly one entry, by actor at time at, and
// that it records want.
func oneNewEntry(t *testing.T, svc *core.Service, before int, actor baas.Actor, requestID string, at time.Time, want auditWant) {
	t.Helper()
	es := auditLog(t, svc)
	if len(es) != before+1 {
		t.Fatalf("%s: the log has %d entries, want %d", want.action, len(es), before+1)
	}
	e := es[0]
	var details map[string]any
	if err := json.Unmarshal(e.Details, &details); err != nil {
		t.Fatalf("%s: details %s: %v", want.action, e.Details, err)
	}
	got := auditWant{e.Action, e.TenantID, e.TargetType, e.TargetID, details}
	if want.details == nil {
		got.details = nil // not checked
	}
	if !reflect.DeepEqual(got, want) || e.Actor != actor.ID || e.Source != actor.Source || e.Address != actor.Address ||
		e.RequestID != requestID || !e.CreatedAt.Equal(at) {
		t.Fatalf("%s: entry %+v (details %s)\nwant %+v by %+v, request %q, at %v", want.action, e, e.Details, want, actor, requestID, at)
	}
}

// noNewEntry checks that a failed action left the log as it was.
func noNewEntry(t *testing.T, svc *core.Service, before int, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error", what)
	}
	if n := len(auditLog(t, svc)); n != before {
		t.Fatalf("%s failed (%v) but the log went from %d to %d entries", what, err, before, n)
	}
}

// TestAuditLog: every operator action of the core leaves exactly one entry with who,
// what, when and from where, written in the action's transaction (an action that fails
// inside its transaction leaves none); no entry holds a secret the actions returned.
func TestAuditLog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		f := newKYCFixture(t, engine) // a tenant and its KYC settings, made without an actor
		svc, at := f.svc, f.now
		if es := auditLog(t, svc); len(es) != 2 || es[0].Actor != baas.SystemActor.ID || es[0].Source != baas.ActorSourceInternal ||
			es[1].Action != baas.AuditTenantCreated || es[0].Action != baas.AuditKYCSettingsChanged {
			t.Fatalf("actions without an actor: %+v", es)
		}
		actor := baas.Actor{ID: "operator", Source: baas.ActorSourceAPI, Address: "192.0.2.7"}
		ctx := baas.WithRequestID(baas.WithActor(context.Background(), actor), "req-1")
		n := len(auditLog(t, svc))
		var secrets []string

		creds, err := svc.CreateTenant(ctx, core.CreateTenantParams{Name: "Audited", Sandbox: true})
		if err != nil {
			t.Fatal(err)
		}
		ten := creds.TenantID
		secrets = append(secrets, creds.Codego.ClientKey, creds.Codego.SecretKey, creds.Codego.APIKey, creds.Codego.WhitelabelID,
			creds.Girasol.APIKey, creds.Girasol.SecretKey)
		oneNewEntry(t, svc, n, actor, "req-1", at, auditWant{baas.AuditTenantCreated, ten, "tenant", ten,
			map[string]any{"name": "Audited", "sandbox": true}})
		n++

		res, _, err := svc.FundMaster(ctx, core.FundMasterParams{TenantID: ten, Amount: 12345, Description: "wire 7"})
		if err != nil {
			t.Fatal(err)
		}
		oneNewEntry(t, svc, n, actor, "req-1", at, auditWant{baas.AuditTenantFunded, ten, "transfer", fmt.Sprint(res.TransferID),
			map[string]any{"amount": 12345.0, "currency": "USD", "description": "wire 7"}})
		n++
		_, _, err = svc.FundMaster(ctx, core.FundMasterParams{TenantID: "no-such-tenant", Amount: 1})
		noNewEntry(t, svc, n, "funding an unknown tenant", err)

		// KYC: the fixture's customer uploads two documents; the operator rejects one and
		// verifies the other.
		kctx := f.ctx
		id, err := svc.UploadKYC(kctx, core.UploadKYCParams{Customer: f.customer, Type: baas.DocIDProof, Number: "AB123",
			Images: []core.KYCImageUpload{{Field: "front_proof", Side: baas.SideFront, Data: pngBytes(t)}}})
		if err != nil {
			t.Fatal(err)
		}
		addr, err := svc.UploadKYC(kctx, core.UploadKYCParams{Customer: f.customer, Type: baas.DocAddressProof,
			Images: []core.KYCImageUpload{{Field: "address_proof", Side: baas.SideFull, Data: pngBytes(t)}}})
		if err != nil {
			t.Fatal(err)
		}
		if n2 := len(auditLog(t, svc)); n2 != n {
			t.Fatalf("a customer's uploads are not operator actions, but the log grew to %d", n2)
		}
		if _, err := svc.ReviewKYC(ctx, core.ReviewKYCParams{DocumentID: addr.ID, Reason: "expired bill"}); err != nil {
			t.Fatal(err)
		}
		oneNewEntry(t, svc, n, actor, "req-1", at, auditWant{baas.AuditKYCRejected, addr.TenantID, "kyc_document", fmt.Sprint(addr.ID),
			map[string]any{"customer_id": addr.CustomerID, "doc_type": float64(baas.DocAddressProof), "reason": "expired bill", "reviewer": "operator"}})
		n++
		if _, err := svc.ReviewKYC(ctx, core.ReviewKYCParams{DocumentID: id.ID, Verify: true, Reviewer: "ana"}); err != nil {
			t.Fatal(err)
		}
		oneNewEntry(t, svc, n, actor, "req-1", at, auditWant{baas.AuditKYCVerified, id.TenantID, "kyc_document", fmt.Sprint(id.ID),
			map[string]any{"customer_id": id.CustomerID, "doc_type": float64(baas.DocIDProof), "reason": "", "reviewer": "ana"}})
		n++
		_, err = svc.ReviewKYC(ctx, core.ReviewKYCParams{DocumentID: id.ID, Verify: true})
		noNewEntry(t, svc, n, "deciding a decided document", err)

		if _, err := svc.SetKYCSettings(ctx, baas.KYCSettings{TenantID: ten, AutoVerifyAfter: 90 * time.Second}); err != nil {
			t.Fatal(err)
		}
		oneNewEntry(t, svc, n, actor, "req-1", at, auditWant{baas.AuditKYCSettingsChanged, ten, "tenant", ten,
			map[string]any{"auto_verify_after_seconds": 90.0}})
		n++
		prod, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "prod"})
		if err != nil {
			t.Fatal(err)
		}
		n++
		_, err = svc.SetKYCSettings(ctx, baas.KYCSettings{TenantID: prod.TenantID, AutoVerifyAfter: time.Second})
		noNewEntry(t, svc, n, "automatic KYC on a production tenant", err)

		// Webhook endpoints: the URL is kept without its credentials and query.
		ep, err := svc.CreateWebhookEndpoint(ctx, core.CreateWebhookEndpointParams{TenantID: ten,
			URL: "https://hookuser:hunter2pass@hooks.example.com/in?token=querytoken123", EventTypes: []string{"transfer.*"}})
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, ep.EventRequestKey, ep.SigningSecret, "hunter2pass", "querytoken123")
		oneNewEntry(t, svc, n, actor, "req-1", at, auditWant{baas.AuditEndpointCreated, ten, "webhook_endpoint", ep.EndpointID,
			map[string]any{"url": "https://hooks.example.com/in", "event_types": []any{"transfer.*"}, "format": baas.WebhookEnvelope}})
		n++
		ep2, err := svc.CreateWebhookEndpoint(ctx, core.CreateWebhookEndpointParams{TenantID: ten, URL: "http://other.example.com/"})
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, ep2.EventRequestKey, ep2.SigningSecret)
		n++
		_, err = svc.CreateWebhookEndpoint(ctx, core.CreateWebhookEndpointParams{TenantID: "no-such-tenant", URL: "https://x.example.com/"})
		noNewEntry(t, svc, n, "an endpoint of an unknown tenant", err)
		if err := svc.DeleteWebhookEndpoint(ctx, ten, ep2.EndpointID); err != nil {
			t.Fatal(err)
		}
		oneNewEntry(t, svc, n, actor, "req-1", at, auditWant{baas.AuditEndpointDeleted, ten, "webhook_endpoint", ep2.EndpointID, map[string]any{}})
		n++
		// The entry is written before the delete, in its transaction: the delete's
		// failure takes it back.
		err = svc.DeleteWebhookEndpoint(ctx, ten, ep2.EndpointID)
		noNewEntry(t, svc, n, "deleting a deleted endpoint", err)

		evs, err := svc.ListEvents(ctx, baas.EventFilter{TenantID: ten})
		if err != nil || len(evs) == 0 {
			t.Fatalf("events: %v %v", evs, err)
		}
		if _, err := svc.ResendEvent(ctx, ten, evs[0].ID, ep.EndpointID); err != nil {
			t.Fatal(err)
		}
		oneNewEntry(t, svc, n, actor, "req-1", at, auditWant{baas.AuditEventResent, ten, "event", fmt.Sprint(evs[0].ID),
			map[string]any{"endpoint_id": ep.EndpointID, "queued": 1.0}})
		n++
		_, err = svc.ResendEvent(ctx, ten, evs[0].ID, ep2.EndpointID)
		noNewEntry(t, svc, n, "resending to a deleted endpoint", err)
		if _, err := svc.ResendFailed(ctx, ten, at.Add(-time.Hour), ""); err != nil {
			t.Fatal(err)
		}
		oneNewEntry(t, svc, n, actor, "req-1", at, auditWant{baas.AuditDeliveriesResent, ten, "tenant", ten,
			map[string]any{"since": at.Add(-time.Hour).Format(time.RFC3339Nano), "endpoint_id": ""}})
		n++

		// Real-time authorization: the first URL issues a signing secret.
		url, timeout, standIn := "https://user:authpass999@authz.example.com/decide?k=authquery999", 800*time.Millisecond, baas.StandInApprove
		v, err := svc.UpdateAuthorizationSettings(ctx, core.AuthorizationSettingsPatch{TenantID: ten, URL: &url, Timeout: &timeout, StandIn: &standIn})
		if err != nil || v.SigningSecret == "" {
			t.Fatalf("authorization settings: %+v %v", v, err)
		}
		secrets = append(secrets, v.SigningSecret, "authpass999", "authquery999")
		oneNewEntry(t, svc, n, actor, "req-1", at, auditWant{baas.AuditAuthorizationChanged, ten, "tenant", ten,
			map[string]any{"authorization_url": "https://authz.example.com/decide", "authorization_timeout_ms": 800.0,
				"stand_in": "approve", "signing_secret_issued": true}})
		n++
		_, err = svc.UpdateAuthorizationSettings(ctx, core.AuthorizationSettingsPatch{TenantID: "no-such-tenant", StandIn: &standIn})
		noNewEntry(t, svc, n, "authorization settings of an unknown tenant", err)

		// Filters and pages through the core.
		mine, err := svc.ListAudit(ctx, baas.AuditFilter{TenantID: ten})
		if err != nil || len(mine) != 9 {
			t.Fatalf("the tenant's entries: %d, %v", len(mine), err)
		}
		funded, err := svc.ListAudit(ctx, baas.AuditFilter{Action: baas.AuditTenantFunded})
		if err != nil || len(funded) != 1 {
			t.Fatalf("funding entries: %d, %v", len(funded), err)
		}
		for _, f := range []baas.AuditFilter{{Limit: -1}, {Limit: core.MaxAuditPage + 1}, {BeforeID: -1}, {TenantID: "a\x00b"},
			{Action: "\xff\xfe"}, {TenantID: strings.Repeat("x", 201)}} {
			if _, err := svc.ListAudit(ctx, f); !baas.IsCode(err, baas.EInvalid) {
				t.Errorf("ListAudit(%+v) = %v, want invalid", f, err)
			}
		}

		// No secret anywhere in the log.
		for _, e := range auditLog(t, svc) {
			text := fmt.Sprintf("%+v %s", *e, e.Details)
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Errorf("audit entry %d holds a secret %q: %s", e.ID, s, text)
				}
			}
		}
	})
}

// TestAuditKeyRotation: a master key rotation is recorded once, in its transaction, with
// the actor of the CLI; a rotation that fails (the wrong current key) is not.
func TestAuditKeyRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		t.Parallel()
		st := storetest.Open(t, engine)
		key := func() *core.LocalKey {
			k, err := core.NewLocalKey(core.NewMasterKey(), "test key")
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		first, second := key(), key()
		kr, err := core.OpenKeyring(context.Background(), st, first, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		svc, err := core.NewWithKeys(st, core.DefaultConfig(), kr, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		actor := baas.Actor{ID: "cli:alice", Source: baas.ActorSourceCLI, Address: "cli"}
		ctx := baas.WithActor(context.Background(), actor)
		at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
		_, err = core.RotateMasterKey(ctx, st, second, first, true, at)
		noNewEntry(t, svc, 0, "rotating from the wrong key", err)
		cur, err := core.RotateMasterKey(ctx, st, first, second, true, at)
		if err != nil {
			t.Fatal(err)
		}
		oneNewEntry(t, svc, 0, actor, "", at, auditWant{baas.AuditKeysRotated, "", "data_key", fmt.Sprint(cur),
			map[string]any{"data_keys": 2.0, "new_data_key": true, "master_key": "test key"}})
	})
}
