-- +goose Up
-- Webhook endpoints of a tenant. event_types is ",type,type," ("" for every event);
-- the event request key and the signing secret are sealed with AES-GCM by the core.
CREATE TABLE webhook_endpoints (
    id                       TEXT PRIMARY KEY,
    tenant_id                TEXT NOT NULL REFERENCES tenants(id),
    url                      TEXT NOT NULL,
    event_types              TEXT NOT NULL DEFAULT '',
    format                   TEXT NOT NULL DEFAULT 'envelope',
    event_request_key_sealed BLOB NOT NULL,
    signing_secret_sealed    BLOB NOT NULL,
    created_at               INTEGER NOT NULL,
    deleted_at               INTEGER
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, created_at);

-- The outbox: one row per event and endpoint, written in the transaction of the event.
-- next_attempt_at doubles as the lease: a claimed delivery is due again when its lease
-- ends, unless its result is recorded first (by the holder of lease_token).
CREATE TABLE webhook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id        TEXT NOT NULL,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id),
    event_id         INTEGER NOT NULL REFERENCES events(id),
    object_id        TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('waiting', 'pending', 'succeeded', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    round_attempts   INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_token      TEXT NOT NULL DEFAULT '',
    last_status_code INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    last_latency_us  INTEGER NOT NULL DEFAULT 0,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    completed_at     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX webhook_deliveries_event ON webhook_deliveries (event_id, endpoint_id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_chain ON webhook_deliveries (endpoint_id, object_id, status, event_id);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (tenant_id, created_at) WHERE status = 'failed';

-- The delivery log: one row per HTTP attempt.
CREATE TABLE webhook_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries(id),
    attempt     INTEGER NOT NULL,
    status_code INTEGER NOT NULL,
    error       TEXT NOT NULL,
    latency_us  INTEGER NOT NULL,
    response    TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);

-- The tenant's real-time authorization call.
ALTER TABLE tenants ADD COLUMN authorization_url TEXT NOT NULL DEFAULT '';
ALTER TABLE tenants ADD COLUMN authorization_timeout_ms INTEGER NOT NULL DEFAULT 2000;
ALTER TABLE tenants ADD COLUMN authorization_stand_in TEXT NOT NULL DEFAULT 'decline';
ALTER TABLE tenants ADD COLUMN authorization_secret_sealed BLOB;

CREATE TABLE authorization_calls (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    request_id  TEXT NOT NULL,
    reference   TEXT NOT NULL,
    approved    INTEGER NOT NULL,
    stand_in    INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    latency_us  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX authorization_calls_tenant ON authorization_calls (tenant_id, id);

-- +goose Down
DROP TABLE authorization_calls;
ALTER TABLE tenants DROP COLUMN authorization_secret_sealed;
ALTER TABLE tenants DROP COLUMN authorization_stand_in;
ALTER TABLE tenants DROP COLUMN authorization_timeout_ms;
ALTER TABLE tenants DROP COLUMN authorization_url;
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
