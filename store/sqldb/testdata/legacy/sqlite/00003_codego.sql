-- +goose Up
-- Codego: the fields a Codego signup records about a customer (name, surname, mobile,
-- address, city and zip code use the existing columns), auth tokens, KYC documents.
ALTER TABLE customers ADD COLUMN codego_user_id TEXT;
ALTER TABLE customers ADD COLUMN dob TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN country_of_residence INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN country_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN nationality INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN country INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN same_shipping INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN ship_address TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN ship_capital TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN ship_city TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN ship_country INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN ship_zip_code TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN work_country INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN income_source TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN political_person INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN tax_country INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customers ADD COLUMN tax_number TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN gender TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN device_type TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN device_token TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN device_model TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN ip_address TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN password_hash TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX customers_codego_user ON customers (codego_user_id);
-- Codego customers have no handle: only non-empty handles are unique.
DROP INDEX customers_tenant_handle;
CREATE UNIQUE INDEX customers_tenant_handle ON customers (tenant_id, handle) WHERE handle <> '';

CREATE TABLE codego_tokens (
    token_hash BLOB PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX codego_tokens_expiry ON codego_tokens (tenant_id, expires_at);

CREATE TABLE kyc_documents (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id),
    customer_id    TEXT NOT NULL REFERENCES customers(id),
    doc_type       INTEGER NOT NULL,
    doc_number     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('Pending', 'Verified', 'Rejected')),
    reason         TEXT NOT NULL,
    reviewer       TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    reviewed_at    INTEGER,
    auto_verify_at INTEGER
);
CREATE INDEX kyc_documents_customer ON kyc_documents (customer_id, doc_type, id);
CREATE INDEX kyc_documents_status ON kyc_documents (status, id);
CREATE INDEX kyc_documents_auto ON kyc_documents (auto_verify_at) WHERE status = 'Pending' AND auto_verify_at IS NOT NULL;
-- At most one document of a type is pending or verified at a time.
CREATE UNIQUE INDEX kyc_documents_current ON kyc_documents (customer_id, doc_type) WHERE status IN ('Pending', 'Verified');

CREATE TABLE kyc_images (
    document_id  INTEGER NOT NULL REFERENCES kyc_documents(id),
    side         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    size         INTEGER NOT NULL,
    sha256       TEXT NOT NULL,
    data         BLOB NOT NULL,
    PRIMARY KEY (document_id, side)
);

CREATE TABLE kyc_settings (
    tenant_id         TEXT PRIMARY KEY REFERENCES tenants(id),
    auto_verify_after INTEGER NOT NULL
);

-- +goose Down
DROP TABLE kyc_settings;
DROP TABLE kyc_images;
DROP TABLE kyc_documents;
DROP TABLE codego_tokens;
DROP INDEX customers_tenant_handle;
CREATE UNIQUE INDEX customers_tenant_handle ON customers (tenant_id, handle);
DROP INDEX customers_codego_user;
ALTER TABLE customers DROP COLUMN password_hash;
ALTER TABLE customers DROP COLUMN ip_address;
ALTER TABLE customers DROP COLUMN device_model;
ALTER TABLE customers DROP COLUMN device_token;
ALTER TABLE customers DROP COLUMN device_type;
ALTER TABLE customers DROP COLUMN gender;
ALTER TABLE customers DROP COLUMN tax_number;
ALTER TABLE customers DROP COLUMN tax_country;
ALTER TABLE customers DROP COLUMN political_person;
ALTER TABLE customers DROP COLUMN income_source;
ALTER TABLE customers DROP COLUMN work_country;
ALTER TABLE customers DROP COLUMN ship_zip_code;
ALTER TABLE customers DROP COLUMN ship_country;
ALTER TABLE customers DROP COLUMN ship_city;
ALTER TABLE customers DROP COLUMN ship_capital;
ALTER TABLE customers DROP COLUMN ship_address;
ALTER TABLE customers DROP COLUMN same_shipping;
ALTER TABLE customers DROP COLUMN country;
ALTER TABLE customers DROP COLUMN nationality;
ALTER TABLE customers DROP COLUMN country_id;
ALTER TABLE customers DROP COLUMN country_of_residence;
ALTER TABLE customers DROP COLUMN dob;
ALTER TABLE customers DROP COLUMN codego_user_id;
