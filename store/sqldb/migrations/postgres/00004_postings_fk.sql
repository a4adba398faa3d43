-- +goose Up
-- Postings are written only by the ledger code (core.applyTransfer), in the transaction
-- that writes their transfer and updates their accounts' balances. Their two foreign keys
-- cost four referential-integrity checks per transfer — about a tenth of PostgreSQL's CPU
-- under the p2p load — and guard nothing that code can get wrong; the ledger check
-- (`baas ledger verify`, core.VerifyLedger) reports any posting whose transfer or account
-- does not exist, as it reports every other broken invariant.
ALTER TABLE postings DROP CONSTRAINT postings_transfer_id_fkey;
ALTER TABLE postings DROP CONSTRAINT postings_account_id_fkey;

-- +goose Down
ALTER TABLE postings ADD FOREIGN KEY (transfer_id) REFERENCES transfers(id);
ALTER TABLE postings ADD FOREIGN KEY (account_id) REFERENCES accounts(id);
