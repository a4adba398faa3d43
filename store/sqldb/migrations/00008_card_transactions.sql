-- +goose Up
-- Card transactions: every authorization attempt with its decision and reason, and the
-- captures, reversals, refunds and expiries acting on it (original_id). The totals of an
-- authorization or purchase (authorized, captured, reversed, refunded) are updated in
-- the transaction that moves its money.
CREATE TABLE card_transactions (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id),
    card_id          TEXT NOT NULL REFERENCES cards(id),
    customer_id      TEXT NOT NULL,
    account_id       {{.BigInt}} NOT NULL REFERENCES accounts(id),
    type             TEXT NOT NULL CHECK (type IN ('authorization', 'purchase', 'capture', 'reversal', 'refund', 'expiry')),
    status           TEXT NOT NULL CHECK (status IN ('approved', 'declined')),
    state            TEXT NOT NULL,
    reason           TEXT NOT NULL,
    detail           TEXT NOT NULL DEFAULT '',
    amount           {{.BigInt}} NOT NULL CHECK (amount >= 0),
    currency         TEXT NOT NULL,
    authorized       {{.BigInt}} NOT NULL DEFAULT 0,
    captured         {{.BigInt}} NOT NULL DEFAULT 0,
    reversed         {{.BigInt}} NOT NULL DEFAULT 0,
    refunded         {{.BigInt}} NOT NULL DEFAULT 0,
    merchant_name    TEXT NOT NULL DEFAULT '',
    merchant_city    TEXT NOT NULL DEFAULT '',
    merchant_country TEXT NOT NULL DEFAULT '',
    mcc              TEXT NOT NULL DEFAULT '',
    entry_mode       TEXT NOT NULL DEFAULT '',
    hold_id          {{.BigInt}} NOT NULL DEFAULT 0,
    original_id      TEXT NOT NULL DEFAULT '',
    transfer_id      {{.BigInt}} NOT NULL DEFAULT 0,
    expires_at       {{.BigInt}} NOT NULL DEFAULT 0,
    created_at       {{.BigInt}} NOT NULL,
    updated_at       {{.BigInt}} NOT NULL,
    CHECK (captured >= 0 AND reversed >= 0 AND refunded >= 0 AND captured + reversed <= authorized AND refunded <= captured)
);
-- A card's transactions newest first, and its approved totals since a time.
CREATE INDEX card_transactions_card ON card_transactions (card_id, id);
CREATE INDEX card_transactions_totals ON card_transactions (card_id, created_at) WHERE status = 'approved';
-- Open authorizations by expiry, for the expiry sweep.
CREATE INDEX card_transactions_open ON card_transactions (expires_at) WHERE hold_id <> 0;
CREATE INDEX card_transactions_tenant ON card_transactions (tenant_id, id);

-- +goose Down
DROP TABLE card_transactions;
