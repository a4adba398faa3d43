package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/baas-oss/baas"
)

// This file holds the queries of sessions (baas.SessionTx: API session tokens, in the table codego_tokens), customers with
// their reference and profile (baas.CustomerTx), KYC documents and images, KYC settings
// (baas.KYCTx).

// --- API session tokens ---

func (x *queries) InsertSessionToken(ctx context.Context, t *baas.SessionToken) error {
	_, err := x.exec(ctx, `INSERT INTO codego_tokens (token_hash, tenant_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		t.Hash, t.TenantID, micros(t.CreatedAt), micros(t.ExpiresAt))
	return err
}

func (x *queries) FindSessionToken(ctx context.Context, hash []byte) (*baas.SessionToken, error) {
	var t baas.SessionToken
	var created, expires int64
	err := x.row(ctx, `SELECT token_hash, tenant_id, created_at, expires_at FROM codego_tokens WHERE token_hash = ?`, hash).
		Scan(&t.Hash, &t.TenantID, &created, &expires)
	if err != nil {
		return nil, x.scanErr(err, "auth token")
	}
	t.CreatedAt, t.ExpiresAt = fromMicros(created), fromMicros(expires)
	return &t, nil
}

func (x *queries) DeleteExpiredSessionTokens(ctx context.Context, tenantID string, before time.Time) (int64, error) {
	res, err := x.exec(ctx, `DELETE FROM codego_tokens WHERE tenant_id = ? AND expires_at < ?`, tenantID, micros(before))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// --- customers with a reference and a profile ---

// profileCols are the columns of a customer's reference and profile. The reference lives
// in codego_user_id, the column existing databases hold it in.
const profileCols = `codego_user_id, dob, country_of_residence, country_id, nationality, country, same_shipping,
	ship_address, ship_capital, ship_city, ship_country, ship_zip_code, work_country, income_source, political_person,
	tax_country, tax_number, gender, device_type, device_token, device_model, ip_address, password_hash`

func (x *queries) CreateProfiledCustomer(ctx context.Context, c *baas.ProfiledCustomer) error {
	p := &c.Profile
	ref := sql.NullString{String: c.Ref, Valid: c.Ref != ""}
	_, err := x.exec(ctx, `INSERT INTO customers (id, tenant_id, email, handle, first_name, last_name, phone,
		address_line1, address_line2, city, zip_code, created_at, `+profileCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.TenantID, c.Email, c.Handle, c.FirstName, c.LastName, c.Phone, c.AddressLine1, c.AddressLine2, c.City,
		c.ZipCode, micros(c.CreatedAt),
		ref, p.DateOfBirth, p.CountryOfResidence, p.PhoneCountry, p.Nationality, p.AddressCountry, p.SameShipping,
		p.ShipAddress, p.ShipRegion, p.ShipCity, p.ShipCountry, p.ShipZipCode, p.WorkCountry, p.IncomeSource,
		p.PoliticallyExposed, p.TaxCountry, p.TaxNumber, p.Gender, p.DeviceType, p.DeviceToken, p.DeviceModel,
		p.IPAddress, p.PasswordHash)
	return err
}

// profiledCustomerCols are the columns profiledCustomerRow scans, in its order.
var profiledCustomerCols = `id, tenant_id, email, handle, first_name, last_name, phone, address_line1, address_line2,
	city, zip_code, created_at, ` + profileCols

// profiledCustomerRow is a customer being scanned: dest lists where each of
// profiledCustomerCols goes, done finishes the customer once the row is read.
type profiledCustomerRow struct {
	c       baas.ProfiledCustomer
	created int64
	ref     sql.NullString
}

func (r *profiledCustomerRow) dest() []any {
	c, p := &r.c, &r.c.Profile
	return []any{&c.ID, &c.TenantID, &c.Email, &c.Handle, &c.FirstName, &c.LastName, &c.Phone,
		&c.AddressLine1, &c.AddressLine2, &c.City, &c.ZipCode, &r.created,
		&r.ref, &p.DateOfBirth, &p.CountryOfResidence, &p.PhoneCountry, &p.Nationality, &p.AddressCountry, &p.SameShipping,
		&p.ShipAddress, &p.ShipRegion, &p.ShipCity, &p.ShipCountry, &p.ShipZipCode, &p.WorkCountry, &p.IncomeSource,
		&p.PoliticallyExposed, &p.TaxCountry, &p.TaxNumber, &p.Gender, &p.DeviceType, &p.DeviceToken, &p.DeviceModel,
		&p.IPAddress, &p.PasswordHash}
}

func (r *profiledCustomerRow) done() *baas.ProfiledCustomer {
	r.c.Ref = r.ref.String
	r.c.CreatedAt = fromMicros(r.created)
	return &r.c
}

// customerKeyWhere returns the condition that selects the customer k names in the tenant,
// on the customers table aliased as alias.
func customerKeyWhere(alias string, tenantID string, k baas.CustomerKey) (string, []any) {
	if k.ID != "" {
		return alias + "id = ? AND " + alias + "tenant_id = ?", []any{k.ID, tenantID}
	}
	return alias + "codego_user_id = ? AND " + alias + "tenant_id = ?", []any{k.Ref, tenantID}
}

func (x *queries) FindProfiledCustomer(ctx context.Context, tenantID string, k baas.CustomerKey) (*baas.ProfiledCustomer, error) {
	if k == (baas.CustomerKey{}) {
		return nil, baas.Errorf(baas.ENotFound, "customer not found")
	}
	var r profiledCustomerRow
	cond, args := customerKeyWhere("", tenantID, k)
	err := x.row(ctx, `SELECT `+profiledCustomerCols+` FROM customers WHERE `+cond, args...).Scan(r.dest()...)
	if err != nil {
		return nil, x.scanErr(err, "customer")
	}
	return r.done(), nil
}

// customerSummarySQL reads a customer's name, first customer account and newest document
// of each type: one row per document type, or one row with NULL document columns when
// there is none. The rows (one per document type) are sorted in Go: an ORDER BY made
// SQLite build a temporary B-tree for every call.
var customerSummarySQL = `SELECT c.id, c.first_name, c.last_name, ` + prefixCols("a.", accountCols) + `,
	d.id, d.doc_type, d.status, d.auto_verify_at
	FROM customers c
	JOIN accounts a ON a.id = (SELECT MIN(id) FROM accounts WHERE customer_id = c.id AND kind = ?)
	LEFT JOIN kyc_documents d ON d.id IN (SELECT MAX(id) FROM kyc_documents WHERE customer_id = c.id GROUP BY doc_type)
	WHERE `

func (x *queries) CustomerSummary(ctx context.Context, tenantID string, k baas.CustomerKey) (*baas.CustomerSummary, error) {
	if k == (baas.CustomerKey{}) {
		return nil, baas.Errorf(baas.ENotFound, "customer not found")
	}
	cond, args := customerKeyWhere("c.", tenantID, k)
	rows, err := x.query(ctx, customerSummarySQL+cond, append([]any{baas.AccountCustomer}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var s *baas.CustomerSummary
	for rows.Next() {
		var sum baas.CustomerSummary
		var ar accountRow
		var docID, docType, autoAt sql.NullInt64
		var status sql.NullString
		dest := append([]any{&sum.CustomerID, &sum.FirstName, &sum.LastName}, ar.dest()...)
		if err := rows.Scan(append(dest, &docID, &docType, &status, &autoAt)...); err != nil {
			return nil, err
		}
		if s == nil {
			sum.Account = *ar.done()
			s = &sum
		}
		if docID.Valid {
			d := &baas.KYCDocument{ID: docID.Int64, TenantID: tenantID, CustomerID: s.CustomerID, Type: int(docType.Int64),
				Status: status.String}
			if autoAt.Valid {
				d.AutoVerifyAt = fromMicros(autoAt.Int64)
			}
			s.Documents = append(s.Documents, d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if s == nil {
		return nil, baas.Errorf(baas.ENotFound, "customer not found")
	}
	slices.SortFunc(s.Documents, func(a, b *baas.KYCDocument) int { return cmp.Compare(a.Type, b.Type) })
	return s, nil
}

// --- KYC documents ---

func nullMicros(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: micros(t), Valid: true}
}

func (x *queries) InsertKYCDocument(ctx context.Context, d *baas.KYCDocument) error {
	err := x.row(ctx, `INSERT INTO kyc_documents (tenant_id, customer_id, doc_type, doc_number, status, reason, reviewer,
		created_at, reviewed_at, auto_verify_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		d.TenantID, d.CustomerID, d.Type, d.Number, d.Status, d.Reason, d.Reviewer, micros(d.CreatedAt),
		nullMicros(d.ReviewedAt), nullMicros(d.AutoVerifyAt)).Scan(&d.ID)
	if err != nil {
		return x.translate(err)
	}
	for i := range d.Images {
		im := &d.Images[i]
		im.DocumentID = d.ID
		if _, err := x.exec(ctx, `INSERT INTO kyc_images (document_id, side, content_type, width, height, size, sha256, data)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, im.DocumentID, im.Side, im.ContentType, im.Width, im.Height, im.Size,
			im.SHA256, im.Data); err != nil {
			return err
		}
	}
	return nil
}

const kycCols = `d.id, d.tenant_id, d.customer_id, d.doc_type, d.doc_number, d.status, d.reason, d.reviewer, d.created_at,
	d.reviewed_at, d.auto_verify_at, COALESCE(c.codego_user_id, ''), c.first_name, c.last_name, c.email`

const kycFrom = ` FROM kyc_documents d JOIN customers c ON c.id = d.customer_id`

func scanKYC(s interface{ Scan(...any) error }) (*baas.KYCDocument, error) {
	var d baas.KYCDocument
	var created int64
	var reviewed, auto sql.NullInt64
	var first, last string
	if err := s.Scan(&d.ID, &d.TenantID, &d.CustomerID, &d.Type, &d.Number, &d.Status, &d.Reason, &d.Reviewer, &created,
		&reviewed, &auto, &d.CustomerRef, &first, &last, &d.CustomerEmail); err != nil {
		return nil, err
	}
	d.CreatedAt = fromMicros(created)
	if reviewed.Valid {
		d.ReviewedAt = fromMicros(reviewed.Int64)
	}
	if auto.Valid {
		d.AutoVerifyAt = fromMicros(auto.Int64)
	}
	d.CustomerName = strings.TrimSpace(first + " " + last)
	return &d, nil
}

// listKYC runs a document query and adds the images' metadata.
func (x *queries) listKYC(ctx context.Context, q string, args ...any) ([]*baas.KYCDocument, error) {
	rows, err := x.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	var out []*baas.KYCDocument
	for rows.Next() {
		d, err := scanKYC(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, d)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := x.addImages(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// addImages fills in the images' metadata of docs in one query.
func (x *queries) addImages(ctx context.Context, docs []*baas.KYCDocument) error {
	if len(docs) == 0 {
		return nil
	}
	byID := make(map[int64]*baas.KYCDocument, len(docs))
	args := make([]any, 0, len(docs))
	for _, d := range docs {
		byID[d.ID] = d
		args = append(args, d.ID)
	}
	rows, err := x.query(ctx, `SELECT document_id, side, content_type, width, height, size, sha256 FROM kyc_images
		WHERE document_id IN (?`+strings.Repeat(", ?", len(args)-1)+`) ORDER BY document_id, side DESC`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var im baas.KYCImage
		if err := rows.Scan(&im.DocumentID, &im.Side, &im.ContentType, &im.Width, &im.Height, &im.Size, &im.SHA256); err != nil {
			return err
		}
		if d := byID[im.DocumentID]; d != nil {
			d.Images = append(d.Images, im)
		}
	}
	return rows.Err()
}

func (x *queries) GetKYCDocument(ctx context.Context, id int64) (*baas.KYCDocument, error) {
	docs, err := x.listKYC(ctx, `SELECT `+kycCols+kycFrom+` WHERE d.id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(docs) == 0 {
		return nil, baas.Errorf(baas.ENotFound, "document not found")
	}
	return docs[0], nil
}

func (x *queries) ListKYCDocuments(ctx context.Context, f baas.KYCFilter) ([]*baas.KYCDocument, error) {
	w := &where{}
	if f.TenantID != "" {
		w.add("d.tenant_id = ?", f.TenantID)
	}
	if f.CustomerID != "" {
		w.add("d.customer_id = ?", f.CustomerID)
	}
	if f.Status != "" {
		w.add("d.status = ?", f.Status)
	}
	if f.AfterID > 0 {
		w.add("d.id > ?", f.AfterID)
	}
	limit, args := limitClause(f.Limit, w.args)
	return x.listKYC(ctx, `SELECT `+kycCols+kycFrom+w.String()+` ORDER BY d.id`+limit, args...)
}

func (x *queries) LatestKYCDocuments(ctx context.Context, customerID string) ([]*baas.KYCDocument, error) {
	return x.listKYC(ctx, `SELECT `+kycCols+kycFrom+` WHERE d.id IN (
		SELECT MAX(id) FROM kyc_documents WHERE customer_id = ? GROUP BY doc_type) ORDER BY d.doc_type`, customerID)
}

func (x *queries) GetKYCImage(ctx context.Context, documentID int64, side string) (*baas.KYCImage, error) {
	var im baas.KYCImage
	err := x.row(ctx, `SELECT document_id, side, content_type, width, height, size, sha256, data FROM kyc_images
		WHERE document_id = ? AND side = ?`, documentID, side).Scan(&im.DocumentID, &im.Side, &im.ContentType, &im.Width,
		&im.Height, &im.Size, &im.SHA256, &im.Data)
	if err != nil {
		return nil, x.scanErr(err, "image")
	}
	return &im, nil
}

func (x *queries) DecideKYCDocument(ctx context.Context, id int64, status, reason, reviewer string, at time.Time) (bool, error) {
	res, err := x.exec(ctx, `UPDATE kyc_documents SET status = ?, reason = ?, reviewer = ?, reviewed_at = ?
		WHERE id = ? AND status = 'Pending'`, status, reason, reviewer, micros(at), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (x *queries) DueKYCDocuments(ctx context.Context, customerID string, now time.Time, limit int) ([]*baas.KYCDocument, error) {
	w := &where{}
	// The status is a literal so that the partial index kyc_documents_auto applies.
	w.add("d.status = 'Pending' AND d.auto_verify_at IS NOT NULL AND d.auto_verify_at <= ?", micros(now))
	if customerID != "" {
		w.add("d.customer_id = ?", customerID)
	}
	return x.listKYC(ctx, `SELECT `+kycCols+kycFrom+w.String()+` ORDER BY d.id LIMIT ?`, append(w.args, limit)...)
}

// --- KYC settings ---

func (x *queries) GetKYCSettings(ctx context.Context, tenantID string) (*baas.KYCSettings, error) {
	s := &baas.KYCSettings{TenantID: tenantID}
	var after int64
	err := x.row(ctx, `SELECT auto_verify_after FROM kyc_settings WHERE tenant_id = ?`, tenantID).Scan(&after)
	if errors.Is(err, sql.ErrNoRows) {
		return s, nil
	}
	if err != nil {
		return nil, x.translate(err)
	}
	s.AutoVerifyAfter = time.Duration(after) * time.Microsecond
	return s, nil
}

func (x *queries) PutKYCSettings(ctx context.Context, s *baas.KYCSettings) error {
	_, err := x.exec(ctx, `INSERT INTO kyc_settings (tenant_id, auto_verify_after) VALUES (?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET auto_verify_after = excluded.auto_verify_after`,
		s.TenantID, s.AutoVerifyAfter.Microseconds())
	return err
}
