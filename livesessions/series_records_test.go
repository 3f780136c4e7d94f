package livesessions_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// nextWeekday is the date of the next day of the week after a week from
// now, in loc: far enough ahead that every occurrence is in the future.
func nextWeekday(loc *time.Location, day time.Weekday) time.Time {
	d := time.Now().In(loc).AddDate(0, 0, 7)
	for d.Weekday() != day {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// occurrencesOf are the series' sessions by start.
func occurrencesOf(t testing.TB, app core.App, seriesId string) []*core.Record {
	t.Helper()
	sessions, err := app.FindRecordsByFilter(collections.LiveSessions, "series = {:id}", "scheduledStart", 0, 0, map[string]any{"id": seriesId})
	if err != nil {
		t.Fatal(err)
	}
	return sessions
}

// TestLiveSessionSeries: an instructor creates a weekly series through the
// records API; its occurrences are sessions at the right local time in
// the instructor's zone; an edit changes only the future ones still
// scheduled; a shorter or longer series removes or adds sessions; the
// delete takes the future scheduled ones and leaves the rest. Enrolled
// students hear once per change, not once per session.
func TestLiveSessionSeries(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	srv := testkit.StartServer(t, app)
	london, _ := time.LoadLocation("Europe/London")
	first := nextWeekday(london, time.Tuesday)
	instructor := testkit.Tokens[testkit.Instructor]

	var series map[string]any
	status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.RecordsURL(collections.SessionSeries), instructor, map[string]any{
		"course": testkit.IdCourse, "title": "Algebra weekly", "daysOfWeek": []int{2}, "startTime": "10:00",
		"startsOn": first.Format(time.DateOnly), "count": 5, "durationMinutes": 45,
	}, &series)
	if status != 200 {
		t.Fatalf("create: %d %v", status, series)
	}
	seriesId := series["id"].(string)
	if series["timezone"] != "Europe/London" || series["instructor"] != testkit.IdInstructor || series["capacity"] != 100.0 || series["visibility"] != "course" {
		t.Fatalf("the series' defaults: %v", series)
	}
	checkAt := func(label string, session *core.Record, clock string, day time.Time) {
		t.Helper()
		local := session.GetDateTime(collections.LiveSessionScheduledStart).Time().In(london)
		if local.Format("15:04") != clock || local.Format(time.DateOnly) != day.Format(time.DateOnly) {
			t.Errorf("%s: starts %s London time, want %s %s", label, local.Format(time.RFC1123), day.Format(time.DateOnly), clock)
		}
	}
	occurrences := occurrencesOf(t, app, seriesId)
	if len(occurrences) != 5 {
		t.Fatalf("%d occurrences, want 5", len(occurrences))
	}
	for i, s := range occurrences {
		checkAt("occurrence", s, "10:00", first.AddDate(0, 0, 7*i))
		if s.GetString(collections.LiveSessionTitle) != "Algebra weekly" || s.GetInt(collections.LiveSessionDurationMinutes) != 45 ||
			s.GetString(collections.LiveSessionStatus) != collections.LiveSessionScheduled || s.GetString(collections.LiveSessionChatRoom) == "" ||
			s.GetString(collections.LiveSessionCourse) != testkit.IdCourse {
			t.Errorf("occurrence %d: %v", i+1, s.PublicExport())
		}
	}
	if n := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdStudent+"' && type = 'live_session_created'"); n != 1 {
		t.Errorf("the enrolled student got %d created notices, want 1 for the series", n)
	}

	// the first goes live, the second is cancelled
	started, cancelled := occurrences[0].Id, occurrences[1].Id
	for _, step := range []struct{ id, action string }{{started, "start"}, {cancelled, "cancel"}} {
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(step.id, step.action), instructor, nil, nil); status != 200 {
			t.Fatalf("%s: %d", step.action, status)
		}
	}

	// the edit: only the three future scheduled sessions change
	var edited map[string]any
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.SessionSeries, seriesId), instructor,
		map[string]any{"title": "Algebra clinic", "startTime": "11:30", "capacity": 40}, &edited); status != 200 {
		t.Fatalf("edit: %d %v", status, edited)
	}
	occurrences = occurrencesOf(t, app, seriesId)
	if len(occurrences) != 5 {
		t.Fatalf("after the edit %d occurrences, want 5 (the cancelled week is not made again)", len(occurrences))
	}
	for i, s := range occurrences {
		switch s.Id {
		case started, cancelled:
			checkAt("untouched", s, "10:00", first.AddDate(0, 0, 7*i))
			if s.GetString(collections.LiveSessionTitle) != "Algebra weekly" || s.GetInt(collections.LiveSessionCapacity) != 100 {
				t.Errorf("the %s occurrence changed: %v", s.GetString(collections.LiveSessionStatus), s.PublicExport())
			}
		default:
			checkAt("edited", s, "11:30", first.AddDate(0, 0, 7*i))
			if s.GetString(collections.LiveSessionTitle) != "Algebra clinic" || s.GetInt(collections.LiveSessionCapacity) != 40 {
				t.Errorf("a future occurrence did not change: %v", s.PublicExport())
			}
			if room, err := app.FindRecordById(collections.ChatRooms, s.GetString(collections.LiveSessionChatRoom)); err != nil ||
				room.GetString(collections.ChatRoomName) != "Algebra clinic" {
				t.Errorf("the chat room of a renamed occurrence: %v", err)
			}
		}
	}
	if n := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdStudent+"' && type = 'live_session_updated'"); n != 1 {
		t.Errorf("the enrolled student got %d updated notices, want 1 for the series", n)
	}

	// shorter, then longer
	for _, step := range []struct{ count, want int }{{4, 4}, {7, 7}} {
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.SessionSeries, seriesId), instructor,
			map[string]any{"count": step.count}, nil); status != 200 {
			t.Fatalf("count %d: %d", step.count, status)
		}
		occurrences = occurrencesOf(t, app, seriesId)
		if len(occurrences) != step.want {
			t.Fatalf("count %d: %d occurrences", step.count, len(occurrences))
		}
		checkAt("the last", occurrences[len(occurrences)-1], "11:30", first.AddDate(0, 0, 7*(step.want-1)))
	}

	// the delete: the live and the cancelled one stay, as single sessions
	if status := testkit.ApiRequest(t, srv.URL, http.MethodDelete, testkit.RecordsURL(collections.SessionSeries, seriesId), instructor, nil, nil); status != 204 {
		t.Fatalf("delete: %d", status)
	}
	for _, id := range []string{started, cancelled} {
		s, err := app.FindRecordById(collections.LiveSessions, id)
		if err != nil || s.GetString(collections.LiveSessionSeries) != "" {
			t.Errorf("%s after the delete: %v", id, err)
		}
	}
	if n := testkit.CountRecords(t, app, collections.LiveSessions, "title = 'Algebra clinic'"); n != 0 {
		t.Errorf("%d future occurrences left after the delete", n)
	}
	if n := testkit.CountRecords(t, app, collections.Notifications, "user = '"+testkit.IdStudent+"' && type = 'live_session_deleted'"); n != 1 {
		t.Errorf("the enrolled student got %d deleted notices, want 1 for the series", n)
	}
}

// TestLiveSessionSeriesRecords: who may create and see a series, and the
// field errors of a rule that makes no series.
func TestLiveSessionSeriesRecords(t *testing.T) {
	t.Parallel()
	start := nextWeekday(time.UTC, time.Monday).Format(time.DateOnly)
	body := func(extra string) *strings.Reader {
		return strings.NewReader(`{"course":"` + testkit.IdCourse + `","title":"Weekly","startTime":"09:00","startsOn":"` + start + `"` + extra + `}`)
	}
	// the rule is checked where every save is, so the create starts and
	// nothing is written
	refused := map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 1, "OnRecordAfterCreateSuccess": 0}
	scenarios := []tests.ApiScenario{
		{
			Name: "an instructor makes a public series in another zone", Method: http.MethodPost, URL: testkit.RecordsURL(collections.SessionSeries),
			Body:            strings.NewReader(`{"title":"Open hour","daysOfWeek":[1,3],"startTime":"02:30","timezone":"America/New_York","startsOn":"` + start + `","count":4}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"visibility":"public"`, `"timezone":"America/New_York"`, `"course":""`},
			// the series, four sessions and their rooms
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 9},
		},
		{
			Name: "a student cannot make a series", Method: http.MethodPost, URL: testkit.RecordsURL(collections.SessionSeries),
			Body: body(`,"daysOfWeek":[1],"count":2`), Headers: testkit.AuthHeader(testkit.Student),
			ExpectedStatus: 400, ExpectedContent: []string{`"status":400`}, ExpectedEvents: map[string]int{"OnRecordCreate": 0},
		},
		{
			Name: "another instructor cannot make one for the course", Method: http.MethodPost, URL: testkit.RecordsURL(collections.SessionSeries),
			Body: body(`,"daysOfWeek":[1],"count":2`), Headers: testkit.AuthHeader(testkit.OtherInstructor),
			ExpectedStatus: 400, ExpectedContent: []string{`"status":400`}, ExpectedEvents: map[string]int{"OnRecordCreate": 0},
		},
		{
			Name: "more than 52 sessions", Method: http.MethodPost, URL: testkit.RecordsURL(collections.SessionSeries),
			Body: body(`,"daysOfWeek":[1],"endsOn":"2099-01-01"`), Headers: testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 400, ExpectedContent: []string{`"endsOn":{"code":"validation_series_too_long"`}, ExpectedEvents: refused,
		},
		{
			Name: "no end", Method: http.MethodPost, URL: testkit.RecordsURL(collections.SessionSeries),
			Body: body(`,"daysOfWeek":[1]`), Headers: testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 400, ExpectedContent: []string{`"endsOn":{"code":"validation_series_no_end"`}, ExpectedEvents: refused,
		},
		{
			Name: "bad days, zone and start time", Method: http.MethodPost, URL: testkit.RecordsURL(collections.SessionSeries),
			Body:           strings.NewReader(`{"title":"Bad","daysOfWeek":[1,1,7],"startTime":"25:00","timezone":"Mars/Olympus","startsOn":"` + start + `","count":2}`),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 400,
			ExpectedContent: []string{`"daysOfWeek":{"code":"validation_invalid_days"`, `"timezone":{"code":"validation_invalid_timezone"`,
				`"startTime":{"code":"validation_invalid_time"`},
			ExpectedEvents: refused,
		},
		{
			Name: "nothing in the future", Method: http.MethodPost, URL: testkit.RecordsURL(collections.SessionSeries),
			Body:           strings.NewReader(`{"title":"Old","daysOfWeek":[1],"startTime":"09:00","startsOn":"2020-01-01","endsOn":"2020-02-01"}`),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 400, ExpectedContent: []string{`"startsOn":{"code":"validation_series_in_the_past"`}, ExpectedEvents: refused,
		},
		{
			Name: "a client cannot put a session in a series", Method: http.MethodPost, URL: testkit.RecordsURL(collections.LiveSessions),
			Body:           strings.NewReader(`{"title":"Sneaky","scheduledStart":"` + testkit.SessionStartLater() + `","series":"abcdefghijklmno"}`),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 400, ExpectedContent: []string{`"series":{"code":"validation_server_field"`},
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}
