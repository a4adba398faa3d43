-- +goose Up
-- A tenant's Codego card allowance: how many live cards of each type (debit, prepaid) a
-- customer may hold; 0 is the default, core.CardsPerType.
ALTER TABLE card_settings ADD COLUMN cards_per_type INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE card_settings DROP COLUMN cards_per_type;
