package sqldb

import (
	"io/fs"
	"testing/fstest"
)

// MigrationSource and RenderMigrations give the migration tests the embedded templates
// and the renderer Migrate uses.
var MigrationSource fs.FS = migrationSource

func RenderMigrations(src fs.FS, dir, engine string) (fstest.MapFS, error) {
	return renderMigrations(src, dir, engine)
}
