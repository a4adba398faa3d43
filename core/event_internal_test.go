package core

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/storetest"
)

// TestEventWritesOutboxInItsTransaction: core.event writes the event and its deliveries
// together; a rolled-back transaction leaves neither.
func TestEventWritesOutboxInItsTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		svc, err := New(storetest.Open(t, engine), DefaultConfig(), NewMasterKey(), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		creds, err := svc.CreateTenant(ctx, CreateTenantParams{Name: "t"})
		if err != nil {
			t.Fatal(err)
		}
		tn := creds.TenantID
		if _, err := svc.CreateWebhookEndpoint(ctx, CreateWebhookEndpointParams{TenantID: tn, URL: "https://example.com/h"}); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		err = svc.store.InTx(ctx, func(tx baas.Tx) error {
			if err := event(ctx, tx, tn, "thing.done", "o1", svc.now(), map[string]int{"n": 1}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		if ds, _ := svc.ListDeliveries(ctx, baas.DeliveryFilter{TenantID: tn}); len(ds) != 0 {
			t.Fatalf("%d deliveries after a rollback", len(ds))
		}
		if evs, _ := svc.ListEvents(ctx, baas.EventFilter{TenantID: tn, Type: "thing.done"}); len(evs) != 0 {
			t.Fatalf("%d events after a rollback", len(evs))
		}
		err = svc.store.InTx(ctx, func(tx baas.Tx) error {
			return event(ctx, tx, tn, "thing.done", "o1", svc.now(), map[string]int{"n": 2})
		})
		if err != nil {
			t.Fatal(err)
		}
		ds, _ := svc.ListDeliveries(ctx, baas.DeliveryFilter{TenantID: tn})
		if len(ds) != 1 || ds[0].Status != baas.DeliveryPending || ds[0].EventType != "thing.done" {
			t.Fatalf("deliveries after a commit: %+v", ds)
		}
	})
}

func TestSeal(t *testing.T) {
	key := deriveKey(NewMasterKey(), "test")
	sealed, err := seal(key, []byte("whsec_secret"), "row-1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("whsec_secret")) {
		t.Fatal("sealed value contains the plaintext")
	}
	again, _ := seal(key, []byte("whsec_secret"), "row-1")
	if bytes.Equal(sealed, again) {
		t.Error("two seals of one value are equal: the nonce is not random")
	}
	if got, err := unseal(key, sealed, "row-1"); err != nil || string(got) != "whsec_secret" {
		t.Fatalf("unseal = %q, %v", got, err)
	}
	if _, err := unseal(key, sealed, "row-2"); err == nil {
		t.Error("opened under another row's associated data")
	}
	if _, err := unseal(deriveKey(NewMasterKey(), "test"), sealed, "row-1"); err == nil {
		t.Error("opened under another key")
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := unseal(key, sealed, "row-1"); err == nil {
		t.Error("opened a tampered value")
	}
	if _, err := unseal(key, []byte{1, 2}, "row-1"); err == nil {
		t.Error("opened a truncated value")
	}
}

func TestNormalizeEventTypes(t *testing.T) {
	got, err := normalizeEventTypes([]string{" transfer.* ", "account.created", "account.created"})
	if err != nil || strings.Join(got, ",") != "account.created,transfer.*" {
		t.Fatalf("got %v, %v", got, err)
	}
	if got, err := normalizeEventTypes([]string{"account.created", "*"}); err != nil || got != nil {
		t.Fatalf("* = %v, %v; want every event", got, err)
	}
	for _, bad := range []string{"", "Account.created", "a..b", "a.*.b", "a b", "*.x", strings.Repeat("a", 101)} {
		if _, err := normalizeEventTypes([]string{bad}); !baas.IsCode(err, baas.EInvalid) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	ep := baas.WebhookEndpoint{EventTypes: []string{"account.created", "transfer.*"}}
	for typ, want := range map[string]bool{"account.created": true, "account.status_changed": false, "transfer.p2p": true,
		"transfer": false, "transferx.p2p": false} {
		if ep.Wants(typ) != want {
			t.Errorf("Wants(%q) = %v", typ, !want)
		}
	}
}

func TestLogText(t *testing.T) {
	s := logText(strings.Repeat("é", 2000) + "\x00")
	if len(s) > maxDeliveryLogText || !utf8.ValidString(s) {
		t.Errorf("logText: %d bytes, valid %v", len(s), utf8.ValidString(s))
	}
	if got := logText("a\x00b\xffc"); got != "ab\uFFFDc" {
		t.Errorf("logText = %q", got)
	}
}
