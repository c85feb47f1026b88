package resources_test

import (
	"testing"

	"github.com/fgs-tools/terraform-provider-huaweicloud/internal/acctest"
)

func TestMain(m *testing.M) { acctest.Main(m) }
