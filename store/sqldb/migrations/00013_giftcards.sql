-- +goose Up
-- Gift cards: the issue record of a card of a gift-card product (the card itself is a
-- row of cards), and each tenant's fees per gift-card product.
CREATE TABLE giftcards (
    card_id      TEXT PRIMARY KEY REFERENCES cards(id),
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    customer_id  TEXT NOT NULL REFERENCES customers(id),
    access_hash  {{.Bytes}} NOT NULL,
    mobile       TEXT NOT NULL DEFAULT '',
    amount       {{.BigInt}} NOT NULL,
    fee          {{.BigInt}} NOT NULL,
    currency     TEXT NOT NULL,
    description  TEXT NOT NULL,
    transfer_id  {{.BigInt}} NOT NULL REFERENCES transfers(id),
    details_at   {{.BigInt}} NOT NULL,
    delivered_at {{.BigInt}} NOT NULL DEFAULT 0,
    created_at   {{.BigInt}} NOT NULL
);
CREATE INDEX giftcards_tenant ON giftcards (tenant_id, customer_id, created_at);

CREATE TABLE giftcard_fees (
    tenant_id       TEXT NOT NULL REFERENCES tenants(id),
    product         TEXT NOT NULL,
    issue_fee       {{.BigInt}} NOT NULL,
    load_fixed      {{.BigInt}} NOT NULL,
    load_percent_bp {{.BigInt}} NOT NULL,
    updated_at      {{.BigInt}} NOT NULL,
    PRIMARY KEY (tenant_id, product)
);

-- +goose Down
DROP TABLE giftcard_fees;
DROP TABLE giftcards;
