package lms_test

import (
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// testScenarios runs scenarios, each in a fresh test app.
func testScenarios(t *testing.T, scenarios []tests.ApiScenario) {
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}
