-- +goose Up
{{if .SQLite -}}
-- Postings lose their foreign keys and the index by transfer, as on PostgreSQL (see its
-- 00004 for why): on the single SQLite writer they are four parent lookups and two index
-- inserts per transfer. SQLite cannot drop a constraint, so the table is rebuilt.
CREATE TABLE postings_new (
    id            {{.RowID}},
    transfer_id   {{.BigInt}} NOT NULL,
    account_id    {{.BigInt}} NOT NULL,
    currency      TEXT NOT NULL,
    amount        {{.BigInt}} NOT NULL,
    balance_after {{.BigInt}} NOT NULL
);
INSERT INTO postings_new (id, transfer_id, account_id, currency, amount, balance_after)
    SELECT id, transfer_id, account_id, currency, amount, balance_after FROM postings;
DROP TABLE postings;
ALTER TABLE postings_new RENAME TO postings;
CREATE INDEX postings_account ON postings (account_id, id);
{{end -}}
{{if .Postgres -}}
-- Postings are written only by the ledger code (core.applyTransfer), in the transaction
-- that writes their transfer and updates their accounts' balances. Their two foreign keys
-- cost four referential-integrity checks per transfer — about a tenth of PostgreSQL's CPU
-- under the p2p load — and guard nothing that code can get wrong; the ledger check
-- (`baas ledger verify`, core.VerifyLedger) reports any posting whose transfer or account
-- does not exist, as it reports every other broken invariant.
ALTER TABLE postings DROP CONSTRAINT postings_transfer_id_fkey;
ALTER TABLE postings DROP CONSTRAINT postings_account_id_fkey;
-- postings_transfer served the key's checks (a transfer's referencing postings); no
-- query looks postings up by transfer, so it is two index inserts per transfer for
-- nothing. The ledger check groups all postings by transfer, which needs no index.
DROP INDEX postings_transfer;
{{end}}
-- +goose Down
{{if .SQLite -}}
CREATE TABLE postings_old (
    id            {{.RowID}},
    transfer_id   {{.BigInt}} NOT NULL REFERENCES transfers(id),
    account_id    {{.BigInt}} NOT NULL REFERENCES accounts(id),
    currency      TEXT NOT NULL,
    amount        {{.BigInt}} NOT NULL,
    balance_after {{.BigInt}} NOT NULL
);
INSERT INTO postings_old (id, transfer_id, account_id, currency, amount, balance_after)
    SELECT id, transfer_id, account_id, currency, amount, balance_after FROM postings;
DROP TABLE postings;
ALTER TABLE postings_old RENAME TO postings;
CREATE INDEX postings_account ON postings (account_id, id);
{{end -}}
CREATE INDEX postings_transfer ON postings (transfer_id);
{{- if .Postgres}}
ALTER TABLE postings ADD FOREIGN KEY (transfer_id) REFERENCES transfers(id);
ALTER TABLE postings ADD FOREIGN KEY (account_id) REFERENCES accounts(id);
{{- end}}
