package core

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
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

// The card transaction events' payload is a struct that must encode as the map it
// replaced: the same keys, in the order json gives a map's keys.
func TestCardTxnEventEncodesAsMap(t *testing.T) {
	tx := &baas.CardTransaction{ID: "t1", CardID: "c1", CustomerID: "cu", AccountID: 7, Type: baas.CardTxnPurchase,
		Status: baas.CardTxnApproved, Reason: ReasonApproved, State: baas.CardTxnCaptured, Amount: 1234, Currency: "EUR",
		MerchantName: "A <&> B", MerchantCity: "Köln", MerchantCountry: "DE", MCC: "5411", EntryMode: "chip",
		CreatedAt: time.Date(2026, 12, 6, 23, 0, 0, 123456000, time.UTC)}
	card := &baas.Card{MaskedPAN: "411111******1111", Product: "virtual"}
	for _, p := range []*cardTxnEvent{cardTxnPayload(tx, card), func() *cardTxnEvent {
		e := cardTxnPayload(tx, card)
		e.CapturedAmount, e.OriginalID = &tx.Amount, "o1"
		e.Original = map[string]any{"transaction_id": "o1", "captured_amount": int64(5)}
		return e
	}()} {
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != string(again) {
			t.Errorf("struct encodes as\n%s\nits map as\n%s", b, again)
		}
	}
}
