package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pressly/goose/v3"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/postgres"
	"github.com/baas-oss/baas/store/sqldb"
	"github.com/baas-oss/baas/store/sqlite"
	"github.com/baas-oss/baas/store/storetest"
)

// migrationDialects are the parts of each engine's Dialect that Migrate reads.
var migrationDialects = map[string]*sqldb.Dialect{
	"sqlite":   {Name: "sqlite", Goose: goose.DialectSQLite3},
	"postgres": {Name: "postgres", Goose: goose.DialectPostgres},
}

// rawDB is a plain connection to an empty database of the engine, with where to find it
// again (a file path for SQLite, a URL with its own schema for PostgreSQL).
func rawDB(t *testing.T, engine string) (*sql.DB, string) {
	t.Helper()
	var where string
	if engine == "sqlite" {
		where = filepath.Join(t.TempDir(), "baas.db")
	} else {
		where = storetest.PostgresURL(t) // skips without a server
	}
	return reopen(t, engine, where), where
}

func reopen(t *testing.T, engine, where string) *sql.DB {
	t.Helper()
	driver, dsn := "pgx", where
	if engine == "sqlite" {
		driver, dsn = "sqlite", "file:"+where+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)"
	}
	db, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

func rendered(t *testing.T, engine string) fstest.MapFS {
	t.Helper()
	fsys, err := sqldb.RenderMigrations(sqldb.MigrationSource, "migrations", engine)
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

func provider(t *testing.T, engine string, db *sql.DB, fsys fs.FS) *goose.Provider {
	t.Helper()
	p, err := goose.NewProvider(migrationDialects[engine].Goose, db, fsys)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// legacy is the migrations folder of the engine as it was before the migrations had one
// source, frozen: databases in the field were created by these files.
func legacy(engine string) fs.FS { return os.DirFS(filepath.Join("testdata", "legacy", engine)) }

// TestMigrationsRenderAsBefore: rendered for each engine, every migration is the file
// that engine had before (up to whitespace), so a fresh database gets the same schema as
// one created by those files, and no statement of an applied version changed.
func TestMigrationsRenderAsBefore(t *testing.T) {
	t.Parallel()
	space := regexp.MustCompile(`\s+`)
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			got := rendered(t, engine)
			want, err := fs.Glob(legacy(engine), "*.sql")
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for name := range got {
				names = append(names, name)
			}
			sort.Strings(names)
			if len(names) < len(want) || !slices.Equal(names[:len(want)], want) {
				t.Fatalf("rendered migrations %v do not begin with the legacy ones %v", names, want)
			}
			for _, name := range want {
				old, err := fs.ReadFile(legacy(engine), name)
				if err != nil {
					t.Fatal(err)
				}
				a := strings.TrimSpace(space.ReplaceAllString(string(got[name].Data), " "))
				b := strings.TrimSpace(space.ReplaceAllString(string(old), " "))
				if a != b {
					t.Errorf("%s renders differently from the legacy file:\n--- rendered\n%s\n--- legacy\n%s", name, got[name].Data, old)
				}
			}
		})
	}
}

// TestMigrationTemplateErrors: a template that names a field the renderer does not have,
// or that does not parse, or an engine without fields, fails the rendering by name.
func TestMigrationTemplateErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, engine, text, want string }{
		{"unknown field", "sqlite", "-- +goose Up\nCREATE TABLE t (id {{.BigInteger}});\n", "BigInteger"},
		{"unknown field", "postgres", "-- +goose Up\n{{if .MySQL}}SELECT 1;{{end}}\n", "MySQL"},
		{"parse error", "sqlite", "-- +goose Up\n{{if .SQLite}}SELECT 1;\n", "00009_bad.sql"},
		{"unknown engine", "mysql", "-- +goose Up\nSELECT 1;\n", "mysql"},
	} {
		t.Run(c.name+"/"+c.engine, func(t *testing.T) {
			src := fstest.MapFS{"m/00009_bad.sql": {Data: []byte(c.text)}}
			_, err := sqldb.RenderMigrations(src, "m", c.engine)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one naming %q", err, c.want)
			}
		})
	}
}

// TestMigrationsUpgradeLegacy: a database created and filled by the legacy migrations
// (today's last version, 4) is at the head of the rendered migrations: goose applies
// nothing, the data stays, the schema equals a fresh one, the store works on it, and a
// later migration applies on top.
func TestMigrationsUpgradeLegacy(t *testing.T) {
	t.Parallel()
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			db, where := rawDB(t, engine)
			if _, err := provider(t, engine, db, legacy(engine)).Up(ctx); err != nil {
				t.Fatalf("legacy migrations: %v", err)
			}
			ids := fillLegacy(t, engine, db)
			before := snapshot(t, db)

			// Goose sees versions 1-4 of the rendered migrations as applied: nothing
			// shipped runs again, only what comes after them.
			statuses, err := provider(t, engine, db, rendered(t, engine)).Status(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range statuses {
				if want := st.Source.Version <= 4; (st.State == goose.StateApplied) != want {
					t.Fatalf("rendered migration %d is %s over the legacy database", st.Source.Version, st.State)
				}
			}
			if len(statuses) < 4 {
				t.Fatalf("%d rendered migrations, want at least the legacy 4", len(statuses))
			}
			if err := sqldb.Migrate(ctx, db, migrationDialects[engine]); err != nil {
				t.Fatalf("Migrate over the legacy database: %v", err)
			}
			if after := snapshot(t, db); !reflect.DeepEqual(before, after) {
				t.Fatalf("data changed by Migrate:\nbefore %v\nafter  %v", before, after)
			}
			fresh, _ := rawDB(t, engine)
			if err := sqldb.Migrate(ctx, fresh, migrationDialects[engine]); err != nil {
				t.Fatal(err)
			}
			if a, b := describe(t, engine, db), describe(t, engine, fresh); !reflect.DeepEqual(a, b) {
				t.Fatalf("the upgraded schema differs from a fresh one (first upgraded):\n%s", diffSchemas(a, b))
			}
			db = checkStore(t, engine, where, db, ids)
			before["accounts"] = snapshot(t, db)["accounts"] // checkStore added one

			// A later migration, written in the template, applies over the legacy database.
			src := fstest.MapFS{"m/99999_probe.sql": {Data: []byte(
				"-- +goose Up\nCREATE TABLE upgrade_probe (id {{.RowID}}, ok {{.Bool}} NOT NULL DEFAULT {{.True}}, note {{.Bytes}});\n" +
					"-- +goose Down\nDROP TABLE upgrade_probe;\n")}}
			if err := fs.WalkDir(sqldb.MigrationSource, "migrations", func(name string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := fs.ReadFile(sqldb.MigrationSource, name)
				src["m/"+filepath.Base(name)] = &fstest.MapFile{Data: b}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			later, err := sqldb.RenderMigrations(src, "m", engine)
			if err != nil {
				t.Fatal(err)
			}
			res, err := provider(t, engine, db, later).Up(ctx)
			if err != nil {
				t.Fatalf("later migration: %v", err)
			}
			if len(res) == 0 || res[len(res)-1].Source.Version != 99999 {
				t.Fatalf("later migration not applied: %v", res)
			}
			if _, err := db.ExecContext(ctx, `INSERT INTO upgrade_probe (note) VALUES (NULL)`); err != nil {
				t.Fatal(err)
			}
			after := snapshot(t, db)
			if !reflect.DeepEqual(before, after) {
				t.Fatalf("data changed by a later migration:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

// legacyAt is the time of every row fillLegacy writes, in microseconds.
const legacyAt = int64(1_780_000_000_000_000)

// legacyIDs are the ids fillLegacy's rows got from the database.
type legacyIDs struct{ master, customer, transfer int64 }

// fillLegacy writes what a database in use holds: a tenant with a credential, a customer
// with a Codego profile, a system and a customer account, a transfer with its postings
// and event, a KYC document with an image.
func fillLegacy(t *testing.T, engine string, db *sql.DB) legacyIDs {
	t.Helper()
	ctx := context.Background()
	q := func(s string) string {
		if engine != "postgres" {
			return s
		}
		var b strings.Builder
		n := 0
		for _, r := range s {
			if r == '?' {
				n++
				fmt.Fprintf(&b, "$%d", n)
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	exec := func(s string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q(s), args...); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	id := func(s string, args ...any) int64 {
		t.Helper()
		var v int64
		if err := db.QueryRowContext(ctx, q(s+` RETURNING id`), args...).Scan(&v); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		return v
	}
	const at = legacyAt
	exec(`INSERT INTO tenants (id, name, company_id, whitelabel_id, sandbox, created_at,
		authorization_url, authorization_timeout_ms, authorization_secret_sealed)
		VALUES ('ten_1', 'Acme', 'c0ffee00-0000-4000-8000-000000000001', 'wl_1', ?, ?, 'https://auth.example/', 1500, ?)`,
		true, at, []byte{1, 2, 3})
	exec(`INSERT INTO credentials (id, tenant_id, kind, key_id, secret_hash, created_at)
		VALUES ('cred_1', 'ten_1', 'girasol', 'key-1', ?, ?)`, []byte{0, 0xff, 0x10}, at)
	exec(`INSERT INTO customers (id, tenant_id, email, handle, first_name, last_name, phone,
		address_line1, address_line2, city, zip_code, created_at,
		codego_user_id, dob, country, same_shipping, political_person, password_hash)
		VALUES ('cus_1', 'ten_1', 'ada@example.com', '', 'Ada', 'Lovelace', '+4915112345678',
		'1 Main St', '', 'Berlin', '10115', ?, 'u_1', '1815-12-10', 276, ?, ?, 'hash')`, at, true, false)
	ids := legacyIDs{
		master: id(`INSERT INTO accounts (tenant_id, kind, currency, balance, allow_negative, status, created_at)
			VALUES ('ten_1', 'master', 'USD', -2500, ?, 'active', ?)`, true, at),
		customer: id(`INSERT INTO accounts (tenant_id, customer_id, kind, number, currency, balance, held, status, created_at)
			VALUES ('ten_1', 'cus_1', 'checking', 4000123, 'USD', 2500, 500, 'active', ?)`, at),
	}
	exec(`INSERT INTO holds (tenant_id, account_id, currency, amount, status, reference, created_at, updated_at)
		VALUES ('ten_1', ?, 'USD', 500, 'active', 'ref-1', ?, ?)`, ids.customer, at, at)
	ids.transfer = id(`INSERT INTO transfers (tenant_id, kind, description, merchant, metadata, created_at)
		VALUES ('ten_1', 'deposit', 'first deposit', '', '{"a":1}', ?)`, at)
	exec(`INSERT INTO postings (transfer_id, account_id, currency, amount, balance_after) VALUES (?, ?, 'USD', -2500, -2500)`,
		ids.transfer, ids.master)
	exec(`INSERT INTO postings (transfer_id, account_id, currency, amount, balance_after) VALUES (?, ?, 'USD', 2500, 2500)`,
		ids.transfer, ids.customer)
	exec(`INSERT INTO events (tenant_id, type, object_id, payload, created_at) VALUES ('ten_1', 'transfer.created', 'tr_1', '{}', ?)`, at)
	doc := id(`INSERT INTO kyc_documents (tenant_id, customer_id, doc_type, doc_number, status, reason, reviewer, created_at, auto_verify_at)
		VALUES ('ten_1', 'cus_1', 1, 'P1234567', 'Pending', '', '', ?, ?)`, at, at+60_000_000)
	exec(`INSERT INTO kyc_images (document_id, side, content_type, width, height, size, sha256, data)
		VALUES (?, 'front', 'image/png', 640, 480, 4, 'abcd', ?)`, doc, []byte{0x89, 'P', 'N', 'G'})
	exec(`INSERT INTO kyc_settings (tenant_id, auto_verify_after) VALUES ('ten_1', 60000000)`)
	return ids
}

// snapshot is every row of the tables fillLegacy writes, as text.
func snapshot(t *testing.T, db *sql.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range []string{"tenants", "credentials", "customers", "accounts", "holds", "transfers",
		"postings", "events", "kyc_documents", "kyc_images", "kyc_settings"} {
		rows, err := db.Query(`SELECT * FROM ` + table + ` ORDER BY 1, 2`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for i, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = fmt.Sprintf("%x", bs)
				}
				fmt.Fprintf(&b, "%s=%v ", cols[i], v)
			}
			out[table] = append(out[table], b.String())
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if len(out[table]) == 0 {
			t.Fatalf("snapshot: %s is empty", table)
		}
	}
	return out
}

// checkStore opens the store the way the server does over the upgraded database, reads
// what fillLegacy wrote through it, checks the ledger and writes an account. It returns
// a connection to the database for the rest of the test.
func checkStore(t *testing.T, engine, where string, db *sql.DB, ids legacyIDs) *sql.DB {
	t.Helper()
	ctx := context.Background()
	var s *sqldb.DB
	var err error
	if engine == "sqlite" {
		db.Close() // the store turns on WAL mode, which wants the file to itself
		s, err = sqlite.Open(ctx, where)
	} else {
		s, err = postgres.Open(ctx, where)
	}
	if err != nil {
		t.Fatalf("open the upgraded store: %v", err)
	}
	defer s.Close()
	err = s.InTx(ctx, func(tx baas.Tx) error {
		ten, err := tx.GetTenant(ctx, "ten_1")
		if err != nil {
			return err
		}
		if !ten.Sandbox || ten.Name != "Acme" || !ten.CreatedAt.Equal(baas.FromMicros(legacyAt)) {
			t.Errorf("tenant = %+v", ten)
		}
		a, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: "ten_1", ID: &ids.customer})
		if err != nil {
			return err
		}
		if a.Balance != 2500 || a.Held != 500 || a.Number != 4000123 || a.CustomerID != "cus_1" || a.AllowNegative {
			t.Errorf("customer account = %+v", a)
		}
		if m, err := tx.FindAccount(ctx, baas.AccountFilter{TenantID: "ten_1", ID: &ids.master}); err != nil || !m.AllowNegative || m.Balance != -2500 {
			t.Errorf("master account = %+v, %v", m, err)
		}
		if bad, err := tx.AccountChecks(ctx); err != nil || len(bad) != 0 {
			t.Errorf("AccountChecks = %+v, %v", bad, err)
		}
		if bad, err := tx.UnbalancedTransfers(ctx); err != nil || len(bad) != 0 {
			t.Errorf("UnbalancedTransfers = %+v, %v", bad, err)
		}
		n := &baas.Account{TenantID: "ten_1", CustomerID: "cus_1", Kind: "checking", Number: 4000124,
			Currency: "USD", Status: "active", CreatedAt: baas.FromMicros(legacyAt)}
		if err := tx.CreateAccount(ctx, n); err != nil {
			return err
		}
		if n.ID <= ids.customer {
			t.Errorf("new account id %d after %d", n.ID, ids.customer)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("store over the upgraded database: %v", err)
	}
	if engine == "sqlite" {
		return reopen(t, engine, where)
	}
	return db
}
