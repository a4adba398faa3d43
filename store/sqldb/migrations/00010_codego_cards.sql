-- +goose Up
-- A product option of a card, such as a Codego debit card's material (plastic, metal);
-- '' for products without options.
ALTER TABLE cards ADD COLUMN variant TEXT NOT NULL DEFAULT '';
CREATE INDEX cards_customer ON cards (customer_id, id);

-- A tenant's limits on loading prepaid cards, per card and calendar day (UTC): the most
-- loaded (minor units) and the most loads. Without a row the defaults apply.
CREATE TABLE card_load_limits (
    tenant_id       TEXT PRIMARY KEY REFERENCES tenants(id),
    daily_amount    {{.BigInt}} NOT NULL,
    daily_count     INTEGER NOT NULL,
    updated_at      {{.BigInt}} NOT NULL
);

-- Loads of prepaid cards from the tenant's float: pending (the amount held on the float)
-- until settled (completed: a transfer from the float to the card's account) or failed
-- (the hold released).
CREATE TABLE card_loads (
    id          {{.Serial}},
    tenant_id   TEXT NOT NULL REFERENCES tenants(id),
    card_id     TEXT NOT NULL REFERENCES cards(id),
    account_id  {{.BigInt}} NOT NULL REFERENCES accounts(id),
    hold_id     {{.BigInt}} NOT NULL REFERENCES holds(id),
    amount      {{.BigInt}} NOT NULL CHECK (amount > 0),
    currency    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
    reason      TEXT NOT NULL DEFAULT '',
    transfer_id {{.BigInt}},
    settle_at   {{.BigInt}} NOT NULL,
    created_at  {{.BigInt}} NOT NULL,
    updated_at  {{.BigInt}} NOT NULL
);
CREATE INDEX card_loads_card ON card_loads (card_id, created_at);
CREATE INDEX card_loads_due ON card_loads (status, settle_at);

-- +goose Down
DROP TABLE card_loads;
DROP TABLE card_load_limits;
DROP INDEX cards_customer;
ALTER TABLE cards DROP COLUMN variant;
