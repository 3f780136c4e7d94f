package records_test

import (
	"testing"

	"studyhall/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }
