package notifications_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

func TestNotificationsUnreadCount(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:            "a guest cannot count notifications",
			Method:          http.MethodGet,
			URL:             "/api/notifications/unread-count",
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:           "unread-count counts delivered unread and held",
			Method:         http.MethodGet,
			URL:            "/api/notifications/unread-count",
			Headers:        testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: seedOne,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				want := fmt.Sprintf(`{"count":%d,"held":0,"unseen":%d}`, unreadOf(t, app, testkit.IdStudent), unseenOf(t, app, testkit.IdStudent))
				if body := readBody(t, res); body != want {
					t.Errorf("body %s, want %s", body, want)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"held":0`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}
