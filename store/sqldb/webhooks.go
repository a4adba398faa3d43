package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"hash/fnv"
	"strings"
	"time"

	"github.com/baas-oss/baas"
)

// This file holds the queries of webhooks (endpoints, the delivery outbox and its log),
// the event log and the real-time authorization settings (baas.WebhookTx).
//
// Ordering per endpoint and object: a delivery is inserted "waiting" when an earlier
// delivery of the same endpoint and object is still waiting or pending, and the
// transaction that ends a delivery (succeeded or failed) makes the next waiting one
// pending. Claims then only ever scan pending deliveries. On PostgreSQL two transactions
// could otherwise miss each other (an insert deciding "waiting" against a delivery that a
// concurrent transaction is ending), so both take a transaction-scoped advisory lock on
// the (endpoint, object) pair first — shared for inserts, exclusive for endings — and
// decide in a statement that starts after the lock is held. SQLite has one writer, so
// the question does not arise.

// --- endpoints ---

const endpointCols = `id, tenant_id, url, event_types, format, event_request_key_sealed, signing_secret_sealed, created_at, deleted_at`

// joinTypes stores an event-type filter as ",a,b," ("" for every type).
func joinTypes(types []string) string {
	if len(types) == 0 {
		return ""
	}
	return "," + strings.Join(types, ",") + ","
}

func splitTypes(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func scanEndpoint(s interface{ Scan(...any) error }) (*baas.WebhookEndpoint, error) {
	var e baas.WebhookEndpoint
	var types string
	var created int64
	var deleted sql.NullInt64
	if err := s.Scan(&e.ID, &e.TenantID, &e.URL, &types, &e.Format, &e.EventRequestKeySealed, &e.SigningSecretSealed,
		&created, &deleted); err != nil {
		return nil, err
	}
	e.EventTypes = splitTypes(types)
	e.CreatedAt = fromMicros(created)
	if deleted.Valid {
		e.DeletedAt = fromMicros(deleted.Int64)
	}
	return &e, nil
}

func (x *queries) CreateWebhookEndpoint(ctx context.Context, e *baas.WebhookEndpoint) error {
	_, err := x.exec(ctx, `INSERT INTO webhook_endpoints (`+endpointCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
		e.ID, e.TenantID, e.URL, joinTypes(e.EventTypes), e.Format, e.EventRequestKeySealed, e.SigningSecretSealed,
		micros(e.CreatedAt))
	return err
}

func (x *queries) GetWebhookEndpoint(ctx context.Context, tenantID, id string) (*baas.WebhookEndpoint, error) {
	e, err := scanEndpoint(x.row(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints
		WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL`, id, tenantID))
	return e, x.scanErr(err, "webhook endpoint")
}

func (x *queries) GetWebhookEndpointIncludingDeleted(ctx context.Context, tenantID, id string) (*baas.WebhookEndpoint, error) {
	e, err := scanEndpoint(x.row(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints
		WHERE id = ? AND tenant_id = ?`, id, tenantID))
	return e, x.scanErr(err, "webhook endpoint")
}

func (x *queries) ListWebhookEndpoints(ctx context.Context, tenantID string) ([]*baas.WebhookEndpoint, error) {
	rows, err := x.query(ctx, `SELECT `+endpointCols+` FROM webhook_endpoints
		WHERE tenant_id = ? AND deleted_at IS NULL ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.WebhookEndpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (x *queries) DeleteWebhookEndpoint(ctx context.Context, tenantID, id string, at time.Time) error {
	res, err := x.exec(ctx, `UPDATE webhook_endpoints SET deleted_at = ? WHERE id = ? AND tenant_id = ? AND deleted_at IS NULL`,
		micros(at), id, tenantID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return baas.Errorf(baas.ENotFound, "webhook endpoint not found")
	}
	_, err = x.exec(ctx, `UPDATE webhook_deliveries SET status = 'failed', last_error = 'endpoint deleted',
		updated_at = ?, completed_at = ? WHERE endpoint_id = ? AND status IN ('waiting', 'pending')`,
		micros(at), micros(at), id)
	return err
}

// --- the outbox ---

// chainKey is the advisory-lock key of an (endpoint, object) pair.
func chainKey(endpointID, objectID string) int64 {
	h := fnv.New64a()
	h.Write([]byte(endpointID))
	h.Write([]byte{0})
	h.Write([]byte(objectID))
	return int64(h.Sum64())
}

// lockChain takes the lock of an (endpoint, object) pair until the transaction ends,
// where the dialect has such locks (PostgreSQL's advisory locks); elsewhere it does
// nothing.
func (x *queries) lockChain(ctx context.Context, endpointID, objectID string, exclusive bool) error {
	q := x.db.dialect.chainLock(exclusive)
	if q == "" {
		return nil
	}
	var v any
	return x.translate(x.row(ctx, q, chainKey(endpointID, objectID)).Scan(&v))
}

func (x *queries) EnqueueDeliveries(ctx context.Context, e *baas.Event) error {
	rows, err := x.query(ctx, `SELECT id, event_types FROM webhook_endpoints WHERE tenant_id = ? AND deleted_at IS NULL`, e.TenantID)
	if err != nil {
		return err
	}
	var targets []string
	for rows.Next() {
		var id, types string
		if err := rows.Scan(&id, &types); err != nil {
			rows.Close()
			return err
		}
		ep := baas.WebhookEndpoint{EventTypes: splitTypes(types)}
		if ep.Wants(e.Type) {
			targets = append(targets, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	at := micros(e.CreatedAt)
	for _, id := range targets {
		if err := x.lockChain(ctx, id, e.ObjectID, false); err != nil {
			return err
		}
		_, err := x.exec(ctx, `INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, object_id, status,
			next_attempt_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, CASE WHEN EXISTS (SELECT 1 FROM webhook_deliveries
				WHERE endpoint_id = ? AND object_id = ? AND status IN ('waiting', 'pending')) THEN 'waiting' ELSE 'pending' END,
			?, ?, ?)`,
			e.TenantID, id, e.ID, e.ObjectID, id, e.ObjectID, at, at, at)
		if err != nil {
			return err
		}
	}
	return nil
}

func (x *queries) ClaimDeliveries(ctx context.Context, p baas.ClaimDeliveriesParams) ([]*baas.ClaimedDelivery, error) {
	if p.Limit <= 0 {
		return nil, nil
	}
	rows, err := x.query(ctx, `UPDATE webhook_deliveries SET next_attempt_at = ?, lease_token = ?,
		attempts = attempts + 1, round_attempts = round_attempts + 1, updated_at = ?
		WHERE id IN (SELECT id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ?
			ORDER BY next_attempt_at, id LIMIT ?`+x.db.dialect.SkipLocked+`)
		RETURNING id`, micros(p.LeaseUntil), p.LeaseToken, micros(p.Now), micros(p.Now), p.Limit)
	if err != nil {
		return nil, err
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err = x.query(ctx, `SELECT `+prefixCols("d.", deliveryCols)+`, e.type, e.payload, e.created_at, `+
		prefixCols("ep.", endpointCols)+`
		FROM webhook_deliveries d JOIN events e ON e.id = d.event_id JOIN webhook_endpoints ep ON ep.id = d.endpoint_id
		WHERE d.id IN (?`+strings.Repeat(", ?", len(ids)-1)+`) ORDER BY d.next_attempt_at, d.id`, ids...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.ClaimedDelivery
	for rows.Next() {
		c := &baas.ClaimedDelivery{LeaseToken: p.LeaseToken}
		var dr deliveryRow
		var payload string
		var evCreated int64
		var types string
		var epCreated int64
		var epDeleted sql.NullInt64
		dest := append(dr.dest(), &c.Event.Type, &payload, &evCreated,
			&c.Endpoint.ID, &c.Endpoint.TenantID, &c.Endpoint.URL, &types, &c.Endpoint.Format,
			&c.Endpoint.EventRequestKeySealed, &c.Endpoint.SigningSecretSealed, &epCreated, &epDeleted)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		c.Delivery = *dr.finish()
		c.Delivery.EventType = c.Event.Type
		c.Event.ID, c.Event.TenantID, c.Event.ObjectID = c.Delivery.EventID, c.Delivery.TenantID, c.Delivery.ObjectID
		c.Event.Payload, c.Event.CreatedAt = json.RawMessage(payload), fromMicros(evCreated)
		c.Endpoint.EventTypes, c.Endpoint.CreatedAt = splitTypes(types), fromMicros(epCreated)
		if epDeleted.Valid {
			c.Endpoint.DeletedAt = fromMicros(epDeleted.Int64)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func (x *queries) NextDeliveryDue(ctx context.Context) (time.Time, bool, error) {
	var due sql.NullInt64
	err := x.row(ctx, `SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'`).Scan(&due)
	if err != nil {
		return time.Time{}, false, x.translate(err)
	}
	if !due.Valid {
		return time.Time{}, false, nil
	}
	return fromMicros(due.Int64), true, nil
}

func (x *queries) DeliveryBacklog(ctx context.Context, now time.Time) (baas.DeliveryBacklog, error) {
	var b baas.DeliveryBacklog
	var oldest sql.NullInt64
	n := micros(now)
	err := x.row(ctx, `SELECT COUNT(*), COUNT(CASE WHEN next_attempt_at <= ? THEN 1 END),
		MIN(CASE WHEN next_attempt_at <= ? THEN next_attempt_at END)
		FROM webhook_deliveries WHERE status = 'pending'`, n, n).Scan(&b.Pending, &b.Due, &oldest)
	if err != nil {
		return b, x.translate(err)
	}
	if oldest.Valid {
		b.OldestDue = fromMicros(oldest.Int64)
	}
	return b, nil
}

func (x *queries) RecordDeliveryResult(ctx context.Context, r *baas.DeliveryResult) (bool, error) {
	var endpointID, objectID string
	err := x.row(ctx, `SELECT endpoint_id, object_id FROM webhook_deliveries WHERE id = ?`, r.DeliveryID).Scan(&endpointID, &objectID)
	if err != nil {
		return false, x.scanErr(err, "webhook delivery")
	}
	if err := x.lockChain(ctx, endpointID, objectID, true); err != nil {
		return false, err
	}
	at := micros(r.At)
	completed := int64(0)
	next := micros(r.NextAttemptAt)
	if r.Status != baas.DeliveryPending {
		completed, next = at, at
	}
	res, err := x.exec(ctx, `UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, lease_token = '',
		last_status_code = ?, last_error = ?, last_latency_us = ?, updated_at = ?, completed_at = ?
		WHERE id = ? AND lease_token = ? AND status = 'pending'`,
		r.Status, next, r.StatusCode, r.Error, r.Latency.Microseconds(), at, completed, r.DeliveryID, r.LeaseToken)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	held := n == 1
	if held && r.Status != baas.DeliveryPending {
		// The next delivery of this endpoint and object may go, unless another one of
		// them is pending (a re-sent one, which does not wait its turn).
		_, err = x.exec(ctx, `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, updated_at = ?
			WHERE id = (SELECT id FROM webhook_deliveries WHERE endpoint_id = ? AND object_id = ? AND status = 'waiting'
				ORDER BY event_id LIMIT 1)
			AND NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE endpoint_id = ? AND object_id = ? AND status = 'pending')`,
			at, at, endpointID, objectID, endpointID, objectID)
		if err != nil {
			return false, err
		}
	}
	_, err = x.exec(ctx, `INSERT INTO webhook_attempts (delivery_id, attempt, status_code, error, latency_us, response, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, r.DeliveryID, r.Attempt, r.StatusCode, r.Error, r.Latency.Microseconds(), r.Response, at)
	return held, err
}

const deliveryCols = `id, tenant_id, endpoint_id, event_id, object_id, status, attempts, round_attempts, next_attempt_at, last_status_code, last_error, last_latency_us, created_at, updated_at, completed_at`

// deliveryRow scans deliveryCols.
type deliveryRow struct {
	d                                         baas.WebhookDelivery
	next, latency, created, updated, complete int64
}

func (r *deliveryRow) dest() []any {
	d := &r.d
	return []any{&d.ID, &d.TenantID, &d.EndpointID, &d.EventID, &d.ObjectID, &d.Status, &d.Attempts, &d.RoundAttempts,
		&r.next, &d.LastStatusCode, &d.LastError, &r.latency, &r.created, &r.updated, &r.complete}
}

func (r *deliveryRow) finish() *baas.WebhookDelivery {
	d := r.d
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt = fromMicros(r.next), fromMicros(r.created), fromMicros(r.updated)
	d.LastLatency = time.Duration(r.latency) * time.Microsecond
	if r.complete != 0 {
		d.CompletedAt = fromMicros(r.complete)
	}
	return &d
}

func (x *queries) GetDelivery(ctx context.Context, tenantID string, id int64) (*baas.WebhookDelivery, error) {
	var r deliveryRow
	var typ string
	err := x.row(ctx, `SELECT `+prefixCols("d.", deliveryCols)+`, e.type FROM webhook_deliveries d
		JOIN events e ON e.id = d.event_id WHERE d.id = ? AND d.tenant_id = ?`, id, tenantID).Scan(append(r.dest(), &typ)...)
	if err != nil {
		return nil, x.scanErr(err, "webhook delivery")
	}
	d := r.finish()
	d.EventType = typ
	return d, nil
}

func (x *queries) ListDeliveries(ctx context.Context, f baas.DeliveryFilter) ([]*baas.WebhookDelivery, error) {
	w := &where{}
	w.add("d.tenant_id = ?", f.TenantID)
	if f.EndpointID != "" {
		w.add("d.endpoint_id = ?", f.EndpointID)
	}
	if f.EventID != 0 {
		w.add("d.event_id = ?", f.EventID)
	}
	if f.Status != "" {
		w.add("d.status = ?", f.Status)
	}
	if f.BeforeID > 0 {
		w.add("d.id < ?", f.BeforeID)
	}
	if f.AfterID > 0 {
		w.add("d.id > ?", f.AfterID)
	}
	order := ` ORDER BY d.id DESC`
	if f.Oldest {
		order = ` ORDER BY d.id`
	}
	limit, args := limitClause(f.Limit, w.args)
	rows, err := x.query(ctx, `SELECT `+prefixCols("d.", deliveryCols)+`, e.type FROM webhook_deliveries d
		JOIN events e ON e.id = d.event_id`+w.String()+order+limit, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.WebhookDelivery
	for rows.Next() {
		var r deliveryRow
		var typ string
		if err := rows.Scan(append(r.dest(), &typ)...); err != nil {
			return nil, err
		}
		d := r.finish()
		d.EventType = typ
		out = append(out, d)
	}
	return out, rows.Err()
}

func (x *queries) ListDeliveryAttempts(ctx context.Context, deliveryID int64) ([]*baas.WebhookAttempt, error) {
	rows, err := x.query(ctx, `SELECT id, delivery_id, attempt, status_code, error, latency_us, response, created_at
		FROM webhook_attempts WHERE delivery_id = ? ORDER BY id`, deliveryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.WebhookAttempt
	for rows.Next() {
		var a baas.WebhookAttempt
		var latency, created int64
		if err := rows.Scan(&a.ID, &a.DeliveryID, &a.Attempt, &a.StatusCode, &a.Error, &latency, &a.Response, &created); err != nil {
			return nil, err
		}
		a.Latency, a.CreatedAt = time.Duration(latency)*time.Microsecond, fromMicros(created)
		out = append(out, &a)
	}
	return out, rows.Err()
}

func (x *queries) RequeueDelivery(ctx context.Context, e *baas.Event, endpointID string, now time.Time) error {
	at := micros(now)
	_, err := x.exec(ctx, `INSERT INTO webhook_deliveries (tenant_id, endpoint_id, event_id, object_id, status,
		next_attempt_at, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)
		ON CONFLICT (event_id, endpoint_id) DO UPDATE SET status = 'pending', round_attempts = 0, completed_at = 0,
			updated_at = excluded.updated_at,
			next_attempt_at = CASE WHEN webhook_deliveries.status = 'pending' AND webhook_deliveries.lease_token <> ''
				THEN webhook_deliveries.next_attempt_at ELSE excluded.next_attempt_at END`,
		e.TenantID, endpointID, e.ID, e.ObjectID, at, at, at)
	return err
}

func (x *queries) RequeueFailedDeliveries(ctx context.Context, f baas.RequeueFilter) (int64, error) {
	w := &where{}
	w.add("tenant_id = ?", f.TenantID)
	w.add("status = ?", baas.DeliveryFailed)
	w.add("created_at >= ?", micros(f.Since))
	if f.EndpointID != "" {
		w.add("endpoint_id = ?", f.EndpointID)
	}
	w.conds = append(w.conds, "endpoint_id IN (SELECT id FROM webhook_endpoints WHERE deleted_at IS NULL)")
	limit := ""
	if f.Limit > 0 {
		limit = " ORDER BY id LIMIT ?"
		w.args = append(w.args, f.Limit)
	}
	at := micros(f.Now)
	res, err := x.exec(ctx, `UPDATE webhook_deliveries SET status = 'pending', round_attempts = 0, completed_at = 0,
		next_attempt_at = ?, updated_at = ? WHERE id IN (SELECT id FROM webhook_deliveries`+w.String()+limit+`)`,
		append([]any{at, at}, w.args...)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// --- events ---

const eventCols = `id, tenant_id, type, object_id, payload, created_at`

func scanEvent(s interface{ Scan(...any) error }) (*baas.Event, error) {
	var e baas.Event
	var payload string
	var created int64
	if err := s.Scan(&e.ID, &e.TenantID, &e.Type, &e.ObjectID, &payload, &created); err != nil {
		return nil, err
	}
	e.Payload, e.CreatedAt = json.RawMessage(payload), fromMicros(created)
	return &e, nil
}

func (x *queries) GetEvent(ctx context.Context, tenantID string, id int64) (*baas.Event, error) {
	e, err := scanEvent(x.row(ctx, `SELECT `+eventCols+` FROM events WHERE id = ? AND tenant_id = ?`, id, tenantID))
	return e, x.scanErr(err, "event")
}

func (x *queries) ListEvents(ctx context.Context, f baas.EventFilter) ([]*baas.Event, error) {
	w := &where{}
	w.add("tenant_id = ?", f.TenantID)
	if f.Type != "" {
		w.add("type = ?", f.Type)
	}
	if f.BeforeID > 0 {
		w.add("id < ?", f.BeforeID)
	}
	limit, args := limitClause(f.Limit, w.args)
	rows, err := x.query(ctx, `SELECT `+eventCols+` FROM events`+w.String()+` ORDER BY id DESC`+limit, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// --- real-time authorization ---

func (x *queries) GetAuthorizationSettings(ctx context.Context, tenantID string) (*baas.AuthorizationSettings, error) {
	s := &baas.AuthorizationSettings{TenantID: tenantID}
	var timeoutMS int64
	err := x.row(ctx, `SELECT authorization_url, authorization_timeout_ms, authorization_stand_in, authorization_secret_sealed
		FROM tenants WHERE id = ?`, tenantID).Scan(&s.URL, &timeoutMS, &s.StandIn, &s.SecretSealed)
	if err != nil {
		return nil, x.scanErr(err, "tenant")
	}
	s.Timeout = time.Duration(timeoutMS) * time.Millisecond
	return s, nil
}

func (x *queries) SaveAuthorizationSettings(ctx context.Context, s *baas.AuthorizationSettings) error {
	res, err := x.exec(ctx, `UPDATE tenants SET authorization_url = ?, authorization_timeout_ms = ?, authorization_stand_in = ?,
		authorization_secret_sealed = ? WHERE id = ?`, s.URL, s.Timeout.Milliseconds(), s.StandIn, s.SecretSealed, s.TenantID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return baas.Errorf(baas.ENotFound, "tenant not found")
	}
	return nil
}

func (x *queries) InsertAuthorizationCall(ctx context.Context, c *baas.AuthorizationCall) error {
	err := x.row(ctx, `INSERT INTO authorization_calls (tenant_id, request_id, reference, approved, stand_in, reason,
		status_code, latency_us, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.TenantID, c.RequestID, c.Reference, c.Approved, c.StandIn, c.Reason, c.StatusCode, c.Latency.Microseconds(),
		micros(c.CreatedAt)).Scan(&c.ID)
	return x.translate(err)
}

func (x *queries) ListAuthorizationCalls(ctx context.Context, tenantID string, beforeID int64, limit int) ([]*baas.AuthorizationCall, error) {
	w := &where{}
	w.add("tenant_id = ?", tenantID)
	if beforeID > 0 {
		w.add("id < ?", beforeID)
	}
	clause, args := limitClause(limit, w.args)
	rows, err := x.query(ctx, `SELECT id, tenant_id, request_id, reference, approved, stand_in, reason, status_code,
		latency_us, created_at FROM authorization_calls`+w.String()+` ORDER BY id DESC`+clause, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*baas.AuthorizationCall
	for rows.Next() {
		var c baas.AuthorizationCall
		var latency, created int64
		if err := rows.Scan(&c.ID, &c.TenantID, &c.RequestID, &c.Reference, &c.Approved, &c.StandIn, &c.Reason,
			&c.StatusCode, &latency, &created); err != nil {
			return nil, err
		}
		c.Latency, c.CreatedAt = time.Duration(latency)*time.Microsecond, fromMicros(created)
		out = append(out, &c)
	}
	return out, rows.Err()
}
