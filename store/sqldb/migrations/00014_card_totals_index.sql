-- +goose Up
-- The approved totals of a card (ApprovedCardTotals, read by the spending controls'
-- amount rules on every card payment) from the index alone: every column the sum reads
-- is in it, so a payment no longer visits each of the card's rows in the table.
CREATE INDEX card_transactions_totals_covering ON card_transactions
    (card_id, created_at, currency, type, merchant_country, authorized, reversed, refunded) WHERE status = 'approved';
DROP INDEX card_transactions_totals;

-- +goose Down
CREATE INDEX card_transactions_totals ON card_transactions (card_id, created_at) WHERE status = 'approved';
DROP INDEX card_transactions_totals_covering;
