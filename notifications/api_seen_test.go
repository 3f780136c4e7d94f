package notifications_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// seedTwo gives the student the seeded notification and a second one, and
// the instructor one of their own, all unseen and unread; every notification
// the fixtures had is read (and so seen) first.
func seedTwo(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	if _, err := app.DB().NewQuery("UPDATE notifications SET seenAt = created, readAt = created").Execute(); err != nil {
		t.Fatal(err)
	}
	seedNotification(t, app)
	collection, err := app.FindCollectionByNameOrId(collections.Notifications)
	if err != nil {
		t.Fatal(err)
	}
	for id, user := range map[string]string{"ntfsecond000001": testkit.IdStudent, "ntfinstructor01": testkit.IdInstructor} {
		record := core.NewRecord(collection)
		record.Id = id
		record.Load(map[string]any{
			"user": user, "type": collections.TypeTest, "category": collections.CategorySystem,
			"priority": collections.PriorityNormal, "title": "Another", "emailMode": collections.EmailModeNone,
		})
		if err := app.Save(record); err != nil {
			t.Fatal(err)
		}
	}
}

// unseenOf counts a user's unseen notifications.
func unseenOf(t testing.TB, app core.App, userId string) int {
	return testkit.CountRecords(t, app, collections.Notifications, "user = '"+userId+"' && seenAt = ''")
}

func TestNotificationsSeen(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:           "the ids shown become seen, and stay unread",
			Method:         http.MethodPost,
			URL:            "/api/notifications/seen",
			Body:           strings.NewReader(`{"ids":["` + idNotification + `","ntfinstructor01"]}`),
			Headers:        testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: seedTwo,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := unseenOf(t, app, testkit.IdStudent); n != 1 {
					t.Errorf("student has %d unseen, want 1 (the one not shown)", n)
				}
				if n := unreadOf(t, app, testkit.IdStudent); n != 2 {
					t.Errorf("student has %d unread, want 2: seeing is not reading", n)
				}
				if n := unseenOf(t, app, testkit.IdInstructor); n != 1 {
					t.Error("another user's notification was marked seen")
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":1`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:           "no ids sees every unseen notification of the caller",
			Method:         http.MethodPost,
			URL:            "/api/notifications/seen",
			Headers:        testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: seedTwo,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := unseenOf(t, app, testkit.IdStudent); n != 0 {
					t.Errorf("student has %d unseen", n)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":2`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:    "the badge counts the unseen, the count the unread",
			Method:  http.MethodGet,
			URL:     "/api/notifications/unread-count",
			Headers: testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				seedTwo(t, app, e)
				record, err := app.FindRecordById(collections.Notifications, "ntfsecond000001")
				if err != nil {
					t.Fatal(err)
				}
				record.Set(collections.NotificationSeenAt, "2026-01-01 10:00:00.000Z")
				if err := app.Save(record); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":2`, `"unseen":1`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "ids must be a list of ids",
			Method:          http.MethodPost,
			URL:             "/api/notifications/seen",
			Body:            strings.NewReader(`{"ids":"` + idNotification + `"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  seedTwo,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"ids":{"code":"validation_invalid_type"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a guest is refused",
			Method:          http.MethodPost,
			URL:             "/api/notifications/seen",
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}

// TestNotificationReadIsSeen: reading (one, or all) and archiving see too.
func TestNotificationReadIsSeen(t *testing.T) {
	t.Parallel()
	for url, content := range map[string]string{
		"/api/notifications/{id}/read":    `"seenAt":"2`,
		"/api/notifications/{id}/archive": `"seenAt":"2`,
		"/api/notifications/read-all":     `"count":1`,
	} {
		testScenarios(t, []tests.ApiScenario{{
			Name:    url + " sees",
			Method:  http.MethodPost,
			URL:     url,
			Headers: testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				if _, err := app.DB().NewQuery("UPDATE notifications SET seenAt = created, readAt = created").Execute(); err != nil {
					t.Fatal(err)
				}
				seedNotification(t, app)
			},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := unseenOf(t, app, testkit.IdStudent); n != 0 {
					t.Errorf("%d unseen after %s", n, url)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{content},
		}})
	}
}
