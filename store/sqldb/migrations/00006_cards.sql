-- +goose Up
-- Cards of every product and dialect. The number and CVV are only sealed (sealed) and
-- hashed for look-up (pan_hash, unique: numbers are unique); the PIN only hashed.
CREATE TABLE cards (
    id                  TEXT PRIMARY KEY,
    tenant_id           TEXT NOT NULL REFERENCES tenants(id),
    customer_id         TEXT NOT NULL REFERENCES customers(id),
    account_id          {{.BigInt}} NOT NULL REFERENCES accounts(id),
    product             TEXT NOT NULL,
    form_factor         TEXT NOT NULL CHECK (form_factor IN ('physical', 'virtual')),
    status              TEXT NOT NULL CHECK (status IN ('ordered', 'accepted', 'shipped', 'active', 'frozen',
                            'locked', 'blocked', 'lost', 'stolen', 'expired', 'replaced')),
    name_for_print      TEXT NOT NULL,
    holder              TEXT NOT NULL,
    masked_pan          TEXT NOT NULL,
    last4               TEXT NOT NULL,
    exp_month           INTEGER NOT NULL,
    exp_year            INTEGER NOT NULL,
    pan_hash            {{.Bytes}} NOT NULL,
    sealed              {{.Bytes}} NOT NULL,
    pin_hash            {{.Bytes}},
    activation_failures INTEGER NOT NULL DEFAULT 0,
    created_at          {{.BigInt}} NOT NULL,
    updated_at          {{.BigInt}} NOT NULL
);
CREATE UNIQUE INDEX cards_pan_hash ON cards (pan_hash);
CREATE INDEX cards_account ON cards (account_id, id);
CREATE INDEX cards_tenant ON cards (tenant_id, id);

-- A tenant's settings of one card product; without a row the product's defaults apply.
CREATE TABLE card_product_settings (
    tenant_id    TEXT NOT NULL REFERENCES tenants(id),
    product      TEXT NOT NULL,
    bin_range    TEXT NOT NULL,
    expiry_years INTEGER NOT NULL,
    updated_at   {{.BigInt}} NOT NULL,
    PRIMARY KEY (tenant_id, product)
);

-- A tenant's card settings across products.
CREATE TABLE card_settings (
    tenant_id       TEXT PRIMARY KEY REFERENCES tenants(id),
    auto_ship       {{.Bool}} NOT NULL DEFAULT {{.False}},
    data_key_id     TEXT NOT NULL DEFAULT '',
    data_public_key TEXT NOT NULL DEFAULT '',
    updated_at      {{.BigInt}} NOT NULL
);

-- +goose Down
DROP TABLE card_settings;
DROP TABLE card_product_settings;
DROP TABLE cards;
