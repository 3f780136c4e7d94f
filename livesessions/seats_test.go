package livesessions_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestLiveSessionFullSessionChanges fills a session, so that the server
// answers its joiners from memory, then changes it every way a seat can
// come free or the session can change: each change counts at the next
// join, and none of it is shown to someone who cannot see the session.
func TestLiveSessionFullSessionChanges(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	testkit.SeedLiveSessions(t, app)
	users := testkit.InsertUsers(t, app, "fullchange", 5)
	srv := testkit.StartServer(t, app)
	session := testkit.NewRushSession(t, app, "lvsfullchange01", 2)
	join := func(label, token string, wantStatus int, wantCode string) map[string]any {
		t.Helper()
		var body map[string]any
		status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "join"), token, nil, &body)
		code := ""
		if data, ok := body["data"].(map[string]any); ok {
			code, _ = data["code"].(string)
		}
		if status != wantStatus || code != wantCode {
			t.Fatalf("%s: %d %q (%v), want %d %q", label, status, code, body, wantStatus, wantCode)
		}
		return body
	}
	expectSeats := func(label string, want int) {
		t.Helper()
		if n, count := testkit.CountActiveAttendance(t, app, session.Id), testkit.FindLiveSession(t, app, session.Id).GetInt(collections.LiveSessionAttendeeCount); n != want || count != want {
			t.Fatalf("%s: %d active attendees, attendeeCount %d; want %d", label, n, count, want)
		}
	}
	a, b, c, d, e := users[0], users[1], users[2], users[3], users[4]

	first := join("a joins", a.Token, 200, "")
	join("b joins", b.Token, 200, "")
	join("c at the full session", c.Token, 409, "session_full")
	join("d at the full session", d.Token, 409, "session_full")
	// a seated joiner gets their own attendance back, from a full session
	if again := join("a joins again", a.Token, 200, ""); again["id"] != first["id"] || again["user"] != a.Id {
		t.Fatalf("a's second join answered %v, want their attendance %v", again["id"], first["id"])
	}
	expectSeats("full", 2)

	// a leave frees a seat at once
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "leave"), a.Token, nil, nil); status != 200 {
		t.Fatalf("a leaves: %d", status)
	}
	join("c after a left", c.Token, 200, "")
	join("d, full again", d.Token, 409, "session_full")

	// more seats, through the records API as the instructor
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.LiveSessions, session.Id), testkit.Tokens[testkit.Instructor],
		map[string]any{"capacity": 3}, nil); status != 200 {
		t.Fatalf("capacity 3: %d", status)
	}
	join("d after the capacity went up", d.Token, 200, "")
	join("e, full again", e.Token, 409, "session_full")
	expectSeats("full at 3", 3)

	// a seated user's account deleted frees their seat
	deleted, err := app.FindRecordById(collections.Users, b.Id)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(deleted); err != nil {
		t.Fatal(err)
	}
	join("e after b's account went", e.Token, 200, "")
	expectSeats("full again", 3)

	// a seat freed by a superuser's edit of the attendance row
	var rows struct {
		Items []struct {
			Id string `json:"id"`
		} `json:"items"`
	}
	testkit.ApiRequest(t, srv.URL, http.MethodGet, testkit.RecordsURL(collections.LiveSessionAttendees)+"?filter="+
		"(session='"+session.Id+"'%26%26user='"+c.Id+"')", testkit.Tokens[testkit.Superuser], nil, &rows)
	if len(rows.Items) != 1 {
		t.Fatalf("c's attendance: %v", rows)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.LiveSessionAttendees, rows.Items[0].Id), testkit.Tokens[testkit.Superuser],
		map[string]any{"active": false}, nil); status != 200 {
		t.Fatalf("superuser closes c's attendance: %d", status)
	}
	join("a after a superuser freed c's seat", a.Token, 200, "")

	// the session cancelled: no longer joinable, whatever the seats
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(session.Id, "cancel"), testkit.Tokens[testkit.Instructor], nil, nil); status != 200 {
		t.Fatalf("cancel: %d", status)
	}
	join("c after the cancel", c.Token, 409, "invalid_status")
}

// fullCourseSession is a test app with the live session fixtures and a
// server, in which the course session idSessionScheduled has one seat,
// taken by its instructor.
func fullCourseSession(t *testing.T) (*tests.TestApp, *httptest.Server) {
	t.Helper()
	app := testkit.NewTestApp(t)
	t.Cleanup(app.Cleanup)
	testkit.SeedLiveSessions(t, app)
	srv := testkit.StartServer(t, app)
	session := testkit.FindLiveSession(t, app, testkit.IdSessionScheduled)
	session.Set(collections.LiveSessionCapacity, 1)
	if err := app.Save(session); err != nil {
		t.Fatal(err)
	}
	testkit.SeatAttendee(t, app, "lsafullcourse01", testkit.IdSessionScheduled, testkit.IdInstructor)
	return app, srv
}

// TestLiveSessionFullCourseSessionStaysHidden fills a course session: a
// student who is not enrolled still gets the 404 of a session they cannot
// see, not the 409 of a full one.
func TestLiveSessionFullCourseSessionStaysHidden(t *testing.T) {
	t.Parallel()
	_, srv := fullCourseSession(t)

	for _, probe := range []struct {
		actor string
		want  int
	}{
		{testkit.Student, http.StatusConflict},          // enrolled: the session is full (and now known full)
		{testkit.OtherStudent, http.StatusNotFound},     // enrolled nowhere
		{testkit.IdDroppedStudent, http.StatusNotFound}, // dropped out of the course
		{testkit.Student, http.StatusConflict},          // still full
		{testkit.OtherInstructor, http.StatusNotFound},  // teaches another course
	} {
		if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "join"), testkit.Tokens[probe.actor], nil, nil); status != probe.want {
			t.Errorf("%s joins the full course session: %d, want %d", probe.actor, status, probe.want)
		}
	}
}

// TestLiveSessionFullSessionFollowsItsRules narrows the view rule of live
// sessions while a course session is known full: an enrolled student who
// was told "full" a moment before gets the 404 of a session they can no
// longer see right after, with no change to the session itself.
func TestLiveSessionFullSessionFollowsItsRules(t *testing.T) {
	t.Parallel()
	app, srv := fullCourseSession(t)
	join := func() int {
		return testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "join"), testkit.Tokens[testkit.Student], nil, nil)
	}
	if status := join(); status != http.StatusConflict {
		t.Fatalf("enrolled student at the full session: %d, want 409", status)
	}

	sessions, err := app.FindCollectionByNameOrId(collections.LiveSessions)
	if err != nil {
		t.Fatal(err)
	}
	sessions.ViewRule = types.Pointer("instructor = @request.auth.id")
	if err := app.Save(sessions); err != nil {
		t.Fatal(err)
	}
	if status := join(); status != http.StatusNotFound {
		t.Fatalf("the same student once only the instructor may view sessions: %d, want 404", status)
	}
}

// TestLiveSessionsShipWithTheReadRule: the rule the join route's public
// fast path recognises is the rule the collection has after the
// migrations; were they to drift apart, every refused join would pay the
// rule's query again.
func TestLiveSessionsShipWithTheReadRule(t *testing.T) {
	t.Parallel()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	c, err := app.FindCollectionByNameOrId(collections.LiveSessions)
	if err != nil {
		t.Fatal(err)
	}
	if c.ViewRule == nil || *c.ViewRule != collections.LiveSessionsReadRule {
		t.Fatalf("view rule %v, want collections.LiveSessionsReadRule", c.ViewRule)
	}
}
