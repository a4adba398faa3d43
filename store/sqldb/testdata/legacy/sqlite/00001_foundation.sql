-- +goose Up
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE tenants (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    company_id    TEXT NOT NULL UNIQUE,
    whitelabel_id TEXT NOT NULL UNIQUE,
    sandbox       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE credentials (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    kind        TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (kind, key_id)
);

CREATE TABLE customers (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants(id),
    email         TEXT NOT NULL,
    handle        TEXT NOT NULL,
    first_name    TEXT NOT NULL,
    last_name     TEXT NOT NULL,
    phone         TEXT NOT NULL,
    address_line1 TEXT NOT NULL,
    address_line2 TEXT NOT NULL,
    city          TEXT NOT NULL,
    zip_code      TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);
CREATE UNIQUE INDEX customers_tenant_email ON customers (tenant_id, email);
CREATE UNIQUE INDEX customers_tenant_handle ON customers (tenant_id, handle);

CREATE TABLE accounts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    customer_id    TEXT REFERENCES customers(id),
    kind           TEXT NOT NULL,
    number         INTEGER UNIQUE,
    currency       TEXT NOT NULL,
    balance        INTEGER NOT NULL DEFAULT 0,
    held           INTEGER NOT NULL DEFAULT 0,
    allow_negative INTEGER NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    CHECK (held >= 0),
    CHECK (allow_negative OR balance - held >= 0)
);
CREATE INDEX accounts_customer ON accounts (customer_id);
CREATE UNIQUE INDEX accounts_system ON accounts (tenant_id, kind, currency) WHERE customer_id IS NULL;

-- transfers, postings and events are append-only (never deleted), so a plain INTEGER
-- PRIMARY KEY hands out increasing ids just as AUTOINCREMENT would, without the extra
-- sqlite_sequence update per insert (three per transfer on the writer's hot path).
-- transfers.tenant_id and events.tenant_id have no foreign key: every transfer and
-- event of a tenant would take a key-share lock on its one tenants row, and on
-- PostgreSQL many concurrent lockers of one row turn into multixacts. Tenants are never
-- deleted and the id always comes from an authenticated credential.
CREATE TABLE transfers (
    id          INTEGER PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    description TEXT NOT NULL,
    merchant    TEXT NOT NULL,
    metadata    TEXT,
    created_at  INTEGER NOT NULL
);

CREATE TABLE postings (
    id            INTEGER PRIMARY KEY,
    transfer_id   INTEGER NOT NULL REFERENCES transfers(id),
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    currency      TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    balance_after INTEGER NOT NULL
);
CREATE INDEX postings_account ON postings (account_id, id);
CREATE INDEX postings_transfer ON postings (transfer_id);

CREATE TABLE holds (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    currency   TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount > 0),
    status     TEXT NOT NULL,
    reference  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX holds_account ON holds (account_id, status);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    type       TEXT NOT NULL,
    object_id  TEXT NOT NULL,
    payload    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX events_tenant ON events (tenant_id, id);

CREATE TABLE idempotency_keys (
    tenant_id   TEXT NOT NULL,
    key         TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    result      TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_expiry ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE events;
DROP TABLE holds;
DROP TABLE postings;
DROP TABLE transfers;
DROP TABLE accounts;
DROP TABLE customers;
DROP TABLE credentials;
DROP TABLE tenants;
DROP TABLE settings;
