package notifications_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/testkit"
)

// appFactory gives each scenario its own fresh copy of the fixtures.
func appFactory(t testing.TB) *tests.TestApp { return testkit.NewTestApp(t) }

// notificationsOf lists a user's delivered notifications of a type, with
// relatedId when given.
func notificationsOf(t testing.TB, app core.App, userId, notificationType string, relatedId ...string) []*core.Record {
	t.Helper()
	filter := "user = {:user} && type = {:type}"
	params := dbx.Params{"user": userId, "type": notificationType}
	if len(relatedId) > 0 {
		filter += " && relatedId = {:related}"
		params["related"] = relatedId[0]
	}
	records, err := app.FindRecordsByFilter(collections.Notifications, filter, "created", 0, 0, params)
	if err != nil {
		t.Fatal(err)
	}
	return records
}

// expectNotified fails unless userId has exactly one delivered
// notification of the type (about relatedId when given) with priority.
func expectNotified(t testing.TB, app core.App, userId, notificationType, priority string, relatedId ...string) *core.Record {
	t.Helper()
	found := notificationsOf(t, app, userId, notificationType, relatedId...)
	if len(found) != 1 {
		t.Fatalf("%s: %d %s notifications %v, want 1", userId, len(found), notificationType, relatedId)
	}
	if got := found[0].GetString(collections.NotificationPriority); got != priority {
		t.Errorf("%s %s: priority %q, want %q", userId, notificationType, got, priority)
	}
	return found[0]
}

// expectNotNotified fails if any of userIds has a notification of the
// type (about relatedId when given), delivered or held.
func expectNotNotified(t testing.TB, app core.App, notificationType string, relatedId string, userIds ...string) {
	t.Helper()
	for _, userId := range userIds {
		if n := len(notificationsOf(t, app, userId, notificationType, relatedId)); n != 0 {
			t.Errorf("%s got %d %s notifications, want none", userId, n, notificationType)
		}
		held := testkit.CountRecords(t, app, collections.NotificationHolds,
			fmt.Sprintf("user = '%s' && type = '%s'", userId, notificationType))
		if held != 0 {
			t.Errorf("%s has %d held %s notifications, want none", userId, held, notificationType)
		}
	}
}

// setPreferences updates a user's preferences row directly.
func setPreferences(t testing.TB, app core.App, userId string, values map[string]any) {
	t.Helper()
	prefs, err := app.FindFirstRecordByData(collections.NotificationPreferences, collections.PreferenceUser, userId)
	if err != nil {
		t.Fatal(err)
	}
	prefs.Load(values)
	if err := app.Save(prefs); err != nil {
		t.Fatal(err)
	}
}

// quietWindowAround is a quiet-hours window of two hours centred on now in
// zone, as HH:MM bounds (overnight when it straddles midnight).
func quietWindowAround(zone string, now time.Time) (string, string) {
	loc, _ := time.LoadLocation(zone)
	local := now.In(loc)
	return local.Add(-time.Hour).Format("15:04"), local.Add(time.Hour).Format("15:04")
}

// sendTest sends a test notification to userId through notifications.Send.
func sendTest(t testing.TB, app core.App, userId, priority string) *notifications.Result {
	t.Helper()
	result, err := notifications.Send(app, notifications.Notification{
		Type: collections.TypeTest, Recipients: []string{userId}, Priority: priority, Title: "Hello",
	})
	if err != nil {
		t.Fatal(err)
	}
	return result
}

// readBody is a response body as a string.
func readBody(t testing.TB, res *http.Response) string {
	t.Helper()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(raw))
}

// idNotification is the fixed id of the notification seedNotification
// gives the student.
const idNotification = "ntfstudentnote1"

// seedNotification gives the student an unread test notification with a
// fixed id, as the server would.
func seedNotification(t testing.TB, app core.App) {
	t.Helper()
	collection, err := app.FindCollectionByNameOrId(collections.Notifications)
	if err != nil {
		t.Fatal(err)
	}
	record := core.NewRecord(collection)
	record.Id = idNotification
	record.Load(map[string]any{
		"user": testkit.IdStudent, "type": collections.TypeTest, "category": collections.CategorySystem,
		"priority": collections.PriorityNormal, "title": "Seeded", "emailMode": collections.EmailModeNone,
	})
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
}

// expireSeeded seeds the student's notification and lets it expire a
// second ago.
func expireSeeded(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	seedNotification(t, app)
	record, err := app.FindRecordById(collections.Notifications, idNotification)
	if err != nil {
		t.Fatal(err)
	}
	record.Set(collections.NotificationExpiresAt, time.Now().Add(-time.Second))
	if err := app.Save(record); err != nil {
		t.Fatal(err)
	}
}

// seedOne is a BeforeTestFunc that seeds the student's notification.
func seedOne(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	seedNotification(t, app)
}

// unreadOf counts a user's unread notifications.
func unreadOf(t testing.TB, app core.App, userId string) int {
	return testkit.CountRecords(t, app, collections.Notifications, "user = '"+userId+"' && readAt = ''")
}

// testScenarios runs route scenarios, each on its own fresh app, with {id}
// in their URL standing for the seeded notification.
func testScenarios(t *testing.T, scenarios []tests.ApiScenario) {
	for _, s := range scenarios {
		s.TestAppFactory = appFactory
		s.URL = strings.Replace(s.URL, "{id}", idNotification, 1)
		s.Test(t)
	}
}
