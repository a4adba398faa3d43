-- +goose Up
-- Crypto wallets: a deposit address per tenant, customer ('' for the tenant's own
-- wallet), coin and network. Addresses are unique across tenants: a deposit names only
-- its address.
CREATE TABLE crypto_wallets (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    customer_id TEXT NOT NULL DEFAULT '',
    coin        TEXT NOT NULL,
    network     TEXT NOT NULL,
    address     TEXT NOT NULL,
    created_at  {{.BigInt}} NOT NULL
);
CREATE UNIQUE INDEX crypto_wallets_owner ON crypto_wallets (tenant_id, customer_id, coin, network);
CREATE UNIQUE INDEX crypto_wallets_address ON crypto_wallets (address);

-- +goose Down
DROP TABLE crypto_wallets;
