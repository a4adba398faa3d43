package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/baas-oss/baas/store/sqldb"
)

// schema is what a database's catalog says about its tables, as the engine spells it:
// table name → table. The goose version table is left out.
type schema map[string]*table

type table struct {
	Columns []column
	PK      string   // primary key columns, in key order, comma-separated
	Indexes []index  // sorted by name
	FKs     []string // "column->table(column)", sorted
}

type column struct {
	Name    string
	Type    string // as declared (SQLite) or information_schema.columns.data_type (PostgreSQL)
	NotNull bool
	Default string // as the catalog prints it; "" for none
	Auto    bool   // the database hands out its values (SQLite rowid alias, PostgreSQL identity)
}

type index struct {
	Name    string // for an index behind a UNIQUE constraint: "unique(columns)"
	Unique  bool
	Partial bool
	Columns string
}

// describe reads the schema of the database through its engine's catalog.
func describe(t *testing.T, engine string, db *sql.DB) schema {
	t.Helper()
	var s schema
	var err error
	if engine == "sqlite" {
		s, err = describeSQLite(db)
	} else {
		s, err = describePostgres(db)
	}
	if err != nil {
		t.Fatalf("describe %s schema: %v", engine, err)
	}
	if len(s) == 0 {
		t.Fatalf("describe %s schema: no tables", engine)
	}
	return s
}

// queryRows runs q and calls fn with each row's scan function.
func queryRows(db *sql.DB, q string, fn func(scan func(...any) error) error, args ...any) error {
	rows, err := db.Query(q, args...)
	if err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

func describeSQLite(db *sql.DB) (schema, error) {
	s := schema{}
	var names []string
	err := queryRows(db, `SELECT name FROM sqlite_master WHERE type = 'table'
		AND name NOT LIKE 'sqlite_%' AND name <> 'goose_db_version'`, func(scan func(...any) error) error {
		var n string
		names = append(names, n)
		return scan(&names[len(names)-1])
	})
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		tb := &table{}
		s[name] = tb
		var pk []string
		pkPos := map[string]int{}
		err := queryRows(db, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`, func(scan func(...any) error) error {
			var c column
			var def sql.NullString
			var pos int
			if err := scan(&c.Name, &c.Type, &c.NotNull, &def, &pos); err != nil {
				return err
			}
			c.Default = def.String
			if pos > 0 {
				pk = append(pk, c.Name)
				pkPos[c.Name] = pos
			}
			tb.Columns = append(tb.Columns, c)
			return nil
		}, name)
		if err != nil {
			return nil, err
		}
		sort.Slice(pk, func(i, j int) bool { return pkPos[pk[i]] < pkPos[pk[j]] })
		tb.PK = strings.Join(pk, ",")
		for i, c := range tb.Columns {
			if len(pk) == 1 && pk[0] == c.Name && strings.EqualFold(c.Type, "INTEGER") {
				tb.Columns[i].Auto = true // an alias of the rowid
			}
		}
		type idx struct {
			index
			origin string
		}
		var idxs []idx
		err = queryRows(db, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, func(scan func(...any) error) error {
			var x idx
			if err := scan(&x.Name, &x.Unique, &x.origin, &x.Partial); err != nil {
				return err
			}
			idxs = append(idxs, x)
			return nil
		}, name)
		if err != nil {
			return nil, err
		}
		for _, x := range idxs {
			var cols []string
			err := queryRows(db, `SELECT name FROM pragma_index_info(?) ORDER BY seqno`, func(scan func(...any) error) error {
				var c string
				cols = append(cols, c)
				return scan(&cols[len(cols)-1])
			}, x.Name)
			if err != nil {
				return nil, err
			}
			x.Columns = strings.Join(cols, ",")
			switch x.origin {
			case "pk":
				continue // in PK
			case "u":
				x.Name = "unique(" + x.Columns + ")"
			}
			tb.Indexes = append(tb.Indexes, x.index)
		}
		err = queryRows(db, `SELECT "from", "table", "to" FROM pragma_foreign_key_list(?)`, func(scan func(...any) error) error {
			var from, to, ref string
			if err := scan(&from, &ref, &to); err != nil {
				return err
			}
			tb.FKs = append(tb.FKs, from+"->"+ref+"("+to+")")
			return nil
		}, name)
		if err != nil {
			return nil, err
		}
		sortTable(tb)
	}
	return s, nil
}

func describePostgres(db *sql.DB) (schema, error) {
	s := schema{}
	err := queryRows(db, `SELECT table_name, column_name, data_type, is_nullable = 'NO',
			COALESCE(column_default, ''), is_identity = 'YES'
		FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'
		ORDER BY table_name, ordinal_position`, func(scan func(...any) error) error {
		var name string
		var c column
		if err := scan(&name, &c.Name, &c.Type, &c.NotNull, &c.Default, &c.Auto); err != nil {
			return err
		}
		if s[name] == nil {
			s[name] = &table{}
		}
		s[name].Columns = append(s[name].Columns, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Every index of the schema's tables, with its columns in key order and whether a
	// constraint (primary key, UNIQUE) stands behind it.
	err = queryRows(db, `SELECT t.relname, i.relname, x.indisunique, x.indisprimary, x.indpred IS NOT NULL,
			EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype = 'u'),
			(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum)
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class t ON t.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE n.nspname = current_schema() AND t.relname <> 'goose_db_version'`, func(scan func(...any) error) error {
		var name string
		var x index
		var primary, constraint bool
		if err := scan(&name, &x.Name, &x.Unique, &primary, &x.Partial, &constraint, &x.Columns); err != nil {
			return err
		}
		tb := s[name]
		if tb == nil {
			return fmt.Errorf("index %s on unknown table %s", x.Name, name)
		}
		switch {
		case primary:
			tb.PK = x.Columns
			return nil
		case constraint:
			x.Name = "unique(" + x.Columns + ")"
		}
		tb.Indexes = append(tb.Indexes, x)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = queryRows(db, `SELECT t.relname,
			(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
			r.relname,
			(SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
				JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum)
		FROM pg_constraint c
		JOIN pg_class t ON t.oid = c.conrelid
		JOIN pg_class r ON r.oid = c.confrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		WHERE c.contype = 'f' AND n.nspname = current_schema()`, func(scan func(...any) error) error {
		var name, from, ref, to string
		if err := scan(&name, &from, &ref, &to); err != nil {
			return err
		}
		if s[name] == nil {
			return fmt.Errorf("foreign key on unknown table %s", name)
		}
		s[name].FKs = append(s[name].FKs, from+"->"+ref+"("+to+")")
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, tb := range s {
		sortTable(tb)
	}
	return s, nil
}

func sortTable(tb *table) {
	sort.Slice(tb.Indexes, func(i, j int) bool { return tb.Indexes[i].Name < tb.Indexes[j].Name })
	sort.Strings(tb.FKs)
}

var pgCast = regexp.MustCompile(`::[a-z ]+$`)

// normalize rewrites an engine's schema into terms both engines share: a type class
// (integer, text, bytes, bool) instead of the type name, defaults without PostgreSQL's
// casts and with booleans as 0 and 1, primary-key columns not null (SQLite reports its
// primary keys as nullable).
func normalize(t *testing.T, s schema) schema {
	t.Helper()
	out := schema{}
	for name, tb := range s {
		n := &table{PK: tb.PK, Indexes: tb.Indexes, FKs: tb.FKs}
		pk := strings.Split(tb.PK, ",")
		for _, c := range tb.Columns {
			switch strings.ToLower(c.Type) {
			case "integer", "bigint":
				c.Type = "integer"
			case "boolean":
				c.Type = "bool"
			case "text":
				c.Type = "text"
			case "blob", "bytea":
				c.Type = "bytes"
			default:
				t.Errorf("%s.%s: type %q has no class: add it to normalize", name, c.Name, c.Type)
			}
			c.Default = pgCast.ReplaceAllString(c.Default, "")
			switch strings.ToLower(c.Default) {
			case "false":
				c.Default = "0"
			case "true":
				c.Default = "1"
			}
			for _, p := range pk {
				if p == c.Name {
					c.NotNull = true
				}
			}
			n.Columns = append(n.Columns, c)
		}
		out[name] = n
	}
	return out
}

// diffSchemas lists, table by table, where a differs from b.
func diffSchemas(a, b schema) string {
	var names []string
	for n := range a {
		names = append(names, n)
	}
	for n := range b {
		if a[n] == nil {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var out strings.Builder
	for _, n := range names {
		x, y := a[n], b[n]
		switch {
		case x == nil:
			fmt.Fprintf(&out, "table %s: only in the second\n", n)
		case y == nil:
			fmt.Fprintf(&out, "table %s: only in the first\n", n)
		case !reflect.DeepEqual(x, y):
			fmt.Fprintf(&out, "table %s:\n", n)
			for i := range max(len(x.Columns), len(y.Columns)) {
				var cx, cy *column
				if i < len(x.Columns) {
					cx = &x.Columns[i]
				}
				if i < len(y.Columns) {
					cy = &y.Columns[i]
				}
				if cx == nil || cy == nil || *cx != *cy {
					fmt.Fprintf(&out, "  column %d: %s / %s\n", i+1, fmtColumn(cx), fmtColumn(cy))
				}
			}
			if x.PK != y.PK {
				fmt.Fprintf(&out, "  primary key: %s / %s\n", x.PK, y.PK)
			}
			if !reflect.DeepEqual(x.Indexes, y.Indexes) {
				fmt.Fprintf(&out, "  indexes: %+v / %+v\n", x.Indexes, y.Indexes)
			}
			if !reflect.DeepEqual(x.FKs, y.FKs) {
				fmt.Fprintf(&out, "  foreign keys: %v / %v\n", x.FKs, y.FKs)
			}
		}
	}
	return out.String()
}

func fmtColumn(c *column) string {
	if c == nil {
		return "(none)"
	}
	return fmt.Sprintf("%+v", *c)
}

// TestMigrationsSameSchema: fresh databases of both engines, migrated, have the same
// tables with the same columns (name, type class, nullability, default, database-made
// values), primary keys, indexes (name, uniqueness, partial or not, columns) and foreign
// keys. SQLite has no boolean type, so a PostgreSQL boolean matches a SQLite integer.
func TestMigrationsSameSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schemas := map[string]schema{}
	for engine, d := range migrationDialects {
		db, _ := rawDB(t, engine)
		if err := sqldb.Migrate(ctx, db, d); err != nil {
			t.Fatalf("%s: %v", engine, err)
		}
		schemas[engine] = normalize(t, describe(t, engine, db))
	}
	lite, pg := schemas["sqlite"], schemas["postgres"]
	// SQLite stores {{.Bool}} as INTEGER: compare it as PostgreSQL's class.
	for name, tb := range pg {
		if lt := lite[name]; lt != nil {
			for i, c := range tb.Columns {
				if c.Type == "bool" && i < len(lt.Columns) && lt.Columns[i].Name == c.Name && lt.Columns[i].Type == "integer" {
					lt.Columns[i].Type = "bool"
				}
			}
		}
	}
	if !reflect.DeepEqual(lite, pg) {
		t.Fatalf("the engines' schemas differ (first SQLite, second PostgreSQL):\n%s", diffSchemas(lite, pg))
	}
}
