package notifications_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/notifications"
	"studyhall/testkit"
)

func TestTestNotification(t *testing.T) {
	t.Parallel()
	quietNow := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		start, end := quietWindowAround("America/New_York", time.Now())
		setPreferences(t, app, testkit.IdStudent, map[string]any{"quietHoursStart": start, "quietHoursEnd": end})
	}
	testScenarios(t, []tests.ApiScenario{
		{
			Name:            "a test notification with a bad priority is a 400 with a field error",
			Method:          http.MethodPost,
			URL:             "/api/notifications/test",
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            strings.NewReader(`{"priority":"loud"}`),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"priority":{"code":"validation_in_invalid"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a test notification is delivered",
			Method:          http.MethodPost,
			URL:             "/api/notifications/test",
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            strings.NewReader(`{"priority":"high"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"held":false`, `"type":"test"`, `"priority":"high"`, `"category":"system"`, `"user":"` + testkit.IdStudent + `"`},
			ExpectedEvents:  map[string]int{"OnRecordEnrich": 1},
		},
		{
			Name:           "a test notification in quiet hours is held",
			Method:         http.MethodPost,
			URL:            "/api/notifications/test",
			Headers:        testkit.AuthHeader(testkit.Student),
			Body:           strings.NewReader(`{"priority":"normal"}`),
			BeforeTestFunc: quietNow,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				held, err := notifications.HeldCount(app, testkit.IdStudent, time.Now())
				if err != nil || held != 1 {
					t.Errorf("held %d (%v), want 1", held, err)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"held":true`, `"notification":null`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an urgent test notification passes quiet hours",
			Method:          http.MethodPost,
			URL:             "/api/notifications/test",
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            strings.NewReader(`{"priority":"urgent"}`),
			BeforeTestFunc:  quietNow,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"held":false`, `"priority":"urgent"`},
			ExpectedEvents:  map[string]int{"OnRecordEnrich": 1},
		},
		{
			Name:    "with in-app off a test notification is not created",
			Method:  http.MethodPost,
			URL:     "/api/notifications/test",
			Headers: testkit.AuthHeader(testkit.Student),
			Body:    strings.NewReader(`{}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				setPreferences(t, app, testkit.IdStudent, map[string]any{"inAppEnabled": false})
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"held":false`, `"notification":null`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}
