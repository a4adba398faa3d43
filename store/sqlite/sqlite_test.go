package sqlite_test

import (
	"testing"

	"github.com/baas-oss/baas"
	"github.com/baas-oss/baas/store/storetest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) baas.Store { return storetest.Open(t, "sqlite") })
}
