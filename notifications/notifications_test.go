package notifications_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/testkit"
)

func TestNotificationPreferences(t *testing.T) {
	t.Parallel()

	prefsOf := func(t testing.TB, app core.App, userId string) *core.Record {
		t.Helper()
		prefs, err := app.FindFirstRecordByData(collections.NotificationPreferences, collections.PreferenceUser, userId)
		if err != nil {
			t.Fatal(err)
		}
		return prefs
	}
	var prefsId string
	app := testkit.NewTestApp(t)
	prefsId = prefsOf(t, app, testkit.IdStudent).Id
	app.Cleanup()

	patch := func(name, actor, body string, status int, content ...string) tests.ApiScenario {
		events := map[string]int{"OnRecordAfterUpdateSuccess": 0}
		if status == 200 {
			events = map[string]int{"OnRecordAfterUpdateSuccess": 1}
		}
		return tests.ApiScenario{
			Name:            name,
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.NotificationPreferences, prefsId),
			Headers:         testkit.AuthHeader(actor),
			Body:            strings.NewReader(body),
			ExpectedStatus:  status,
			ExpectedContent: content,
			ExpectedEvents:  events,
		}
	}
	scenarios := []tests.ApiScenario{
		{
			Name:            "a new user has default preferences, created with them",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Users),
			Body:            strings.NewReader(`{"email":"new@studyhall.test","password":"password123","passwordConfirm":"password123","name":"New"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"name":"New"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				user, err := app.FindAuthRecordByEmail(collections.Users, "new@studyhall.test")
				if err != nil {
					t.Fatal(err)
				}
				prefs := prefsOf(t, app, user.Id)
				if !prefs.GetBool("inAppEnabled") || !prefs.GetBool("emailEnabled") || !prefs.GetBool("quietHoursUrgent") ||
					prefs.GetString("emailDigest") != "daily" || prefs.GetString("timezone") != "" {
					t.Errorf("defaults %v", prefs.PublicExport())
				}
			},
		},
		{
			Name:            "the user views their own",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.NotificationPreferences, prefsId),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"user":"` + testkit.IdStudent + `"`, `"emailDigest":"daily"`},
			ExpectedEvents:  map[string]int{"OnRecordViewRequest": 1},
		},
		{
			Name:            "another user cannot view them",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.NotificationPreferences, prefsId),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "another user lists none of them",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.NotificationPreferences),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":1`, `"user":"` + testkit.IdOtherStudent + `"`},
			ExpectedEvents:  map[string]int{"OnRecordsListRequest": 1},
		},
		patch("the user sets quiet hours, a zone and switches", testkit.Student,
			`{"quietHoursStart":"22:00","quietHoursEnd":"07:00","timezone":"Asia/Kolkata","emailDigest":"weekly",
			  "categories":{"progress":{"inApp":false}},"types":{"lesson_completed":{"inApp":true,"email":false}}}`,
			200, `"quietHoursStart":"22:00"`, `"timezone":"Asia/Kolkata"`, `"emailDigest":"weekly"`),
		patch("another user cannot update them", testkit.OtherStudent, `{"inAppEnabled":false}`, 404, `"status":404`),
		patch("the user cannot move them to someone else", testkit.Student, `{"user":"`+testkit.IdOtherStudent+`"}`, 400,
			`"user":{"code":"validation_server_field"`),
		patch("a clock that is not HH:MM is a 400", testkit.Student, `{"quietHoursStart":"25:00","quietHoursEnd":"7:00"}`, 400,
			`"quietHoursStart":{"code":"validation_invalid_clock"`, `"quietHoursEnd":{"code":"validation_invalid_clock"`),
		patch("a start without an end is a 400", testkit.Student, `{"quietHoursStart":"22:00"}`, 400,
			`"quietHoursEnd":{"code":"validation_quiet_hours_pair"`),
		patch("an unknown zone is a 400", testkit.Student, `{"timezone":"Mars/Olympus"}`, 400,
			`"timezone":{"code":"validation_invalid_timezone"`),
		patch("an unknown category is a 400", testkit.Student, `{"categories":{"gossip":{"inApp":false}}}`, 400,
			`"categories":{"code":"validation_unknown_key"`),
		patch("an unknown type is a 400", testkit.Student, `{"types":{"spam":{"email":false}}}`, 400,
			`"types":{"code":"validation_unknown_key"`),
		patch("a non-boolean switch is a 400", testkit.Student, `{"types":{"new_lesson":{"email":"no"}}}`, 400,
			`"types":{"code":"validation_invalid_switch"`),
		patch("an unknown channel is a 400", testkit.Student, `{"categories":{"course":{"sms":true}}}`, 400,
			`"categories":{"code":"validation_unknown_channel"`),
		patch("switches that are not an object are a 400", testkit.Student, `{"categories":[1,2]}`, 400,
			`"categories":{"code":"validation_invalid_switches"`),
		patch("an unknown digest is a 400", testkit.Student, `{"emailDigest":"hourly"}`, 400, `"emailDigest":{"code":"validation_invalid_value"`),
	}
	for _, s := range scenarios {
		s.TestAppFactory = appFactory
		s.Test(t)
	}
}

// TestNotificationsRealtime speaks PocketBase's realtime protocol over real
// SSE connections: delivery is a create event to every connection of the
// owner and to nobody else, reading is an update event to the owner's
// other tab, quiet hours hold events back, and release delivers them.
func TestNotificationsRealtime(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartServer(t, app)

	tabA := testkit.ConnectRealtime(t, srv.URL)
	tabA.Subscribe(t, testkit.Tokens[testkit.Student], "notifications/*")
	tabB := testkit.ConnectRealtime(t, srv.URL)
	tabB.Subscribe(t, testkit.Tokens[testkit.Student], "notifications")
	other := testkit.ConnectRealtime(t, srv.URL)
	other.Subscribe(t, testkit.Tokens[testkit.OtherStudent], "notifications/*", "notifications")
	guest := testkit.ConnectRealtime(t, srv.URL)
	guest.Subscribe(t, "", "notifications/*")

	// delivery: a create event on each of the student's tabs
	var sent struct {
		Held         bool           `json:"held"`
		Notification map[string]any `json:"notification"`
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/notifications/test", testkit.Tokens[testkit.Student],
		map[string]string{"priority": "high"}, &sent); status != 200 || sent.Held || sent.Notification == nil {
		t.Fatalf("test notification: status %d, %+v", status, sent)
	}
	id, _ := sent.Notification["id"].(string)
	for _, tab := range []*testkit.RealtimeClient{tabA, tabB} {
		ev := tab.ExpectEvent(t, map[*testkit.RealtimeClient]string{tabA: "notifications/*", tabB: "notifications"}[tab], 2*time.Second)
		if ev.Action != "create" || ev.Record["id"] != id || ev.Record["user"] != testkit.IdStudent ||
			ev.Record["collectionName"] != collections.Notifications || ev.Record["priority"] != "high" {
			t.Fatalf("create event %+v", ev)
		}
	}

	// a subscription to that one record, by someone else, gets nothing
	other.Subscribe(t, testkit.Tokens[testkit.OtherStudent], "notifications/*", "notifications/"+id)

	// read on tab A: an update event on tab B
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/notifications/"+id+"/read", testkit.Tokens[testkit.Student], nil, nil); status != 200 {
		t.Fatalf("read: status %d", status)
	}
	ev := tabB.ExpectEvent(t, "notifications", 2*time.Second)
	if ev.Action != "update" || ev.Record["id"] != id || ev.Record["readAt"] == "" {
		t.Fatalf("update event %+v", ev)
	}
	tabA.ExpectEvent(t, "notifications/*", 2*time.Second)

	// quiet hours: held, nothing pushed, counted as held
	start, end := quietWindowAround("America/New_York", time.Now())
	prefs, err := app.FindFirstRecordByData(collections.NotificationPreferences, collections.PreferenceUser, testkit.IdStudent)
	if err != nil {
		t.Fatal(err)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.NotificationPreferences, prefs.Id), testkit.Tokens[testkit.Student],
		map[string]any{"quietHoursStart": start, "quietHoursEnd": end}, nil); status != 200 {
		t.Fatalf("set quiet hours: status %d", status)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/notifications/test", testkit.Tokens[testkit.Student],
		map[string]string{"priority": "normal"}, &sent); status != 200 || !sent.Held || sent.Notification != nil {
		t.Fatalf("test in quiet hours: status %d, %+v", status, sent)
	}
	tabA.ExpectNoEvent(t, 300*time.Millisecond)
	var counts struct{ Count, Held int }
	testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/notifications/unread-count", testkit.Tokens[testkit.Student], nil, &counts)
	if counts.Held != 1 {
		t.Fatalf("unread-count %+v, want held 1", counts)
	}

	// the minute job after the window's end releases it as a create event
	if _, err := notifications.ReleaseDue(app, time.Now().Add(90*time.Minute)); err != nil {
		t.Fatal(err)
	}
	released := tabA.ExpectEvent(t, "notifications/*", 2*time.Second)
	if released.Action != "create" || released.Record["priority"] != "normal" {
		t.Fatalf("released event %+v", released)
	}
	tabB.ExpectEvent(t, "notifications", 2*time.Second)

	// held again, then released at once by turning quiet hours off
	sendTest(t, app, testkit.IdStudent, "low")
	tabA.ExpectNoEvent(t, 300*time.Millisecond)
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.NotificationPreferences, prefs.Id), testkit.Tokens[testkit.Student],
		map[string]any{"quietHoursStart": "", "quietHoursEnd": ""}, nil); status != 200 {
		t.Fatalf("clear quiet hours: status %d", status)
	}
	released = tabA.ExpectEvent(t, "notifications/*", 2*time.Second)
	if released.Action != "create" || released.Record["priority"] != "low" {
		t.Fatalf("released event %+v", released)
	}
	testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/notifications/unread-count", testkit.Tokens[testkit.Student], nil, &counts)
	if counts.Held != 0 {
		t.Fatalf("unread-count %+v, want held 0", counts)
	}

	// nothing ever reached the other user or the guest
	other.ExpectNoEvent(t, 200*time.Millisecond)
	guest.ExpectNoEvent(t, 10*time.Millisecond)

	// a closed tab does not hold up the others
	tabB.Close()
	sendTest(t, app, testkit.IdStudent, "urgent")
	if ev := tabA.ExpectEvent(t, "notifications/*", 2*time.Second); ev.Record["priority"] != "urgent" {
		t.Fatalf("after a tab closed: %+v", ev)
	}

	// one written from the dashboard reaches its user too, and only them
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.RecordsURL(collections.Notifications), testkit.Tokens[testkit.Superuser],
		map[string]any{"user": testkit.IdStudent, "type": "test", "category": "system", "priority": "low", "title": "From the dashboard"},
		nil); status != 200 {
		t.Fatalf("dashboard create: status %d", status)
	}
	if ev := tabA.ExpectEvent(t, "notifications/*", 2*time.Second); ev.Action != "create" || ev.Record["title"] != "From the dashboard" {
		t.Fatalf("dashboard create: %+v", ev)
	}
	other.ExpectNoEvent(t, 200*time.Millisecond)
}

// TestNotificationsListHidesExpired: the list rule hides a notification
// from the moment it expires, before the daily job deletes it.
func TestNotificationsListHidesExpired(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:               "expired notifications are not listed",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.Notifications),
			Headers:            testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:     expireSeeded,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"items":[`},
			NotExpectedContent: []string{idNotification},
			ExpectedEvents:     map[string]int{"OnRecordsListRequest": 1},
		},
	})
}
