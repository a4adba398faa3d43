package core_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/core"
	"github.com/baas-oss/baas/store/storetest"
	"github.com/baas-oss/baas/vault"
	"pgregory.net/rapid"
)

// cardFixture is a service over a fresh store with one sandbox tenant acting in ctx.
type cardFixture struct {
	svc    *core.Service
	store  baas.Store
	where  string // the SQLite file or the PostgreSQL URL
	ctx    context.Context
	tenant string
}

func newCardFixture(t *testing.T, engine string) *cardFixture {
	t.Helper()
	store, where := storetest.OpenURL(t, engine)
	svc, err := core.New(store, core.DefaultConfig(), core.NewMasterKey(), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "cards", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	return &cardFixture{svc: svc, store: store, where: where, ctx: baas.WithTenant(context.Background(), creds.TenantID),
		tenant: creds.TenantID}
}

func (f *cardFixture) account(t *testing.T, handle string) int64 {
	t.Helper()
	info, _, err := f.svc.CreateAccount(f.ctx, core.CreateAccountParams{Email: handle + "@example.com", Handle: handle,
		FirstName: "Ada", LastName: "Lovelace"})
	if err != nil {
		t.Fatal(err)
	}
	return info.Account.Number
}

func (f *cardFixture) card(t *testing.T, account int64, product string) *core.CardInfo {
	t.Helper()
	c, _, err := f.svc.CreateCard(f.ctx, core.CreateCardParams{AccountNumber: account, Product: product,
		Holder: baas.CardHolder{FirstName: "Ada", LastName: "Lovelace", Phone: "+15550100", Address1: "1 Main St",
			City: "London", ZipCode: "N1"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// events returns the types of the events of one card, oldest first.
func (f *cardFixture) events(t *testing.T, cardID string) []string {
	t.Helper()
	evs, err := f.svc.ListEvents(context.Background(), baas.EventFilter{TenantID: f.tenant, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range slices.Backward(evs) {
		if e.ObjectID == cardID {
			out = append(out, e.Type)
			if bytes.Contains(e.Payload, []byte(`"pan"`)) || bytes.Contains(e.Payload, []byte(`"cvv"`)) {
				t.Fatalf("event %s carries card data: %s", e.Type, e.Payload)
			}
		}
	}
	return out
}

// TestCardLifecycle drives cards through every state of the table, each move writing its
// event, and checks that every state refuses what the table does not allow.
func TestCardLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		f := newCardFixture(t, engine)
		op := func(c *core.CardInfo, a baas.CardAction, want baas.CardStatus) {
			t.Helper()
			got, err := f.svc.OperatorCardAction(context.Background(), c.ID, a)
			if err != nil || got.Status != want {
				t.Fatalf("%s on %s: %+v, %v", a, c.Status, got, err)
			}
			*c = *got
		}
		// ordered → accepted → shipped → active ⇄ frozen, → locked ⇄ active, → lost → replaced.
		c := f.card(t, f.account(t, "one"), core.ProductGirasolPhysical)
		if c.Status != baas.CardOrdered || c.FormFactor != baas.CardPhysical || !vault.SandboxVisaRange.Contains(f.pan(t, c.ID)) {
			t.Fatalf("new physical card %+v", c)
		}
		op(c, baas.CardAccept, baas.CardAccepted)
		op(c, baas.CardShip, baas.CardShipped)
		d, err := f.svc.SandboxCardData(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ActivateCard(f.ctx, core.ActivateCardParams{CardID: c.ID, PIN: "1234", CVV: d.CVV,
			LastFour: c.Last4}); err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct {
			a    baas.CardAction
			want baas.CardStatus
		}{
			{baas.CardFreeze, baas.CardFrozen}, {baas.CardUnfreeze, baas.CardActive}, {baas.CardLock, baas.CardLocked},
			{baas.CardUnlock, baas.CardActive}, {baas.CardReportLost, baas.CardLost}, {baas.CardReplace, baas.CardReplaced},
		} {
			op(c, step.a, step.want)
		}
		want := []string{"card.created", "card.accepted", "card.shipped", "card.activated", "card.frozen", "card.unfrozen",
			"card.locked", "card.unlocked", "card.lost", "card.replaced"}
		if got := f.events(t, c.ID); !slices.Equal(got, want) {
			t.Fatalf("events %v, want %v", got, want)
		}

		// Virtual: active at once; stolen, expired and blocked on other cards.
		v := f.card(t, f.account(t, "two"), core.ProductGirasolVirtual)
		if v.Status != baas.CardActive || v.FormFactor != baas.CardVirtual {
			t.Fatalf("new virtual card %+v", v)
		}
		op(v, baas.CardReportStolen, baas.CardStolen)
		op(v, baas.CardBlock, baas.CardBlocked)
		e := f.card(t, f.account(t, "three"), core.ProductGirasolVirtual)
		op(e, baas.CardExpire, baas.CardExpired)
		op(e, baas.CardReplace, baas.CardReplaced)
		if got := f.events(t, v.ID); !slices.Equal(got, []string{"card.created", "card.stolen", "card.blocked"}) {
			t.Fatalf("virtual card events %v", got)
		}

		// Every state refuses the actions the table does not allow, and changes nothing.
		seen := map[baas.CardStatus]*core.CardInfo{}
		for _, x := range []*core.CardInfo{c, v, e} {
			seen[x.Status] = x
		}
		for status, x := range seen {
			for _, a := range baas.CardActions {
				if _, ok := baas.NextCardStatus(status, a); ok || a == baas.CardActivate {
					continue
				}
				before := f.events(t, x.ID)
				_, err := f.svc.OperatorCardAction(context.Background(), x.ID, a)
				if baas.ErrorReason(err) != "INVALID_CARD_STATUS" {
					t.Fatalf("%s on a %s card: %v", a, status, err)
				}
				if got, _ := f.svc.OperatorGetCard(context.Background(), x.ID); got.Status != status ||
					!slices.Equal(f.events(t, x.ID), before) {
					t.Fatalf("%s on a %s card changed it", a, status)
				}
			}
		}
	})
}

// pan reads a card's number as the sandbox shows it.
func (f *cardFixture) pan(t *testing.T, cardID string) string {
	t.Helper()
	d, err := f.svc.SandboxCardData(context.Background(), cardID)
	if err != nil {
		t.Fatal(err)
	}
	return d.PAN
}

// TestCardNumbers: numbers are Luhn-valid, in the tenant's configured range and unique;
// the expiry is the configured years ahead; the CVV three digits.
func TestCardNumbers(t *testing.T) {
	f := newCardFixture(t, "sqlite")
	admin := context.Background()
	// A range of 10 prefixes of 8 digits with 12-digit numbers: 10 × 1,000 numbers.
	cfg, err := f.svc.PutCardProduct(admin, f.tenant, core.ProductGirasolVirtual, "52000000-52000009:12", 2)
	if err != nil || cfg.BINRange != "52000000-52000009:12" || cfg.ExpiryYears != 2 {
		t.Fatalf("PutCardProduct = %+v, %v", cfg, err)
	}
	if got, err := f.svc.GetCardProduct(admin, f.tenant, core.ProductGirasolPhysical); err != nil || !got.Default ||
		got.BINRange != vault.SandboxVisaRange.String() {
		t.Fatalf("physical defaults = %+v, %v", got, err)
	}
	r, _ := vault.ParseBINRange(cfg.BINRange)
	seen := map[string]bool{}
	for i := range 30 {
		c := f.card(t, f.account(t, fmt.Sprintf("n%d", i)), core.ProductGirasolVirtual)
		d, err := f.svc.SandboxCardData(admin, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		now := c.CreatedAt
		if !r.Contains(d.PAN) || !vault.Luhn(d.PAN) || seen[d.PAN] || len(d.CVV) != 3 ||
			d.ExpYear != now.Year()+2 || d.ExpMonth != int(now.Month()) || c.MaskedPAN != vault.MaskMiddle(d.PAN) {
			t.Fatalf("card %+v with data %+v", c, d)
		}
		seen[d.PAN] = true
	}
	for _, bad := range []struct {
		product, bins string
		years         int
	}{
		{core.ProductGirasolVirtual, "0123456", 3}, {core.ProductGirasolVirtual, "411111", 0},
		{core.ProductGirasolVirtual, "411111", 11}, {core.ProductGirasolVirtual, "41-42", 3},
	} {
		if _, err := f.svc.PutCardProduct(admin, f.tenant, bad.product, bad.bins, bad.years); !baas.IsCode(err, baas.EInvalid) {
			t.Errorf("PutCardProduct(%q, %d): %v", bad.bins, bad.years, err)
		}
	}
	if _, err := f.svc.PutCardProduct(admin, f.tenant, "gift-nope", "411111", 3); !baas.IsCode(err, baas.ENotFound) {
		t.Errorf("unknown product: %v", err)
	}
}

// TestCardLiveTenant: a live tenant issues no card before its BIN range is set, and its
// card data is never shown in clear.
func TestCardLiveTenant(t *testing.T) {
	f := newCardFixture(t, "sqlite")
	live, err := f.svc.CreateTenant(context.Background(), core.CreateTenantParams{Name: "live"})
	if err != nil {
		t.Fatal(err)
	}
	f.ctx, f.tenant = baas.WithTenant(context.Background(), live.TenantID), live.TenantID
	n := f.account(t, "live")
	_, _, err = f.svc.CreateCard(f.ctx, core.CreateCardParams{AccountNumber: n, Product: core.ProductGirasolVirtual,
		NameForPrint: "ADA"})
	if baas.ErrorReason(err) != "CARD_PRODUCT_NOT_CONFIGURED" {
		t.Fatalf("live tenant without a range: %v", err)
	}
	if _, err := f.svc.PutCardProduct(context.Background(), live.TenantID, core.ProductGirasolVirtual, "45000000-45000099:16", 3); err != nil {
		t.Fatal(err)
	}
	c := f.card(t, n, core.ProductGirasolVirtual)
	if !strings.HasPrefix(c.MaskedPAN, "450000") {
		t.Fatalf("live card %+v", c)
	}
	if _, err := f.svc.SandboxCardData(context.Background(), c.ID); !baas.IsCode(err, baas.EForbidden) {
		t.Fatalf("live card data: %v", err)
	}
	if _, err := f.svc.SetCardAutoShip(context.Background(), live.TenantID, true); !baas.IsCode(err, baas.EForbidden) {
		t.Fatalf("auto-ship for a live tenant: %v", err)
	}
}

// TestCardAutoShip: with auto-ship a sandbox tenant's physical card is shipped at once.
func TestCardAutoShip(t *testing.T) {
	f := newCardFixture(t, "sqlite")
	if _, err := f.svc.SetCardAutoShip(context.Background(), f.tenant, true); err != nil {
		t.Fatal(err)
	}
	c := f.card(t, f.account(t, "ship"), core.ProductGirasolPhysical)
	if c.Status != baas.CardShipped {
		t.Fatalf("auto-shipped card %+v", c)
	}
	if got := f.events(t, c.ID); !slices.Equal(got, []string{"card.created", "card.accepted", "card.shipped"}) {
		t.Fatalf("events %v", got)
	}
}

// TestCardDataKey: a malformed key is refused and changes nothing; a good one is kept.
func TestCardDataKey(t *testing.T) {
	f := newCardFixture(t, "sqlite")
	admin := context.Background()
	if _, err := f.svc.GetCardDataKey(admin, f.tenant); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("no key yet: %v", err)
	}
	for _, bad := range []struct{ kid, key string }{
		{"k1", "not a key"}, {"k1", `{"kty":"EC","crv":"P-384"}`}, {"", "-----BEGIN PUBLIC KEY-----"},
		{"k\n1", "x"},
	} {
		if _, err := f.svc.PutCardDataKey(admin, f.tenant, bad.kid, bad.key); !baas.IsCode(err, baas.EInvalid) {
			t.Errorf("PutCardDataKey(%q, %q): %v", bad.kid, bad.key, err)
		}
	}
	if _, err := f.svc.GetCardDataKey(admin, f.tenant); !baas.IsCode(err, baas.ENotFound) {
		t.Fatalf("after malformed keys: %v", err)
	}
}

// TestCardSecretsNotStored writes cards, activates one and changes its PIN, then reads
// the whole database — the SQLite file and its WAL as bytes, the PostgreSQL schema as
// pg_dump prints it (or every text and bytea column as text) — and finds no card number
// and no CVV.
func TestCardSecretsNotStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		f := newCardFixture(t, engine)
		var secrets []*core.CardData
		for i := range 4 {
			product := core.ProductGirasolVirtual
			if i%2 == 0 {
				product = core.ProductGirasolPhysical
			}
			c := f.card(t, f.account(t, fmt.Sprintf("s%d", i)), product)
			d, err := f.svc.SandboxCardData(context.Background(), c.ID)
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, d)
			if i == 0 {
				for _, a := range []baas.CardAction{baas.CardAccept, baas.CardShip} {
					if _, err := f.svc.OperatorCardAction(context.Background(), c.ID, a); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := f.svc.ActivateCard(f.ctx, core.ActivateCardParams{CardID: c.ID, PIN: "2580", CVV: d.CVV,
					LastFour: c.Last4}); err != nil {
					t.Fatal(err)
				}
				if _, err := f.svc.ChangeCardPIN(f.ctx, c.ID, "2580", "1470"); err != nil {
					t.Fatal(err)
				}
			}
		}
		dump, blobs := databaseBytes(t, f, engine)
		for _, s := range secrets {
			if bytes.Contains(dump, []byte(s.PAN)) {
				t.Errorf("the %s database holds card number %s", engine, s.PAN)
			}
			if at := cvvAt(dump, s.CVV, blobs); at >= 0 {
				t.Errorf("the %s database holds CVV %s at %d: %q", engine, s.CVV, at, dump[max(at-40, 0):min(at+40, len(dump))])
			}
		}
	})
}

// databaseBytes returns what the store holds, as bytes, and every binary value of the
// card tables (hashes, sealed data), inside which three digits may occur by chance.
func databaseBytes(t *testing.T, f *cardFixture, engine string) (dump []byte, blobs [][]byte) {
	t.Helper()
	err := f.store.View(context.Background(), func(tx baas.Tx) error {
		cards, err := tx.ListCards(context.Background(), baas.CardFilter{TenantID: f.tenant})
		for _, c := range cards {
			blobs = append(blobs, c.PANHash, c.Sealed, c.PINHash)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if engine == "sqlite" {
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(f.where + suffix)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			dump = append(dump, b...)
		}
		return dump, blobs
	}
	u, err := url.Parse(f.where)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	schema := q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	if pgDump, err := exec.LookPath("pg_dump"); err == nil {
		out, err := exec.Command(pgDump, "--data-only", "-n", schema, u.String()).Output()
		if err == nil && bytes.Contains(out, []byte("COPY "+schema+".cards")) {
			return out, blobs
		}
		t.Logf("pg_dump failed (%v): reading the columns instead", err)
	}
	db, err := sql.Open("pgx", f.where)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT table_name, column_name FROM information_schema.columns
		WHERE table_schema = $1 AND data_type IN ('text', 'bytea', 'character varying', 'jsonb', 'json')`, schema)
	if err != nil {
		t.Fatal(err)
	}
	var cols [][2]string
	for rows.Next() {
		var c [2]string
		if err := rows.Scan(&c[0], &c[1]); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	for _, c := range cols {
		vals, err := db.Query(fmt.Sprintf(`SELECT %q::text FROM %q`, c[1], c[0]))
		if err != nil {
			t.Fatal(err)
		}
		for vals.Next() {
			var v sql.NullString
			if err := vals.Scan(&v); err != nil {
				t.Fatal(err)
			}
			dump = append(append(dump, v.String...), '\n')
		}
		vals.Close()
	}
	return dump, blobs
}

var alnum = regexp.MustCompile(`[0-9A-Za-z]`)

// cvvAt returns where cvv occurs in dump as a token of its own (not inside a longer run
// of letters and digits, such as a hex string or a number) outside the binary values
// blobs, or -1.
func cvvAt(dump []byte, cvv string, blobs [][]byte) int {
	for i := 0; ; {
		j := bytes.Index(dump[i:], []byte(cvv))
		if j < 0 {
			return -1
		}
		at := i + j
		i = at + 1
		if at > 0 && alnum.Match(dump[at-1:at]) || at+3 < len(dump) && alnum.Match(dump[at+3:at+4]) {
			continue
		}
		window := dump[max(at-1, 0):min(at+4, len(dump))]
		if slices.ContainsFunc(blobs, func(b []byte) bool { return bytes.Contains(b, window) }) {
			continue
		}
		return at
	}
}

// TestCardOneLivePerAccount: concurrent orders for one account give it one card.
func TestCardOneLivePerAccount(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		f := newCardFixture(t, engine)
		n := f.account(t, "race")
		exactlyOne(t, 8, "CARD_ALREADY_ACTIVE", func() error {
			_, _, err := f.svc.CreateCard(f.ctx, core.CreateCardParams{AccountNumber: n,
				Product: core.ProductGirasolVirtual, NameForPrint: "ADA"})
			return err
		})
		cards, err := f.svc.AccountCards(f.ctx, n)
		if err != nil || len(cards) != 1 {
			t.Fatalf("%d cards (%v)", len(cards), err)
		}
	})
}

// TestCardStateMachineStores drives a stored card through random action sequences on
// each store: every action is accepted exactly when the table allows it from the card's
// stored state, the stored state is the table's next state (or unchanged on a refusal),
// and each accepted action wrote its event.
func TestCardStateMachineStores(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		f := newCardFixture(t, engine)
		seq := 0
		rapid.Check(t, func(rt *rapid.T) {
			seq++
			product := rapid.SampledFrom([]string{core.ProductGirasolPhysical, core.ProductGirasolVirtual}).Draw(rt, "product")
			c := f.card(t, f.account(t, fmt.Sprintf("p%d", seq)), product)
			d, err := f.svc.SandboxCardData(context.Background(), c.ID)
			if err != nil {
				rt.Fatal(err)
			}
			want := []string{"card.created"}
			for _, a := range rapid.SliceOfN(rapid.SampledFrom(baas.CardActions), 0, 12).Draw(rt, "actions") {
				tr, allowed := baas.NextCardStatus(c.Status, a)
				var got *core.CardInfo
				if a == baas.CardActivate {
					got, err = f.svc.ActivateCard(f.ctx, core.ActivateCardParams{CardID: c.ID, PIN: "1234", CVV: d.CVV, LastFour: c.Last4})
				} else {
					got, err = f.svc.OperatorCardAction(context.Background(), c.ID, a)
				}
				if allowed != (err == nil) {
					rt.Fatalf("%s on a %s card: allowed %v, got %v", a, c.Status, allowed, err)
				}
				if err != nil {
					if baas.ErrorReason(err) != "INVALID_CARD_STATUS" {
						rt.Fatalf("%s on a %s card: %v", a, c.Status, err)
					}
					continue
				}
				if got.Status != tr.To || !got.Status.Valid() {
					rt.Fatalf("%s on a %s card gave %s, want %s", a, c.Status, got.Status, tr.To)
				}
				want = append(want, tr.Event)
				c = got
			}
			if stored, err := f.svc.OperatorGetCard(context.Background(), c.ID); err != nil || stored.Status != c.Status {
				rt.Fatalf("stored %+v, %v; want %s", stored, err, c.Status)
			}
			if got := f.events(t, c.ID); !slices.Equal(got, want) {
				rt.Fatalf("events %v, want %v", got, want)
			}
		})
	})
}

// TestCardDataSurvivesRotation: card data sealed and hashed under one data key still
// opens, matches and stays unique after the master key is rotated to a new data key.
func TestCardDataSurvivesRotation(t *testing.T) {
	ctx := context.Background()
	store := storetest.Open(t, "sqlite")
	first, err := core.NewLocalKey(core.NewMasterKey(), "first")
	if err != nil {
		t.Fatal(err)
	}
	service := func(master core.KeyEncrypter) *core.Service {
		t.Helper()
		kr, err := core.OpenKeyring(ctx, store, master, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		svc, err := core.NewWithKeys(store, core.DefaultConfig(), kr, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		return svc
	}
	f := &cardFixture{svc: service(first), store: store}
	creds, err := f.svc.CreateTenant(ctx, core.CreateTenantParams{Name: "rotate", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	f.ctx, f.tenant = baas.WithTenant(ctx, creds.TenantID), creds.TenantID
	c := f.card(t, f.account(t, "before"), core.ProductGirasolPhysical)
	for _, a := range []baas.CardAction{baas.CardAccept, baas.CardShip} {
		if _, err := f.svc.OperatorCardAction(ctx, c.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	before, err := f.svc.SandboxCardData(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}

	second, err := core.NewLocalKey(core.NewMasterKey(), "second")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.RotateMasterKey(ctx, store, first, second, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	f.svc = service(second)
	after, err := f.svc.SandboxCardData(ctx, c.ID)
	if err != nil || *after != *before {
		t.Fatalf("card data after rotation: %+v, %v; want %+v", after, err, before)
	}
	if _, err := f.svc.ActivateCard(f.ctx, core.ActivateCardParams{CardID: c.ID, PIN: "1234", CVV: before.CVV,
		LastFour: c.Last4}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ChangeCardPIN(f.ctx, c.ID, "1234", "4321"); err != nil {
		t.Fatal(err)
	}
	// The number stays sealed under data key 1, which still opens it; the new PIN is
	// hashed under data key 2.
	err = store.View(ctx, func(tx baas.Tx) error {
		cards, err := tx.ListCards(ctx, baas.CardFilter{TenantID: f.tenant})
		if err != nil || len(cards) != 1 {
			return fmt.Errorf("cards %v: %v", cards, err)
		}
		if cards[0].Sealed[0] != 0x01 || cards[0].Sealed[4] != 1 || cards[0].PINHash[4] != 2 {
			return fmt.Errorf("sealed under data key %d, PIN under %d: want 1 and 2", cards[0].Sealed[4], cards[0].PINHash[4])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
