package core

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/storetest"
)

func localKey(t *testing.T, key []byte) *LocalKey {
	t.Helper()
	k, err := NewLocalKey(key, "test key")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func serviceWithKeys(t *testing.T, st baas.Store, master *LocalKey) *Service {
	t.Helper()
	kr, err := OpenKeyring(context.Background(), st, master, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewWithKeys(st, DefaultConfig(), kr, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// madeWith is what a tenant got at creation, to check later that it still works.
type madeWith struct {
	creds    *TenantCredentials
	token    string // a Codego auth token
	endpoint *WebhookEndpointSecrets
}

func makeTenant(t *testing.T, s *Service) madeWith {
	t.Helper()
	ctx := context.Background()
	creds, err := s.CreateTenant(ctx, CreateTenantParams{Name: "keys", Sandbox: true})
	if err != nil {
		t.Fatal(err)
	}
	_, sess, err := s.OpenSession(ctx, OpenSessionParams{ClientKey: creds.Codego.ClientKey, SecretKey: creds.Codego.SecretKey,
		APIKey: creds.Codego.APIKey, APIKeyID: creds.Codego.WhitelabelID})
	if err != nil {
		t.Fatal(err)
	}
	ep, err := s.CreateWebhookEndpoint(ctx, CreateWebhookEndpointParams{TenantID: creds.TenantID, URL: "https://example.com/hook"})
	if err != nil {
		t.Fatal(err)
	}
	return madeWith{creds: creds, token: sess.Token, endpoint: ep}
}

// stillWorks checks every credential and sealed secret of m on s.
func stillWorks(t *testing.T, s *Service, m madeWith) {
	t.Helper()
	ctx := context.Background()
	c := m.creds
	if id, err := s.AuthenticateGirasol(ctx, c.Girasol.APIKey, c.Girasol.SecretKey, c.Girasol.CompanyID); err != nil || id != c.TenantID {
		t.Errorf("girasol credentials: %q, %v", id, err)
	}
	if _, _, err := s.OpenSession(ctx, OpenSessionParams{ClientKey: c.Codego.ClientKey, SecretKey: c.Codego.SecretKey,
		APIKey: c.Codego.APIKey, APIKeyID: c.Codego.WhitelabelID}); err != nil {
		t.Errorf("codego credentials: %v", err)
	}
	if err := s.CheckSession(ctx, c.TenantID, m.token); err != nil {
		t.Errorf("codego token: %v", err)
	}
	if _, err := s.AuthenticateGirasol(ctx, c.Girasol.APIKey, c.Girasol.SecretKey+"x", c.Girasol.CompanyID); err == nil {
		t.Errorf("a wrong secret authenticates")
	}
	if err := s.CheckSession(ctx, c.TenantID, m.token+"0"); err == nil {
		t.Errorf("a wrong token is accepted")
	}
	eps, err := s.store.Read().ListWebhookEndpoints(ctx, c.TenantID)
	if err != nil || len(eps) != 1 {
		t.Fatalf("endpoints: %v, %v", eps, err)
	}
	e := eps[0]
	erk, err1 := s.keys.unseal(purposeWebhookSeal, e.EventRequestKeySealed, "webhook-erk:"+e.ID)
	secret, err2 := s.keys.unseal(purposeWebhookSeal, e.SigningSecretSealed, "webhook-secret:"+e.ID)
	if err1 != nil || err2 != nil || string(erk) != m.endpoint.EventRequestKey || string(secret) != m.endpoint.SigningSecret {
		t.Errorf("webhook secrets do not open: %v, %v", err1, err2)
	}
}

func dataKeyIDs(t *testing.T, st baas.Store) (ids []uint32, current uint32) {
	t.Helper()
	infos, err := ListDataKeys(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range infos {
		ids = append(ids, k.ID)
		if k.Current {
			current = k.ID
		}
	}
	return ids, current
}

// TestDataKeys: a database made before data keys keeps every credential and sealed
// secret through the upgrade (its master key becomes data key 0) and through a master key
// rotation; new values use the current data key; the old master key, or any other, no
// longer opens the database.
func TestDataKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		st := storetest.Open(t, engine)
		raw := NewMasterKey()
		legacy, err := New(st, DefaultConfig(), raw, nil, nil) // as before data keys
		if err != nil {
			t.Fatal(err)
		}
		before := makeTenant(t, legacy)
		if ids, _ := dataKeyIDs(t, st); len(ids) != 0 {
			t.Fatalf("data keys before the upgrade: %v", ids)
		}

		first := localKey(t, raw)
		s1 := serviceWithKeys(t, st, first)
		if ids, cur := dataKeyIDs(t, st); len(ids) != 2 || ids[0] != 0 || cur != 1 {
			t.Fatalf("after the upgrade: ids %v current %d, want [0 1] current 1", ids, cur)
		}
		stillWorks(t, s1, before)
		upgraded := makeTenant(t, s1)
		stillWorks(t, s1, upgraded)
		if _, err := legacy.AuthenticateGirasol(ctx, upgraded.creds.Girasol.APIKey, upgraded.creds.Girasol.SecretKey, ""); err == nil {
			t.Errorf("a secret made with data key 1 checks under the bare master key")
		}

		// Reopening with the same key changes nothing; another key is refused.
		s1 = serviceWithKeys(t, st, first)
		stillWorks(t, s1, upgraded)
		if _, err := OpenKeyring(ctx, st, localKey(t, NewMasterKey()), time.Now()); !errors.Is(err, ErrKeyMismatch) {
			t.Fatalf("another master key: %v, want ErrKeyMismatch", err)
		}

		second := localKey(t, NewMasterKey())
		if cur, err := RotateMasterKey(ctx, st, first, second, true, time.Now()); err != nil || cur != 2 {
			t.Fatalf("rotate: %d, %v", cur, err)
		}
		if _, err := OpenKeyring(ctx, st, first, time.Now()); !errors.Is(err, ErrKeyMismatch) {
			t.Fatalf("the old master key after rotation: %v, want ErrKeyMismatch", err)
		}
		if _, err := RotateMasterKey(ctx, st, first, second, true, time.Now()); !errors.Is(err, ErrKeyMismatch) {
			t.Fatalf("rotating again from the old key: %v, want ErrKeyMismatch", err)
		}
		s2 := serviceWithKeys(t, st, second)
		if ids, cur := dataKeyIDs(t, st); len(ids) != 3 || cur != 2 {
			t.Fatalf("after rotation: ids %v current %d", ids, cur)
		}
		stillWorks(t, s2, before)
		stillWorks(t, s2, upgraded)
		rotated := makeTenant(t, s2)
		stillWorks(t, s2, rotated)
		if got := s2.hashSecret("x"); got[0] != keyTag || got[4] != 2 {
			t.Errorf("new hashes are not tagged with data key 2: % x", got[:5])
		}
	})
}

// TestNewDatabaseHasNoLegacyKey: a database with nothing in it gets one random data key,
// not the master key.
func TestNewDatabaseHasNoLegacyKey(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		st := storetest.Open(t, engine)
		raw := NewMasterKey()
		s := serviceWithKeys(t, st, localKey(t, raw))
		if ids, cur := dataKeyIDs(t, st); len(ids) != 1 || ids[0] != 1 || cur != 1 {
			t.Fatalf("ids %v current %d, want [1] current 1", ids, cur)
		}
		if SameKey(s.keys.keys[1], raw) {
			t.Fatal("the data key is the master key")
		}
		stillWorks(t, s, makeTenant(t, s))
	})
}

// TestConcurrentFirstStart: processes starting at once on one new database, each with its
// own store (its own connections), end up with the same data keys and one operator token,
// the first stored, shown by the one process that stored it. The database is migrated
// first: concurrent migrations are goose's matter, not the settings'.
func TestConcurrentFirstStart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		_, u := storetest.OpenURL(t, engine)
		master := localKey(t, NewMasterKey())
		type process struct {
			store   baas.Store
			svc     *Service
			token   string
			created bool
			err     error
		}
		procs := make([]process, 4)
		storetest.AtOnce(len(procs), func(i int) {
			ctx, p := context.Background(), &procs[i]
			if p.store, p.err = storetest.Dial(ctx, engine, u); p.err != nil {
				return
			}
			kr, err := OpenKeyring(ctx, p.store, master, time.Now())
			if err != nil {
				p.err = err
				return
			}
			if p.svc, p.err = NewWithKeys(p.store, DefaultConfig(), kr, nil, nil); p.err != nil {
				return
			}
			p.token, p.created, p.err = p.svc.EnsureAdminToken(ctx, "")
		})
		for _, p := range procs {
			if p.store != nil {
				t.Cleanup(func() { p.store.Close() })
			}
		}
		var token string
		for i, p := range procs {
			if p.err != nil {
				t.Fatalf("process %d: %v", i, p.err)
			}
			if p.created {
				if token != "" {
					t.Fatalf("two processes created an operator token")
				}
				token = p.token
			}
		}
		if token == "" {
			t.Fatal("no process created the operator token")
		}
		ctx := context.Background()
		first := procs[0].svc
		for i, p := range procs {
			auth, err := p.svc.AdminAuthenticator(ctx, "")
			if err != nil || !auth(token) {
				t.Errorf("process %d does not accept the operator token: %v", i, err)
			}
			// Same data keys: what one process hashes, every other finds.
			if kr := p.svc.keys; kr.current != first.keys.current || string(kr.keys[kr.current]) != string(first.keys.keys[kr.current]) {
				t.Errorf("process %d has data key %d unlike process 0's %d", i, kr.current, first.keys.current)
			}
		}
		again := serviceWithKeys(t, procs[len(procs)-1].store, master)
		if string(again.keys.keys[again.keys.current]) != string(first.keys.keys[first.keys.current]) {
			t.Error("the stored data keys are not those the processes started with")
		}
	})
}

// TestConcurrentRotations: `baas keys rotate` run several times at once, each in a
// process of its own (its own store on one database), reads and rewrites the stored data
// keys one run after another. Rotations that keep the master key and add a data key all
// succeed, each with a new data key of its own that stays stored; rotations from one
// master key to several new ones leave exactly one winner, whose key opens the database,
// and the others fail without writing. Data made before, and with the added data keys,
// stays readable.
func TestConcurrentRotations(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine string) {
		ctx := context.Background()
		st, u := storetest.OpenURL(t, engine)
		master := localKey(t, NewMasterKey())
		made := []madeWith{makeTenant(t, serviceWithKeys(t, st, master))}
		const n = 5
		stores := make([]baas.Store, n)
		for i := range stores {
			stores[i] = storetest.OpenAt(t, engine, u)
		}
		// rotateAll runs next(i) for every process at once and returns each one's
		// current data key id and error.
		rotateAll := func(next func(i int) *LocalKey) ([]uint32, []error) {
			ids, errs := make([]uint32, n), make([]error, n)
			storetest.AtOnce(n, func(i int) {
				ids[i], errs[i] = RotateMasterKey(ctx, stores[i], master, next(i), true, time.Now())
			})
			return ids, errs
		}

		// The same master key, a new data key each.
		ids, errs := rotateAll(func(int) *LocalKey { return master })
		seen := map[uint32]bool{}
		for i, err := range errs {
			if err != nil {
				t.Fatalf("rotation %d: %v", i, err)
			}
			if seen[ids[i]] {
				t.Fatalf("two rotations made data key %d: %v", ids[i], ids)
			}
			seen[ids[i]] = true
		}
		stored, cur := dataKeyIDs(t, st)
		if len(stored) != 1+n || cur != 1+n {
			t.Fatalf("after %d rotations: data keys %v current %d, want 1..%d", n, stored, cur, 1+n)
		}
		for id := range seen {
			if !slices.Contains(stored, id) {
				t.Errorf("data key %d, made by a rotation, is not stored: %v", id, stored)
			}
		}
		s := serviceWithKeys(t, st, master)
		made = append(made, makeTenant(t, s)) // with the last data key
		for _, m := range made {
			stillWorks(t, s, m)
		}

		// Several new master keys at once: one rotation wins, the others find the data
		// keys sealed under a key they do not have.
		nexts := make([]*LocalKey, n)
		for i := range nexts {
			nexts[i] = localKey(t, NewMasterKey())
		}
		ids, errs = rotateAll(func(i int) *LocalKey { return nexts[i] })
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner >= 0:
				t.Fatalf("rotations %d and %d both succeeded: only one master key opens the database", winner, i)
			case err == nil:
				winner = i
			case !errors.Is(err, ErrKeyMismatch):
				t.Fatalf("rotation %d: %v, want ErrKeyMismatch", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no rotation succeeded")
		}
		if stored, cur := dataKeyIDs(t, st); len(stored) != 2+n || cur != ids[winner] || cur != 2+n {
			t.Fatalf("after the winning rotation: data keys %v current %d, want 1..%d current %d", stored, cur, 2+n, ids[winner])
		}
		for i, k := range append([]*LocalKey{master}, nexts...) {
			if _, err := OpenKeyring(ctx, st, k, time.Now()); (err == nil) != (i == winner+1) {
				t.Errorf("master key %d opens the database: %v", i, err)
			}
		}
		s = serviceWithKeys(t, st, nexts[winner])
		for _, m := range append(made, makeTenant(t, s)) {
			stillWorks(t, s, m)
		}
	})
}
