-- +goose Up
-- Spending-control rules (the Girasol "Controls") of a tenant: on its company, a card
-- product or one of its cards. The owner is named, not referenced: a card rule names a
-- card of the tenant, a product rule a product name, a company rule the company id. The
-- values are checked by the core (rules.Normalize); the CHECKs are a second line.
CREATE TABLE spending_controls (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    owner_type      TEXT NOT NULL CHECK (owner_type IN ('company', 'product', 'card')),
    owner_id        TEXT NOT NULL,
    validation_type TEXT NOT NULL CHECK (validation_type IN ('Mcc', 'Amount', 'EntryMode')),
    value           TEXT NOT NULL,
    amount          {{.BigInt}} NOT NULL CHECK (amount >= 0),
    currency_code   TEXT NOT NULL,
    business_scope  TEXT NOT NULL CHECK (business_scope IN ('International', 'Domestic', 'Both')),
    range_type      TEXT NOT NULL CHECK (range_type IN ('Daily', 'Weekly', 'Monthly', 'Always')),
    time_begin      TEXT NOT NULL,
    time_end        TEXT NOT NULL,
    created_at      {{.BigInt}} NOT NULL,
    updated_at      {{.BigInt}} NOT NULL
);
CREATE INDEX spending_controls_owner ON spending_controls (tenant_id, owner_type, owner_id, id);

-- Where a tenant is, for spending controls: its time zone and country. Without a row:
-- UTC and no country.
CREATE TABLE tenant_regions (
    tenant_id  TEXT PRIMARY KEY REFERENCES tenants(id),
    time_zone  TEXT NOT NULL,
    country    TEXT NOT NULL,
    updated_at {{.BigInt}} NOT NULL
);

-- +goose Down
DROP TABLE tenant_regions;
DROP TABLE spending_controls;
