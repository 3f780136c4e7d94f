package studygroups_test

import (
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// studyGroupApp is a fresh test app with the study group fixtures.
func studyGroupApp(t testing.TB) *tests.TestApp {
	app := testkit.NewTestApp(t)
	testkit.SeedStudyGroupFixtures(t, app)
	return app
}

// sgAuth is the Authorization header of the user with id userId.
func sgAuth(userId string) map[string]string {
	return map[string]string{"Authorization": testkit.Tokens[userId]}
}

// sgCode is the literal error code a client branches on.
func sgCode(c string) string {
	return `"data":{"code":"` + c + `"}`
}

// sgNothingWritten asserts that a refused request wrote no record.
var sgNothingWritten = map[string]int{"OnRecordCreateExecute": 0, "OnRecordUpdateExecute": 0, "OnRecordDeleteExecute": 0}

// sgQuery escapes a filter for a query string.
func sgQuery(s string) string {
	return strings.NewReplacer(" ", "%20", "'", "%27", "=", "%3D", "&", "%26").Replace(s)
}

// testScenarios runs scenarios, each in a fresh app with the study group
// fixtures.
func testScenarios(t *testing.T, scenarios []tests.ApiScenario) {
	for _, s := range scenarios {
		s.TestAppFactory = studyGroupApp
		s.Test(t)
	}
}
