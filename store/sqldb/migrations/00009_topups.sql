-- +goose Up
-- Girasol top-ups: credits of a customer account from the tenant's master account, at
-- most one per invoice of the tenant. details holds what the point of sale sent (JSON).
CREATE TABLE top_ups (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    account_id  {{.BigInt}} NOT NULL REFERENCES accounts(id),
    transfer_id {{.BigInt}} NOT NULL REFERENCES transfers(id),
    invoice     TEXT NOT NULL,
    amount      {{.BigInt}} NOT NULL CHECK (amount > 0),
    tax         {{.BigInt}} NOT NULL CHECK (tax >= 0),
    currency    TEXT NOT NULL,
    reversed    {{.BigInt}} NOT NULL DEFAULT 0 CHECK (reversed >= 0 AND reversed <= amount),
    details     TEXT NOT NULL,
    created_at  {{.BigInt}} NOT NULL,
    updated_at  {{.BigInt}} NOT NULL
);
CREATE UNIQUE INDEX top_ups_invoice ON top_ups (tenant_id, invoice);

-- Reversals of top-ups, confirmed by a one-time code of which only a keyed hash is kept.
CREATE TABLE top_up_reversals (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    top_up_id   TEXT NOT NULL REFERENCES top_ups(id),
    amount      {{.BigInt}} NOT NULL CHECK (amount > 0),
    code_hash   {{.Bytes}} NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'cancelled', 'expired')),
    transfer_id {{.BigInt}} REFERENCES transfers(id),
    expires_at  {{.BigInt}} NOT NULL,
    created_at  {{.BigInt}} NOT NULL,
    updated_at  {{.BigInt}} NOT NULL
);
CREATE INDEX top_up_reversals_top_up ON top_up_reversals (top_up_id, created_at);

-- An account's QR code: an opaque code that names the account for top-ups.
CREATE TABLE account_qr_codes (
    code       TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    account_id {{.BigInt}} NOT NULL REFERENCES accounts(id),
    created_at {{.BigInt}} NOT NULL
);
CREATE UNIQUE INDEX account_qr_codes_account ON account_qr_codes (account_id);

-- +goose Down
DROP TABLE account_qr_codes;
DROP TABLE top_up_reversals;
DROP TABLE top_ups;
