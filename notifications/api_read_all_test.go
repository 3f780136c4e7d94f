package notifications_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

func TestNotificationsReadAll(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:           "read-all reads every unread notification of the caller only",
			Method:         http.MethodPost,
			URL:            "/api/notifications/read-all",
			Headers:        testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: seedOne,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := unreadOf(t, app, testkit.IdStudent); n != 0 {
					t.Errorf("student still has %d unread", n)
				}
				if n := unreadOf(t, app, testkit.IdInstructor); n == 0 {
					t.Error("the instructor's notifications were read too")
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}
