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

// --- helpers

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

// --- routes

func TestNotificationRoutes(t *testing.T) {
	t.Parallel()

	seed := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
		seedNotification(t, app)
	}
	unreadOf := func(app core.App, userId string) int {
		return testkit.CountRecords(t, app, collections.Notifications, "user = '"+userId+"' && readAt = ''")
	}

	scenarios := []tests.ApiScenario{
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
			BeforeTestFunc: seed,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				want := fmt.Sprintf(`{"count":%d,"held":0}`, unreadOf(app, testkit.IdStudent))
				if body := readBody(t, res); body != want {
					t.Errorf("body %s, want %s", body, want)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"held":0`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "the owner reads a notification",
			Method:          http.MethodPost,
			URL:             "/api/notifications/{id}/read",
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  seed,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"readAt":"2`, `"user":"` + testkit.IdStudent + `"`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1, "OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:            "another user reading it gets a 404",
			Method:          http.MethodPost,
			URL:             "/api/notifications/{id}/read",
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			BeforeTestFunc:  seed,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
		},
		{
			Name:            "a guest reading it gets a 401",
			Method:          http.MethodPost,
			URL:             "/api/notifications/{id}/read",
			BeforeTestFunc:  seed,
			ExpectedStatus:  401,
			ExpectedContent: []string{`"status":401`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
		},
		{
			Name:            "archiving also reads",
			Method:          http.MethodPost,
			URL:             "/api/notifications/{id}/archive",
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  seed,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"archivedAt":"2`, `"readAt":"2`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:           "read-all reads every unread notification of the caller only",
			Method:         http.MethodPost,
			URL:            "/api/notifications/read-all",
			Headers:        testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: seed,
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := unreadOf(app, testkit.IdStudent); n != 0 {
					t.Errorf("student still has %d unread", n)
				}
				if n := unreadOf(app, testkit.IdInstructor); n == 0 {
					t.Error("the instructor's notifications were read too")
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
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
			Name:    "a test notification in quiet hours is held",
			Method:  http.MethodPost,
			URL:     "/api/notifications/test",
			Headers: testkit.AuthHeader(testkit.Student),
			Body:    strings.NewReader(`{"priority":"normal"}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				start, end := quietWindowAround("America/New_York", time.Now())
				setPreferences(t, app, testkit.IdStudent, map[string]any{"quietHoursStart": start, "quietHoursEnd": end})
			},
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
			Name:    "an urgent test notification passes quiet hours",
			Method:  http.MethodPost,
			URL:     "/api/notifications/test",
			Headers: testkit.AuthHeader(testkit.Student),
			Body:    strings.NewReader(`{"priority":"urgent"}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				start, end := quietWindowAround("America/New_York", time.Now())
				setPreferences(t, app, testkit.IdStudent, map[string]any{"quietHoursStart": start, "quietHoursEnd": end})
			},
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
	}
	for _, s := range scenarios {
		s.TestAppFactory = appFactory
		s.URL = strings.Replace(s.URL, "{id}", idNotification, 1)
		s.Test(t)
	}
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

// --- realtime

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

// --- preferences

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

// TestNotificationResolution checks, through Send, each channel's
// resolution and the email decision recorded for the email worker.
func TestNotificationResolution(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()

	send := func(notificationType, dedupeKey string) *notifications.Result {
		t.Helper()
		result, err := notifications.Send(app, notifications.Notification{
			Type: notificationType, Recipients: []string{testkit.IdOtherStudent, testkit.IdOtherStudent, "nosuchuser0000"},
			Title: "x", DedupeKey: dedupeKey,
		})
		if err != nil {
			t.Fatal(err)
		}
		return result
	}
	counts := func(r *notifications.Result) [4]int {
		return [4]int{len(r.Delivered), len(r.Held), len(r.EmailOnly), r.Skipped}
	}

	// defaults: in-app, daily digest; unknown and repeated recipients skipped
	r := send(collections.TypeNewLesson, "k1")
	if counts(r) != [4]int{1, 0, 0, 1} || r.Delivered[0].GetString("emailMode") != "daily" {
		t.Fatalf("defaults: %v %v", counts(r), r.Delivered[0].PublicExport())
	}
	// the same dedupe key again: nothing
	if r := send(collections.TypeNewLesson, "k1"); counts(r) != [4]int{0, 0, 0, 2} {
		t.Fatalf("dedupe: %v", counts(r))
	}

	setPreferences(t, app, testkit.IdOtherStudent, map[string]any{
		"emailDigest": "weekly",
		"categories":  map[string]any{"course": map[string]any{"inApp": false}, "assessment": map[string]any{"email": false}},
		"types":       map[string]any{"course_published": map[string]any{"inApp": true}},
	})
	// category in-app off, email on: an email-only row with the address
	r = send(collections.TypeNewLesson, "")
	if counts(r) != [4]int{0, 0, 1, 1} || r.EmailOnly[0].GetString("email") != "olive.other@studyhall.test" ||
		r.EmailOnly[0].GetString("emailMode") != "weekly" {
		t.Fatalf("category off: %v", counts(r))
	}
	// a type override wins over its category
	if r := send(collections.TypeCoursePublished, ""); counts(r) != [4]int{1, 0, 0, 1} {
		t.Fatalf("type override: %v", counts(r))
	}
	// email off for the category: emailMode none
	if r := send(collections.TypeAssessmentGraded, ""); counts(r) != [4]int{1, 0, 0, 1} || r.Delivered[0].GetString("emailMode") != "none" {
		t.Fatalf("email off: %v", counts(r))
	}

	// global switches off: nothing, except mandatory kinds (email immediate)
	setPreferences(t, app, testkit.IdOtherStudent, map[string]any{"inAppEnabled": false, "emailEnabled": false})
	if r := send(collections.TypeLessonCompleted, ""); counts(r) != [4]int{0, 0, 0, 2} {
		t.Fatalf("all off: %v", counts(r))
	}
	r = send(collections.TypePaymentReceipt, "")
	if counts(r) != [4]int{1, 0, 0, 1} || r.Delivered[0].GetString("emailMode") != "immediate" {
		t.Fatalf("mandatory: %v", counts(r))
	}
	// nobody ever got a notification of another's
	if n := testkit.CountRecords(t, app, collections.Notifications, "user = 'nosuchuser0000'"); n != 0 {
		t.Fatalf("unknown user got %d", n)
	}
}

// TestNotificationExpiry: an expired notification is hidden at once, is a
// 404 to read, and the daily job deletes it; held ones expire too.
func TestNotificationExpiry(t *testing.T) {
	t.Parallel()

	expire := func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
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
	scenarios := []tests.ApiScenario{
		{
			Name:               "expired notifications are not listed",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.Notifications),
			Headers:            testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:     expire,
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"items":[`},
			NotExpectedContent: []string{idNotification},
			ExpectedEvents:     map[string]int{"OnRecordsListRequest": 1},
		},
		{
			Name:            "an expired notification is a 404 to read",
			Method:          http.MethodPost,
			URL:             "/api/notifications/" + idNotification + "/read",
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  expire,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = appFactory
		s.Test(t)
	}

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	for _, priority := range []string{"low", "normal"} {
		if _, err := notifications.Send(app, notifications.Notification{
			Type: collections.TypeTest, Recipients: []string{testkit.IdOtherStudent}, Title: "gone", Priority: priority,
			ExpiresAt: time.Now().Add(-time.Minute),
		}); err != nil {
			t.Fatal(err)
		}
	}

	// a held one whose expiry passes before its release is dropped, never delivered
	start, end := quietWindowAround("Europe/Berlin", time.Now())
	setPreferences(t, app, testkit.IdOtherStudent, map[string]any{"quietHoursStart": start, "quietHoursEnd": end})
	if _, err := notifications.Send(app, notifications.Notification{
		Type: collections.TypeTest, Recipients: []string{testkit.IdOtherStudent}, Title: "held", ExpiresAt: time.Now().Add(time.Hour),
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := notifications.ReleaseDue(app, time.Now().Add(2*time.Hour)); err != nil || n != 0 {
		t.Fatalf("released %d (%v), want 0", n, err)
	}
	if n := testkit.CountRecords(t, app, collections.NotificationHolds, "user = '"+testkit.IdOtherStudent+"'"); n != 0 {
		t.Fatalf("%d holds left", n)
	}

	deleted, err := notifications.DeleteExpired(app, time.Now())
	if err != nil || deleted != 2 {
		t.Fatalf("deleted %d (%v), want 2", deleted, err)
	}
	if n := len(notificationsOf(t, app, testkit.IdOtherStudent, collections.TypeTest)); n != 0 {
		t.Fatalf("%d expired notifications left", n)
	}
}

// TestNotificationsOneEventPerRecipient: a notice for many users reaches
// each of them exactly once, as their own record, however many there are.
func TestNotificationsOneEventPerRecipient(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	srv := testkit.StartServer(t, app)

	recipients := []string{testkit.IdStudent, testkit.IdOtherStudent, testkit.IdDroppedStudent, testkit.IdOtherInstructor}
	clients := make([]*testkit.RealtimeClient, len(recipients))
	for i, id := range recipients {
		clients[i] = testkit.ConnectRealtime(t, srv.URL)
		clients[i].Subscribe(t, testkit.Tokens[id], "notifications/*")
	}

	result, err := notifications.Send(app, notifications.Notification{
		Type:       collections.TypeLiveSessionCreated,
		Recipients: recipients,
		Title:      "Review session on Friday",
		DedupeKey:  "one-event-per-recipient",
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(result.Delivered) != len(recipients) {
		t.Fatalf("delivered %d, want %d", len(result.Delivered), len(recipients))
	}
	seen := map[string]bool{}
	for i, id := range recipients {
		ev := clients[i].ExpectEvent(t, "notifications/*", 3*time.Second)
		if ev.Action != "create" || ev.Record["user"] != id {
			t.Errorf("%s received %s of user %v", id, ev.Action, ev.Record["user"])
		}
		if created, _ := ev.Record["created"].(string); !strings.HasPrefix(created, "20") {
			t.Errorf("%s received a record without its created time: %q", id, created)
		}
		recordId, _ := ev.Record["id"].(string)
		if seen[recordId] {
			t.Errorf("record %s delivered to two recipients", recordId)
		}
		seen[recordId] = true
		clients[i].ExpectNoEvent(t, 200*time.Millisecond)
	}
	for _, record := range result.Delivered {
		if n := testkit.CountRecords(t, app, collections.Notifications, "id = '"+record.Id+"' && user = '"+record.GetString("user")+"'"); n != 1 {
			t.Errorf("returned record %s of %s is not what was stored", record.Id, record.GetString("user"))
		}
	}
}

// TestNotificationsArePlainText: notifications.Send writes its rows itself, past
// the record hooks, so it keeps SPEC's plain-text rule on its own.
func TestNotificationsArePlainText(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	result, err := notifications.Send(app, notifications.Notification{
		Type:       collections.TypeLiveSessionCreated,
		Recipients: []string{testkit.IdStudent},
		Title:      "Review\x07 session\u2028today",
		Message:    "Bring notes\x00\r\nand questions",
		ActionText: "Open\x1b",
	})
	if err != nil || len(result.Delivered) != 1 {
		t.Fatalf("send: %v %v", result, err)
	}
	stored, err := app.FindRecordById(collections.Notifications, result.Delivered[0].Id)
	if err != nil {
		t.Fatal(err)
	}
	for field, want := range map[string]string{"title": "Review sessiontoday", "message": "Bring notes\nand questions", "actionText": "Open"} {
		if got := stored.GetString(field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
}
