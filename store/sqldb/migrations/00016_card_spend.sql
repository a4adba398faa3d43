-- +goose Up
-- What each card had approved, by currency, Unix hour (created_at / 3,600,000,000) and
-- merchant country: the sums the spending controls' amount rules read on every card
-- payment (ApprovedCardTotals), kept by the triggers below on every insert, update and
-- delete of card_transactions, in the same transaction. A window that starts on an hour
-- (UTC and every whole-hour zone: the tenant's day, week or month) is then the sum of a
-- few rows per card instead of a scan of the card's transactions since the start of the
-- month; a window that does not is summed from card_transactions as before. amount is
-- Authorized − Reversed − Refunded of the approved authorizations and purchases; the
-- domestic part is the rows whose merchant_country is '' or the tenant's country. No
-- foreign key: the rows are derived from card_transactions, whose own keys hold.
CREATE TABLE card_spend (
    card_id          TEXT NOT NULL,
    currency         TEXT NOT NULL,
    hour             {{.BigInt}} NOT NULL,
    merchant_country TEXT NOT NULL,
    amount           {{.BigInt}} NOT NULL,
    PRIMARY KEY (card_id, currency, hour, merchant_country)
){{if .SQLite}} WITHOUT ROWID{{end}};
INSERT INTO card_spend (card_id, currency, hour, merchant_country, amount)
    SELECT card_id, currency, created_at / 3600000000, merchant_country, SUM(authorized - reversed - refunded)
    FROM card_transactions WHERE status = 'approved' AND type IN ('authorization', 'purchase')
    GROUP BY card_id, currency, created_at / 3600000000, merchant_country;
{{if .SQLite -}}
-- +goose StatementBegin
CREATE TRIGGER card_spend_insert AFTER INSERT ON card_transactions
WHEN NEW.status = 'approved' AND NEW.type IN ('authorization', 'purchase')
BEGIN
    INSERT INTO card_spend (card_id, currency, hour, merchant_country, amount)
        VALUES (NEW.card_id, NEW.currency, NEW.created_at / 3600000000, NEW.merchant_country, NEW.authorized - NEW.reversed - NEW.refunded)
        ON CONFLICT (card_id, currency, hour, merchant_country) DO UPDATE SET amount = card_spend.amount + excluded.amount;
END;
-- +goose StatementEnd
-- An update changes only the totals of a transaction (UpdateCardTransaction): one
-- upsert of the difference, none when its net amount is unchanged (a capture).
-- +goose StatementBegin
CREATE TRIGGER card_spend_update AFTER UPDATE ON card_transactions
WHEN NEW.status = 'approved' AND NEW.type IN ('authorization', 'purchase') AND OLD.status = NEW.status AND OLD.type = NEW.type
    AND OLD.card_id = NEW.card_id AND OLD.currency = NEW.currency AND OLD.created_at = NEW.created_at
    AND OLD.merchant_country = NEW.merchant_country
    AND OLD.authorized - OLD.reversed - OLD.refunded <> NEW.authorized - NEW.reversed - NEW.refunded
BEGIN
    INSERT INTO card_spend (card_id, currency, hour, merchant_country, amount)
        VALUES (NEW.card_id, NEW.currency, NEW.created_at / 3600000000, NEW.merchant_country,
            (NEW.authorized - NEW.reversed - NEW.refunded) - (OLD.authorized - OLD.reversed - OLD.refunded))
        ON CONFLICT (card_id, currency, hour, merchant_country) DO UPDATE SET amount = card_spend.amount + excluded.amount;
END;
-- +goose StatementEnd
-- Any other update (none of baas's) moves the amount out of the old row into the new.
-- +goose StatementBegin
CREATE TRIGGER card_spend_move AFTER UPDATE ON card_transactions
WHEN OLD.status <> NEW.status OR OLD.type <> NEW.type OR OLD.card_id <> NEW.card_id OR OLD.currency <> NEW.currency
    OR OLD.created_at <> NEW.created_at OR OLD.merchant_country <> NEW.merchant_country
BEGIN
    INSERT INTO card_spend (card_id, currency, hour, merchant_country, amount)
        SELECT OLD.card_id, OLD.currency, OLD.created_at / 3600000000, OLD.merchant_country, OLD.reversed + OLD.refunded - OLD.authorized
        WHERE OLD.status = 'approved' AND OLD.type IN ('authorization', 'purchase')
        ON CONFLICT (card_id, currency, hour, merchant_country) DO UPDATE SET amount = card_spend.amount + excluded.amount;
    INSERT INTO card_spend (card_id, currency, hour, merchant_country, amount)
        SELECT NEW.card_id, NEW.currency, NEW.created_at / 3600000000, NEW.merchant_country, NEW.authorized - NEW.reversed - NEW.refunded
        WHERE NEW.status = 'approved' AND NEW.type IN ('authorization', 'purchase')
        ON CONFLICT (card_id, currency, hour, merchant_country) DO UPDATE SET amount = card_spend.amount + excluded.amount;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER card_spend_delete AFTER DELETE ON card_transactions
WHEN OLD.status = 'approved' AND OLD.type IN ('authorization', 'purchase')
BEGIN
    INSERT INTO card_spend (card_id, currency, hour, merchant_country, amount)
        VALUES (OLD.card_id, OLD.currency, OLD.created_at / 3600000000, OLD.merchant_country, OLD.reversed + OLD.refunded - OLD.authorized)
        ON CONFLICT (card_id, currency, hour, merchant_country) DO UPDATE SET amount = card_spend.amount + excluded.amount;
END;
-- +goose StatementEnd
{{end -}}
{{if .Postgres -}}
-- +goose StatementBegin
CREATE FUNCTION card_spend_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- An update changes only the totals of a transaction (UpdateCardTransaction): one
    -- upsert of the difference, none when its net amount is unchanged (a capture).
    IF TG_OP = 'UPDATE' AND OLD.status = NEW.status AND OLD.type = NEW.type AND OLD.card_id = NEW.card_id
        AND OLD.currency = NEW.currency AND OLD.created_at = NEW.created_at AND OLD.merchant_country = NEW.merchant_country THEN
        IF NEW.status = 'approved' AND NEW.type IN ('authorization', 'purchase')
            AND OLD.authorized - OLD.reversed - OLD.refunded <> NEW.authorized - NEW.reversed - NEW.refunded THEN
            INSERT INTO card_spend (card_id, currency, hour, merchant_country, amount)
                VALUES (NEW.card_id, NEW.currency, NEW.created_at / 3600000000, NEW.merchant_country,
                    (NEW.authorized - NEW.reversed - NEW.refunded) - (OLD.authorized - OLD.reversed - OLD.refunded))
                ON CONFLICT (card_id, currency, hour, merchant_country) DO UPDATE SET amount = card_spend.amount + excluded.amount;
        END IF;
        RETURN NULL;
    END IF;
    -- A delete, or any other update (none of baas's), takes the old amount out.
    IF TG_OP <> 'INSERT' AND OLD.status = 'approved' AND OLD.type IN ('authorization', 'purchase') THEN
        INSERT INTO card_spend (card_id, currency, hour, merchant_country, amount)
            VALUES (OLD.card_id, OLD.currency, OLD.created_at / 3600000000, OLD.merchant_country, OLD.reversed + OLD.refunded - OLD.authorized)
            ON CONFLICT (card_id, currency, hour, merchant_country) DO UPDATE SET amount = card_spend.amount + excluded.amount;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'approved' AND NEW.type IN ('authorization', 'purchase') THEN
        INSERT INTO card_spend (card_id, currency, hour, merchant_country, amount)
            VALUES (NEW.card_id, NEW.currency, NEW.created_at / 3600000000, NEW.merchant_country, NEW.authorized - NEW.reversed - NEW.refunded)
            ON CONFLICT (card_id, currency, hour, merchant_country) DO UPDATE SET amount = card_spend.amount + excluded.amount;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER card_spend_track AFTER INSERT OR UPDATE OR DELETE ON card_transactions
    FOR EACH ROW EXECUTE FUNCTION card_spend_track();
{{end -}}
-- Only the totals of windows that do not start on an hour read card_transactions now,
-- by card (card_transactions_card): the covering index is no longer worth its write on
-- every payment.
DROP INDEX card_transactions_totals_covering;

-- +goose Down
CREATE INDEX card_transactions_totals_covering ON card_transactions
    (card_id, created_at, currency, type, merchant_country, authorized, reversed, refunded) WHERE status = 'approved';
{{if .SQLite -}}
DROP TRIGGER card_spend_delete;
DROP TRIGGER card_spend_move;
DROP TRIGGER card_spend_update;
DROP TRIGGER card_spend_insert;
{{end -}}
{{if .Postgres -}}
DROP TRIGGER card_spend_track ON card_transactions;
DROP FUNCTION card_spend_track();
{{end -}}
DROP TABLE card_spend;
