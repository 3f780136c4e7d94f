package notifications_test

import (
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/testkit"
)

func TestNotificationRead(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:            "the owner reads a notification",
			Method:          http.MethodPost,
			URL:             "/api/notifications/{id}/read",
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  seedOne,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"readAt":"2`, `"user":"` + testkit.IdStudent + `"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1, "OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:            "another user reading it gets a 404",
			Method:          http.MethodPost,
			URL:             "/api/notifications/{id}/read",
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  seedOne,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
		},
		{
			Name:            "a guest reading it gets a 401",
			Method:          http.MethodPost,
			URL:             "/api/notifications/{id}/read",
			BeforeTestFunc:  seedOne,
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
		},
		{
			Name:            "an expired notification is a 404 to read",
			Method:          http.MethodPost,
			URL:             "/api/notifications/{id}/read",
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  expireSeeded,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}
