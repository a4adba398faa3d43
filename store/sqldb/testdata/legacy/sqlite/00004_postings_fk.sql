-- +goose Up
-- Postings lose their foreign keys and the index by transfer, as on PostgreSQL (see its
-- 00004 for why): on the single SQLite writer they are four parent lookups and two index
-- inserts per transfer. SQLite cannot drop a constraint, so the table is rebuilt.
CREATE TABLE postings_new (
    id            INTEGER PRIMARY KEY,
    transfer_id   INTEGER NOT NULL,
    account_id    INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    balance_after INTEGER NOT NULL
);
INSERT INTO postings_new (id, transfer_id, account_id, currency, amount, balance_after)
    SELECT id, transfer_id, account_id, currency, amount, balance_after FROM postings;
DROP TABLE postings;
ALTER TABLE postings_new RENAME TO postings;
CREATE INDEX postings_account ON postings (account_id, id);

-- +goose Down
CREATE TABLE postings_old (
    id            INTEGER PRIMARY KEY,
    transfer_id   INTEGER NOT NULL REFERENCES transfers(id),
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    currency      TEXT NOT NULL,
    amount        INTEGER NOT NULL,
    balance_after INTEGER NOT NULL
);
INSERT INTO postings_old (id, transfer_id, account_id, currency, amount, balance_after)
    SELECT id, transfer_id, account_id, currency, amount, balance_after FROM postings;
DROP TABLE postings;
ALTER TABLE postings_old RENAME TO postings;
CREATE INDEX postings_account ON postings (account_id, id);
CREATE INDEX postings_transfer ON postings (transfer_id);
