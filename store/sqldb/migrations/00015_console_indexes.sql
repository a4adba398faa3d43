-- +goose Up
-- The operator console's lists (issue #19), each a keyset read of 50 rows on an index
-- whatever the volume: the tenant list in creation order; a tenant's customer accounts;
-- cards by status and by last four digits, of one tenant or every tenant; a tenant's
-- webhook deliveries newest first, of every status or one; customers by name.
CREATE INDEX tenants_created ON tenants (created_at, id);
CREATE INDEX accounts_tenant_kind ON accounts (tenant_id, kind, id);
CREATE INDEX cards_status ON cards (status, id);
CREATE INDEX cards_tenant_status ON cards (tenant_id, status, id);
CREATE INDEX cards_last4 ON cards (last4, id);
CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries (tenant_id, id);
CREATE INDEX webhook_deliveries_tenant_status ON webhook_deliveries (tenant_id, status, id);
CREATE INDEX customers_tenant_name ON customers (tenant_id, last_name, first_name);

-- +goose Down
DROP INDEX customers_tenant_name;
DROP INDEX webhook_deliveries_tenant_status;
DROP INDEX webhook_deliveries_tenant;
DROP INDEX cards_last4;
DROP INDEX cards_tenant_status;
DROP INDEX cards_status;
DROP INDEX accounts_tenant_kind;
DROP INDEX tenants_created;
