package calendar_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/pocketbase/dbx"

	"studyhall/collections"
	"studyhall/testkit"
)

const icsUTC = "20060102T150405Z"

// TestSessionICS: GET /api/live-sessions/{id}/ics is one VEVENT of the
// session, for whoever may view it: UID stable, times in UTC, the title,
// the web app's link, STATUS CANCELLED for a cancelled session, the
// meeting link only for the instructor and attendees; a 404 in
// PocketBase's shape to a caller who may not view it, and a 401 without
// a sign-in.
func TestSessionICS(t *testing.T) {
	t.Parallel()
	app, srv := newCalendarApp(t)
	url := func(id string) string { return srv.URL + testkit.SessionURL(id, "ics") }

	status, header, body := fetch(t, url(testkit.IdSessionScheduled), testkit.Tokens[testkit.Student], nil)
	if status != http.StatusOK {
		t.Fatalf("enrolled student: %d %s", status, body)
	}
	if cd := header.Get("Content-Disposition"); cd != `attachment; filename=session-lvsscheduled001.ics` {
		t.Errorf("Content-Disposition %q", cd)
	}
	cal := parseICS(t, header, body)
	if len(cal.Events()) != 1 {
		t.Fatalf("%d events, want 1", len(cal.Events()))
	}
	ev := cal.Events()[0]
	session := testkit.FindLiveSession(t, app, testkit.IdSessionScheduled)
	start := session.GetDateTime(collections.LiveSessionScheduledStart).Time().UTC().Truncate(time.Second)
	want := map[ics.ComponentProperty]string{
		ics.ComponentPropertyUniqueId:     sessionUID(testkit.IdSessionScheduled),
		ics.ComponentPropertyDtStart:      start.Format(icsUTC),
		ics.ComponentPropertyDtEnd:        start.Add(60 * time.Minute).Format(icsUTC),
		ics.ComponentPropertySummary:      "Session " + testkit.IdSessionScheduled,
		ics.ComponentPropertyUrl:          srv.URL + "/live-sessions/" + testkit.IdSessionScheduled,
		ics.ComponentPropertyStatus:       "CONFIRMED",
		ics.ComponentPropertyLastModified: session.GetDateTime(collections.FieldUpdated).Time().UTC().Format(icsUTC),
		// the student has not joined: no meeting link
		ics.ComponentPropertyLocation: "",
	}
	for name, value := range want {
		if got := prop(ev, name); got != value {
			t.Errorf("%s = %q, want %q", name, got, value)
		}
	}
	// the start parses back to the session's start
	if got, err := ev.GetStartAt(); err != nil || !got.Equal(start) {
		t.Errorf("DTSTART parses as %v (%v), want %v", got, err, start)
	}

	// the instructor and an attendee get the meeting link
	testkit.SeatAttendee(t, app, "lsastudentsch01", testkit.IdSessionScheduled, testkit.IdStudent)
	for _, actor := range []string{testkit.Instructor, testkit.Student} {
		_, header, body := fetch(t, url(testkit.IdSessionScheduled), testkit.Tokens[actor], nil)
		ev := parseICS(t, header, body).Events()[0]
		if got := prop(ev, ics.ComponentPropertyLocation); got != "https://meet.example.com/"+testkit.IdSessionScheduled {
			t.Errorf("%s: LOCATION %q, want the meeting link", actor, got)
		}
	}

	// a cancelled session says so
	_, header, body = fetch(t, url(testkit.IdSessionCancelled), testkit.Tokens[testkit.Student], nil)
	if got := prop(parseICS(t, header, body).Events()[0], ics.ComponentPropertyStatus); got != "CANCELLED" {
		t.Errorf("cancelled session: STATUS %q, want CANCELLED", got)
	}

	// a public session is anyone's
	if status, _, body := fetch(t, url(testkit.IdSessionPublic), testkit.Tokens[testkit.OtherStudent], nil); status != http.StatusOK {
		t.Errorf("public session, other student: %d %s", status, body)
	}

	// who may not view the session gets a 404, exactly as for a session
	// that does not exist
	for _, c := range []struct{ what, id, actor string }{
		{"course session, student not enrolled", testkit.IdSessionScheduled, testkit.OtherStudent},
		{"course session, dropped student", testkit.IdSessionScheduled, testkit.IdDroppedStudent},
		{"another course's session", testkit.IdOtherSession, testkit.Student},
		{"another instructor's course session", testkit.IdSessionScheduled, testkit.OtherInstructor},
		{"no such session", "lvsnosuchthing1", testkit.Student},
	} {
		status, header, body := fetch(t, url(c.id), testkit.Tokens[c.actor], nil)
		checkError(t, c.what, status, header, body, http.StatusNotFound, "")
	}
	status, header, body = fetch(t, url(testkit.IdSessionScheduled), "", nil)
	checkError(t, "guest", status, header, body, http.StatusUnauthorized, "")
}

// TestSessionICSRevision: the UID stays while the event changes; SEQUENCE
// and LAST-MODIFIED follow the session's updated time, so calendar apps
// take the newer copy; an unchanged event answers If-None-Match with 304.
func TestSessionICSRevision(t *testing.T) {
	t.Parallel()
	app, srv := newCalendarApp(t)
	url := srv.URL + testkit.SessionURL(testkit.IdSessionScheduled, "ics")
	token := testkit.Tokens[testkit.Student]

	// the session was made an hour ago
	hourAgo := time.Now().UTC().Add(-time.Hour).Format("2006-01-02 15:04:05.000Z")
	if _, err := app.DB().Update(collections.LiveSessions, dbx.Params{"created": hourAgo, "updated": hourAgo},
		dbx.HashExp{"id": testkit.IdSessionScheduled}).Execute(); err != nil {
		t.Fatal(err)
	}
	_, header, body := fetch(t, url, token, nil)
	before := parseICS(t, header, body).Events()[0]
	if got := prop(before, ics.ComponentPropertySequence); got != "0" {
		t.Errorf("SEQUENCE of an unchanged session %q, want 0", got)
	}
	if status, _, _ := fetch(t, url, token, map[string]string{"If-None-Match": header.Get("ETag")}); status != http.StatusNotModified {
		t.Errorf("If-None-Match with the current ETag: %d, want 304", status)
	}

	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
		testkit.Tokens[testkit.Instructor], map[string]any{"title": "Moved, and renamed"}, nil); status != http.StatusOK {
		t.Fatalf("rename: %d", status)
	}
	status, header2, body := fetch(t, url, token, map[string]string{"If-None-Match": header.Get("ETag")})
	if status != http.StatusOK {
		t.Fatalf("after the change, with the old ETag: %d, want 200", status)
	}
	after := parseICS(t, header2, body).Events()[0]
	if after.Id() != before.Id() {
		t.Errorf("UID changed from %q to %q", before.Id(), after.Id())
	}
	seq, err := strconv.Atoi(prop(after, ics.ComponentPropertySequence))
	if err != nil || seq < 3500 {
		t.Errorf("SEQUENCE after a change an hour later: %q, want about 3600", prop(after, ics.ComponentPropertySequence))
	}
	was, _ := before.GetLastModifiedAt()
	now, _ := after.GetLastModifiedAt()
	if !now.After(was) || prop(after, ics.ComponentPropertySummary) != "Moved, and renamed" {
		t.Errorf("LAST-MODIFIED %v → %v, SUMMARY %q", was, now, prop(after, ics.ComponentPropertySummary))
	}
}
