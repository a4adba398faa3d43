package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/baas-oss/baas"
)

var micros = baas.Micros

func fromMicros(us int64) time.Time { return baas.FromMicros(us) }

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }
func nullInt(n int64) sql.NullInt64      { return sql.NullInt64{Int64: n, Valid: n != 0} }

func nullJSON(b json.RawMessage) sql.NullString {
	return sql.NullString{String: string(b), Valid: len(b) > 0}
}

// --- settings ---

func (x *queries) GetSetting(ctx context.Context, key string) (string, error) {
	var v string
	err := x.row(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	return v, x.scanErr(err, "setting")
}

func (x *queries) GetSettingForUpdate(ctx context.Context, key string) (string, error) {
	var v string
	err := x.row(ctx, `SELECT value FROM settings WHERE key = ?`+x.db.dialect.ForUpdate, key).Scan(&v)
	return v, x.scanErr(err, "setting")
}

func (x *queries) PutSetting(ctx context.Context, key, value string) error {
	_, err := x.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// InitSetting inserts with ON CONFLICT DO NOTHING, which on PostgreSQL waits for a
// concurrent transaction inserting the key to end, and then reads the key: read committed,
// that read sees the first writer's committed row (SQLite serializes writers).
func (x *queries) InitSetting(ctx context.Context, key, value string) (string, error) {
	if _, err := x.exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`,
		key, value); err != nil {
		return "", err
	}
	return x.GetSetting(ctx, key)
}

// --- tenants and credentials ---

const tenantCols = `id, name, company_id, whitelabel_id, sandbox, created_at`

func scanTenant(s interface{ Scan(...any) error }) (*baas.Tenant, error) {
	var t baas.Tenant
	var created int64
	if err := s.Scan(&t.ID, &t.Name, &t.CompanyID, &t.WhitelabelID, &t.Sandbox, &created); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMicros(created)
	return &t, nil
}

func (x *queries) CreateTenant(ctx context.Context, t *baas.Tenant) error {
	_, err := x.exec(ctx, `INSERT INTO tenants (`+tenantCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, t.Name, t.CompanyID, t.WhitelabelID, t.Sandbox, micros(t.CreatedAt))
	return err
}

func (x *queries) GetTenant(ctx context.Context, id string) (*baas.Tenant, error) {
	t, err := scanTenant(x.row(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = ?`, id))
	return t, x.scanErr(err, "tenant")
}

func (x *queries) CountTenants(ctx context.Context) (int, error) {
	var n int
	err := x.row(ctx, `SELECT COUNT(*) FROM tenants`).Scan(&n)
	return n, x.translate(err)
}

// ListTenantPage reads on the index tenants_created: the cursor is the row of the
// tenant it names.
func (x *queries) ListTenantPage(ctx context.Context, f baas.TenantPageFilter) ([]*baas.Tenant, error) {
	w := &where{}
	if f.AfterID != "" {
		w.add("(created_at, id) > (SELECT created_at, id FROM tenants WHERE id = ?)", f.AfterID)
	}
	limit, args := limitClause(f.Limit, w.args)
	return x.tenants(ctx, `SELECT `+tenantCols+` FROM tenants`+w.String()+` ORDER BY created_at, id`+limit, args...)
}

func (x *queries) tenants(ctx context.Context, q string, args ...any) ([]*baas.Tenant, error) {
	rows, err := x.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (x *queries) CreateCredential(ctx context.Context, c *baas.Credential) error {
	_, err := x.exec(ctx, `INSERT INTO credentials (id, tenant_id, kind, key_id, secret_hash, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, c.ID, c.TenantID, c.Kind, c.KeyID, c.SecretHash, micros(c.CreatedAt))
	return err
}

func (x *queries) FindCredential(ctx context.Context, kind, keyID string) (*baas.Credential, error) {
	var c baas.Credential
	var created int64
	err := x.row(ctx, `SELECT id, tenant_id, kind, key_id, secret_hash, created_at FROM credentials
		WHERE kind = ? AND key_id = ?`, kind, keyID).Scan(&c.ID, &c.TenantID, &c.Kind, &c.KeyID, &c.SecretHash, &created)
	if err != nil {
		return nil, x.scanErr(err, "credential")
	}
	c.CreatedAt = fromMicros(created)
	return &c, nil
}

// --- customers ---

const customerCols = `id, tenant_id, email, handle, first_name, last_name, phone, address_line1, address_line2, city, zip_code, created_at`

func (x *queries) CreateCustomer(ctx context.Context, c *baas.Customer) error {
	_, err := x.exec(ctx, `INSERT INTO customers (`+customerCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.TenantID, c.Email, c.Handle, c.FirstName, c.LastName, c.Phone, c.AddressLine1, c.AddressLine2,
		c.City, c.ZipCode, micros(c.CreatedAt))
	return err
}

func (x *queries) FindCustomer(ctx context.Context, f baas.CustomerFilter) (*baas.Customer, error) {
	w := &where{}
	w.add("tenant_id = ?", f.TenantID)
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Email != nil {
		w.add("email = ?", *f.Email)
	}
	if f.Handle != nil {
		w.add("handle = ?", *f.Handle)
	}
	var c baas.Customer
	var created int64
	err := x.row(ctx, `SELECT `+customerCols+` FROM customers`+w.String()+` LIMIT 1`, w.args...).Scan(
		&c.ID, &c.TenantID, &c.Email, &c.Handle, &c.FirstName, &c.LastName, &c.Phone, &c.AddressLine1,
		&c.AddressLine2, &c.City, &c.ZipCode, &created)
	if err != nil {
		return nil, x.scanErr(err, "customer")
	}
	c.CreatedAt = fromMicros(created)
	return &c, nil
}

// --- accounts ---

const accountCols = `id, tenant_id, customer_id, kind, number, currency, balance, held, allow_negative, status, created_at`

func scanAccount(s interface{ Scan(...any) error }) (*baas.Account, error) {
	var r accountRow
	if err := s.Scan(r.dest()...); err != nil {
		return nil, err
	}
	return r.done(), nil
}

// accountRow is an account being scanned: dest lists where each of accountCols goes, done
// finishes the account once the row is read. Joined queries append dest to their own.
type accountRow struct {
	a        baas.Account
	customer sql.NullString
	number   sql.NullInt64
	created  int64
}

func (r *accountRow) dest() []any {
	a := &r.a
	return []any{&a.ID, &a.TenantID, &r.customer, &a.Kind, &r.number, &a.Currency, &a.Balance, &a.Held,
		&a.AllowNegative, &a.Status, &r.created}
}

func (r *accountRow) done() *baas.Account {
	r.a.CustomerID, r.a.Number, r.a.CreatedAt = r.customer.String, r.number.Int64, fromMicros(r.created)
	return &r.a
}

// scanAccounts reads every row of accountCols and closes rows.
func scanAccounts(rows *sql.Rows) ([]*baas.Account, error) {
	defer rows.Close()
	var out []*baas.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

func (x *queries) CreateAccount(ctx context.Context, a *baas.Account) error {
	err := x.row(ctx, `INSERT INTO accounts (tenant_id, customer_id, kind, number, currency, balance, held,
		allow_negative, status, created_at) VALUES (?, ?, ?, ?, ?, 0, 0, ?, ?, ?) RETURNING id`,
		a.TenantID, nullString(a.CustomerID), a.Kind, nullInt(a.Number), a.Currency, a.AllowNegative, a.Status,
		micros(a.CreatedAt)).Scan(&a.ID)
	a.Balance, a.Held = 0, 0
	return x.translate(err)
}

func (x *queries) FindAccount(ctx context.Context, f baas.AccountFilter) (*baas.Account, error) {
	w := &where{}
	w.add("tenant_id = ?", f.TenantID)
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.Number != nil {
		w.add("number = ?", *f.Number)
	}
	if f.CustomerID != nil {
		w.add("customer_id = ?", *f.CustomerID)
	}
	if f.Kind != nil {
		w.add("kind = ?", *f.Kind)
	}
	if f.Currency != nil {
		w.add("currency = ?", *f.Currency)
	}
	a, err := scanAccount(x.row(ctx, `SELECT `+accountCols+` FROM accounts`+w.String()+` ORDER BY id LIMIT 1`, w.args...))
	return a, x.scanErr(err, "account")
}

// limitClause is the LIMIT clause of a page, with its argument appended to args: the core
// decides page sizes, and a limit of 0 reads every row.
func limitClause(limit int, args []any) (string, []any) {
	if limit <= 0 {
		return "", args
	}
	return " LIMIT ?", append(args, limit)
}

func (x *queries) ListAccounts(ctx context.Context, f baas.AccountListFilter) ([]*baas.Account, error) {
	w := &where{}
	w.add("tenant_id = ?", f.TenantID)
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	w.add("id > ?", f.AfterID)
	limit, args := limitClause(f.Limit, w.args)
	rows, err := x.query(ctx, `SELECT `+accountCols+` FROM accounts`+w.String()+` ORDER BY id`+limit, args...)
	if err != nil {
		return nil, err
	}
	return scanAccounts(rows)
}

func (x *queries) FindCustomerAccount(ctx context.Context, tenantID string, number *int64, email *string) (*baas.Account, *baas.Customer, error) {
	w := &where{}
	w.add("a.tenant_id = ?", tenantID)
	w.add("a.kind = ?", baas.AccountCustomer)
	if number != nil {
		w.add("a.number = ?", *number)
	}
	if email != nil {
		w.add("c.email = ?", *email)
	}
	h, err := scanAccountHolder(x.row(ctx, `SELECT `+accountHolderCols+accountHolderFrom+w.String()+` ORDER BY a.id LIMIT 1`,
		w.args...))
	if err != nil {
		return nil, nil, x.scanErr(err, "account")
	}
	return &h.Account, &h.Customer, nil
}

var accountHolderCols = prefixCols("a.", accountCols) + `, ` + prefixCols("c.", customerCols)

const accountHolderFrom = ` FROM accounts a JOIN customers c ON c.id = a.customer_id`

func scanAccountHolder(row interface{ Scan(...any) error }) (*baas.AccountHolder, error) {
	var h baas.AccountHolder
	a, c := &h.Account, &h.Customer
	var customer sql.NullString
	var num sql.NullInt64
	var created, cCreated int64
	err := row.Scan(&a.ID, &a.TenantID, &customer, &a.Kind, &num, &a.Currency, &a.Balance, &a.Held, &a.AllowNegative,
		&a.Status, &created, &c.ID, &c.TenantID, &c.Email, &c.Handle, &c.FirstName, &c.LastName, &c.Phone,
		&c.AddressLine1, &c.AddressLine2, &c.City, &c.ZipCode, &cCreated)
	if err != nil {
		return nil, err
	}
	a.CustomerID, a.Number, a.CreatedAt = customer.String, num.Int64, fromMicros(created)
	c.CreatedAt = fromMicros(cCreated)
	return &h, nil
}

// ListAccountHolders reads in the order of an index: accounts_tenant_kind by account id,
// customers_tenant_name by name (the cursor is then the row of the account it names).
func (x *queries) ListAccountHolders(ctx context.Context, f baas.CustomerAccountFilter) ([]*baas.AccountHolder, error) {
	w := &where{}
	if f.Sort != baas.CustomerSortName {
		w.add("a.tenant_id = ?", f.TenantID)
	}
	// By name the tenant is named on the customers only (an account is its customer's
	// tenant's), so that the planner reads them in the order of customers_tenant_name
	// rather than sorting the tenant's every account for the first page.
	w.add("c.tenant_id = ?", f.TenantID)
	w.add("a.kind = ?", baas.AccountCustomer)
	order := ` ORDER BY a.id`
	switch f.Sort {
	case baas.CustomerSortNewest:
		order = ` ORDER BY a.id DESC`
		if f.AfterID > 0 {
			w.add("a.id < ?", f.AfterID)
		}
	case baas.CustomerSortName:
		order = ` ORDER BY c.last_name, c.first_name, a.id`
		if f.AfterID > 0 {
			// The cursor's name, read first: a range on customers_tenant_name that both
			// planners use, where a subquery in the comparison made PostgreSQL scan.
			var last, first string
			err := x.row(ctx, `SELECT c.last_name, c.first_name`+accountHolderFrom+` WHERE a.id = ? AND c.tenant_id = ?`,
				f.AfterID, f.TenantID).Scan(&last, &first)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, nil
			}
			if err != nil {
				return nil, x.translate(err)
			}
			w.conds = append(w.conds, "(c.last_name, c.first_name) >= (?, ?)", "(c.last_name, c.first_name, a.id) > (?, ?, ?)")
			w.args = append(w.args, last, first, last, first, f.AfterID)
		}
	default:
		if f.AfterID > 0 {
			w.add("a.id > ?", f.AfterID)
		}
	}
	limit, args := limitClause(f.Limit, w.args)
	rows, err := x.query(ctx, `SELECT `+accountHolderCols+accountHolderFrom+w.String()+order+limit, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.AccountHolder
	for rows.Next() {
		h, err := scanAccountHolder(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func (x *queries) AccountNumberTaken(ctx context.Context, number int64) (bool, error) {
	var n int
	err := x.row(ctx, `SELECT COUNT(*) FROM accounts WHERE number = ?`, number).Scan(&n)
	return n > 0, x.translate(err)
}

func (x *queries) UpdateAccountStatus(ctx context.Context, id int64, status string) error {
	_, err := x.exec(ctx, `UPDATE accounts SET status = ? WHERE id = ?`, status, id)
	return err
}

func (x *queries) LockAccounts(ctx context.Context, ids []int64) ([]*baas.Account, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return x.lockWhere(ctx, `id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args)
}

func (x *queries) LockCustomerAccounts(ctx context.Context, tenantID string, numbers []int64) ([]*baas.Account, error) {
	return x.customerAccounts(ctx, tenantID, numbers, x.db.dialect.ForUpdate)
}

func (x *queries) FindCustomerAccounts(ctx context.Context, tenantID string, numbers []int64) ([]*baas.Account, error) {
	return x.customerAccounts(ctx, tenantID, numbers, "")
}

func (x *queries) customerAccounts(ctx context.Context, tenantID string, numbers []int64, lock string) ([]*baas.Account, error) {
	if len(numbers) == 0 {
		return nil, nil
	}
	args := []any{tenantID, baas.AccountCustomer}
	for _, n := range numbers {
		args = append(args, n)
	}
	return x.selectAccounts(ctx, `tenant_id = ? AND kind = ? AND number IN (?`+strings.Repeat(", ?", len(numbers)-1)+`)`, args, lock)
}

// lockWhere selects accounts in ascending id order, locking them where the engine needs
// row locks: in descending id order, the order in which transfers update balances, so
// that concurrent lockers and transfers cannot deadlock.
func (x *queries) lockWhere(ctx context.Context, cond string, args []any) ([]*baas.Account, error) {
	return x.selectAccounts(ctx, cond, args, x.db.dialect.ForUpdate)
}

// selectAccounts reads the accounts that match cond, in ascending id order. With a lock
// it goes through x.pipeline, so that on PostgreSQL a transaction's BEGIN goes with it.
func (x *queries) selectAccounts(ctx context.Context, cond string, args []any, lock string) ([]*baas.Account, error) {
	order := " ORDER BY id"
	if lock != "" {
		order += " DESC"
	}
	var out []*baas.Account
	_, err := x.pipeline(ctx, []PipeStmt{{Query: `SELECT ` + accountCols + ` FROM accounts WHERE ` + cond + order + lock,
		Args: args, Each: func(scan func(...any) error) error {
			var r accountRow
			if err := scan(r.dest()...); err != nil {
				return err
			}
			out = append(out, r.done())
			return nil
		}}})
	if err != nil {
		return nil, x.translate(err)
	}
	if lock != "" {
		slices.Reverse(out)
	}
	return out, nil
}

func (x *queries) AddToBalance(ctx context.Context, id, delta int64) (*baas.Account, error) {
	accts, err := x.AddToBalances(ctx, []baas.BalanceDelta{{AccountID: id, Delta: delta}})
	if err != nil {
		return nil, err
	}
	return accts[0], nil
}

const addToBalanceSQL = `UPDATE accounts SET balance = balance + ? WHERE id = ? RETURNING ` + accountCols

func (x *queries) AddToBalances(ctx context.Context, deltas []baas.BalanceDelta) ([]*baas.Account, error) {
	if x.pipe != nil {
		x.pipe.Locking(ctx, deltas)
	}
	rows := make([]accountRow, len(deltas))
	stmts := make([]PipeStmt, len(deltas))
	for i, d := range deltas {
		stmts[i] = PipeStmt{Query: addToBalanceSQL, Args: []any{d.Delta, d.AccountID}, Dest: rows[i].dest()}
	}
	i, err := x.pipeline(ctx, stmts)
	if err != nil {
		if i >= 0 && x.db.dialect.IsCheck(err) {
			return nil, x.overdraft(fmt.Sprintf("insufficient funds in account %d", deltas[i].AccountID))(err)
		}
		return nil, x.scanErr(err, "account")
	}
	out := make([]*baas.Account, len(deltas))
	for i := range rows {
		out[i] = rows[i].done()
	}
	return out, nil
}

// overdraft returns the mapping of a balance update's error: a row the database refuses
// (its CHECK: below zero where it may not be) is EInsufficientFunds with msg.
func (x *queries) overdraft(msg string) func(error) error {
	return func(err error) error {
		if x.db.dialect.IsCheck(err) {
			return &baas.Error{Code: baas.EInsufficientFunds, Reason: "INSUFFICIENT_FUNDS", Message: msg, Err: err}
		}
		return err
	}
}

// SaveBalances is held back where the querier pipelines, like the postings: a balance
// the database refuses (CHECK) fails the transaction with EInsufficientFunds at the next
// statement or the commit.
func (x *queries) SaveBalances(ctx context.Context, accounts []*baas.Account) error {
	if len(accounts) == 0 {
		return nil
	}
	refused := x.overdraft("insufficient funds")
	if len(accounts) == 1 {
		a := accounts[0]
		return x.later(ctx, `UPDATE accounts SET balance = ?, held = ? WHERE id = ?`, refused, a.Balance, a.Held, a.ID)
	}
	// One statement for all: UPDATE … FROM a derived table, which both engines accept.
	var b strings.Builder
	args := make([]any, 0, 3*len(accounts))
	for i, a := range accounts {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		b.WriteString("SELECT CAST(? AS BIGINT) AS id, CAST(? AS BIGINT) AS balance, CAST(? AS BIGINT) AS held")
		args = append(args, a.ID, a.Balance, a.Held)
	}
	return x.later(ctx, `UPDATE accounts SET balance = v.balance, held = v.held FROM (`+b.String()+`) AS v WHERE accounts.id = v.id`,
		refused, args...)
}

func (x *queries) InsertTransfer(ctx context.Context, t *baas.Transfer) error {
	err := x.row(ctx, `INSERT INTO transfers (tenant_id, kind, description, merchant, metadata, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, t.TenantID, t.Kind, t.Description, t.Merchant,
		nullJSON(t.Metadata), micros(t.CreatedAt)).Scan(&t.ID)
	if err != nil {
		return x.translate(err)
	}
	return x.InsertPostings(ctx, t.ID, t.Postings)
}

// InsertPostings sets the postings' TransferID and writes them: see InsertAllPostings.
func (x *queries) InsertPostings(ctx context.Context, transferID int64, postings []baas.Posting) error {
	for i := range postings {
		postings[i].TransferID = transferID
	}
	return x.InsertAllPostings(ctx, postings)
}

func (x *queries) CreditLater(ctx context.Context, tenantID, status string, transferID int64, postings []baas.Posting, credit int) error {
	if credit < 0 || credit >= len(postings) || postings[credit].Amount <= 0 {
		return baas.Invalid("a credit must be one of the postings, and positive")
	}
	c := &postings[credit]
	for i := range postings {
		postings[i].TransferID = transferID
	}
	refused := func(err error) error {
		return &baas.Error{Code: baas.EConflict, Reason: baas.ErrCreditRefused,
			Message: fmt.Sprintf("account %d cannot be credited", c.AccountID), Err: err}
	}
	if x.pipe != nil && x.db.dialect.CreditAndPost != nil {
		q, args := x.db.dialect.CreditAndPost(CreditStmt{TenantID: tenantID, Status: status, TransferID: transferID,
			Postings: postings, Credit: credit})
		// The account's turn is taken when the update goes out (with the COMMIT), so
		// that it covers that round trip only.
		x.pipe.LockingLater(c.AccountID)
		x.pipe.Later(PipeStmt{Query: x.db.rebind(q), Args: args,
			Dest: []any{&c.BalanceAfter},
			MapErr: func(err error) error {
				if x.db.dialect.IsNotNull(err) {
					return refused(err)
				}
				return x.translate(err)
			}})
		return nil
	}
	err := x.row(ctx, `UPDATE accounts SET balance = balance + ? WHERE id = ? AND tenant_id = ? AND currency = ? AND status = ?
		RETURNING balance`, c.Amount, c.AccountID, tenantID, c.Currency, status).Scan(&c.BalanceAfter)
	if errors.Is(err, sql.ErrNoRows) {
		return refused(err)
	}
	if err != nil {
		return x.translate(err)
	}
	return x.InsertPostings(ctx, transferID, postings)
}

func (x *queries) ListStatements(ctx context.Context, f baas.StatementFilter) ([]*baas.Statement, error) {
	w := &where{}
	from := `postings p JOIN transfers t ON t.id = p.transfer_id`
	if f.AccountID != 0 {
		w.add("p.account_id = ?", f.AccountID)
	} else {
		from += ` JOIN accounts a ON a.id = p.account_id`
		w.add("a.tenant_id = ?", f.TenantID)
		w.add("a.number = ?", f.AccountNumber)
		w.add("a.kind = ?", baas.AccountCustomer)
	}
	if f.BeforeID > 0 {
		w.add("p.id < ?", f.BeforeID)
	}
	limit, args := limitClause(f.Limit, w.args)
	rows, err := x.query(ctx, `SELECT p.id, p.transfer_id, t.kind, p.amount, p.balance_after, p.currency,
		t.description, t.merchant, t.metadata, t.created_at
		FROM `+from+w.String()+` ORDER BY p.id DESC`+limit, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.Statement
	for rows.Next() {
		var s baas.Statement
		var meta sql.NullString
		var created int64
		if err := rows.Scan(&s.PostingID, &s.TransferID, &s.Kind, &s.Amount, &s.BalanceAfter, &s.Currency,
			&s.Description, &s.Merchant, &meta, &created); err != nil {
			return nil, err
		}
		if meta.Valid {
			s.Metadata = json.RawMessage(meta.String)
		}
		s.CreatedAt = fromMicros(created)
		out = append(out, &s)
	}
	return out, rows.Err()
}

// --- holds ---

func (x *queries) InsertHold(ctx context.Context, h *baas.Hold) error {
	err := x.row(ctx, `INSERT INTO holds (tenant_id, account_id, currency, amount, status, reference, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, h.TenantID, h.AccountID, h.Currency, h.Amount, h.Status,
		h.Reference, micros(h.CreatedAt), micros(h.UpdatedAt)).Scan(&h.ID)
	return x.translate(err)
}

func (x *queries) GetHold(ctx context.Context, tenantID string, id int64) (*baas.Hold, error) {
	var h baas.Hold
	var created, updated int64
	err := x.row(ctx, `SELECT id, tenant_id, account_id, currency, amount, status, reference, created_at, updated_at
		FROM holds WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(&h.ID, &h.TenantID, &h.AccountID, &h.Currency,
		&h.Amount, &h.Status, &h.Reference, &created, &updated)
	if err != nil {
		return nil, x.scanErr(err, "hold")
	}
	h.CreatedAt, h.UpdatedAt = fromMicros(created), fromMicros(updated)
	return &h, nil
}

func (x *queries) UpdateHoldStatus(ctx context.Context, id int64, status string, at time.Time) error {
	_, err := x.exec(ctx, `UPDATE holds SET status = ?, updated_at = ? WHERE id = ?`, status, micros(at), id)
	return err
}

// --- events ---

func (x *queries) InsertEvent(ctx context.Context, e *baas.Event) error {
	err := x.row(ctx, `INSERT INTO events (tenant_id, type, object_id, payload, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
		e.TenantID, e.Type, e.ObjectID, string(e.Payload), micros(e.CreatedAt)).Scan(&e.ID)
	return x.translate(err)
}

// --- idempotency ---

func (x *queries) GetIdempotency(ctx context.Context, tenantID, key string) (*baas.IdempotencyRecord, error) {
	var r baas.IdempotencyRecord
	var result string
	var created, expires int64
	err := x.row(ctx, `SELECT tenant_id, key, fingerprint, result, created_at, expires_at FROM idempotency_keys
		WHERE tenant_id = ? AND key = ?`, tenantID, key).Scan(&r.TenantID, &r.Key, &r.Fingerprint, &result, &created, &expires)
	if err != nil {
		return nil, x.scanErr(err, "idempotency key")
	}
	r.Result = json.RawMessage(result)
	r.CreatedAt, r.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &r, nil
}

func (x *queries) RecordedIdempotencyKeys(ctx context.Context, tenantID string, keys []string) ([]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(keys)+1)
	args = append(args, tenantID)
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := x.query(ctx, `SELECT key FROM idempotency_keys WHERE tenant_id = ? AND key IN (?`+
		strings.Repeat(", ?", len(keys)-1)+`) ORDER BY key`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

func (x *queries) DeleteIdempotency(ctx context.Context, tenantID, key string) error {
	_, err := x.exec(ctx, `DELETE FROM idempotency_keys WHERE tenant_id = ? AND key = ?`, tenantID, key)
	return err
}

func (x *queries) DeleteExpiredIdempotency(ctx context.Context, now time.Time) (int64, error) {
	res, err := x.exec(ctx, `DELETE FROM idempotency_keys WHERE expires_at < ?`, micros(now))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// --- ledger checks ---

func (x *queries) CurrencyTotals(ctx context.Context) ([]baas.CurrencyTotal, error) {
	rows, err := x.query(ctx, `SELECT currency, SUM(balance) FROM accounts GROUP BY currency ORDER BY currency`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []baas.CurrencyTotal
	for rows.Next() {
		var t baas.CurrencyTotal
		if err := rows.Scan(&t.Currency, &t.Total); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (x *queries) AccountChecks(ctx context.Context) ([]baas.AccountCheck, error) {
	rows, err := x.query(ctx, `SELECT `+prefixCols("a.", accountCols)+`, COALESCE(p.total, 0), COALESCE(h.total, 0)
		FROM accounts a
		LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM postings GROUP BY account_id) p ON p.account_id = a.id
		LEFT JOIN (SELECT account_id, SUM(amount) AS total FROM holds WHERE status = 'active' GROUP BY account_id) h ON h.account_id = a.id
		WHERE a.balance <> COALESCE(p.total, 0) OR a.held <> COALESCE(h.total, 0)
		   OR (NOT a.allow_negative AND (a.balance < 0 OR a.balance - a.held < 0))
		ORDER BY a.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []baas.AccountCheck
	for rows.Next() {
		var c baas.AccountCheck
		var customer sql.NullString
		var number sql.NullInt64
		var created int64
		a := &c.Account
		if err := rows.Scan(&a.ID, &a.TenantID, &customer, &a.Kind, &number, &a.Currency, &a.Balance, &a.Held,
			&a.AllowNegative, &a.Status, &created, &c.PostingSum, &c.ActiveHolds); err != nil {
			return nil, err
		}
		a.CustomerID, a.Number, a.CreatedAt = customer.String, number.Int64, fromMicros(created)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (x *queries) UnbalancedTransfers(ctx context.Context) ([]baas.UnbalancedTransfer, error) {
	// Postings have no foreign keys (migration 00004): the orphans are counted here.
	const orphan = `SUM(CASE WHEN t.id IS NULL OR a.id IS NULL THEN 1 ELSE 0 END)`
	// A transfer without postings (one a P2P batch inserted and could not post, left
	// behind) is found by an anti-join: postings have no index by transfer, and both
	// engines hash or index the join themselves.
	rows, err := x.query(ctx, `SELECT p.transfer_id, p.currency, SUM(p.amount), `+orphan+`, 0
		FROM postings p LEFT JOIN transfers t ON t.id = p.transfer_id LEFT JOIN accounts a ON a.id = p.account_id
		GROUP BY p.transfer_id, p.currency HAVING SUM(p.amount) <> 0 OR `+orphan+` > 0
		UNION ALL
		SELECT t.id, '', 0, 0, 1 FROM transfers t LEFT JOIN postings p ON p.transfer_id = t.id WHERE p.transfer_id IS NULL
		ORDER BY 1, 2`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []baas.UnbalancedTransfer
	for rows.Next() {
		var u baas.UnbalancedTransfer
		if err := rows.Scan(&u.TransferID, &u.Currency, &u.Sum, &u.Orphans, &u.Empty); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

func prefixCols(prefix, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = prefix + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}
