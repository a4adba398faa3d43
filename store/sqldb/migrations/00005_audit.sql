-- +goose Up
-- The operator audit log: every operator action, who did it, when and from where. It is
-- append-only: no query of baas changes or removes an entry, and the triggers below make
-- the database refuse an UPDATE or DELETE (and, on PostgreSQL, a TRUNCATE) from anyone
-- short of the owner dropping the triggers. No foreign key: an entry outlives what it
-- names, and key rotation names no tenant.
CREATE TABLE audit_log (
    id          {{.RowID}},
    actor       TEXT NOT NULL,
    source      TEXT NOT NULL,
    address     TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    action      TEXT NOT NULL,
    tenant_id   TEXT,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    details     TEXT NOT NULL,
    created_at  {{.BigInt}} NOT NULL
);
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, id);
CREATE INDEX audit_log_action ON audit_log (action, id);
{{if .SQLite -}}
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
-- +goose StatementEnd
{{end -}}
{{if .Postgres -}}
-- +goose StatementBegin
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
{{end}}
-- +goose Down
DROP TABLE audit_log;
{{- if .Postgres}}
DROP FUNCTION audit_log_append_only();
{{- end}}
