-- +goose Up
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

-- +goose Down
CREATE INDEX postings_transfer ON postings (transfer_id);
ALTER TABLE postings ADD FOREIGN KEY (transfer_id) REFERENCES transfers(id);
ALTER TABLE postings ADD FOREIGN KEY (account_id) REFERENCES accounts(id);
