package calendar_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/golang-jwt/jwt/v5"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/calendar"
	"studyhall/collections"
	"studyhall/emails"
	"studyhall/linktoken"
	"studyhall/testkit"
)

// Office-hours slots of the feed tests.
const (
	idSlotCourse   = "ohsslotcourse01" // idInstructor, idCourse, Mondays 10:00-11:00 Europe/London
	idSlotOther    = "ohsslotother001" // idOtherInstructor, idOtherCourse
	idSlotInactive = "ohsslotinactive" // idInstructor, idCourse, inactive
	idSlotOwn      = "ohsslotown00001" // idInstructor, no course
)

// seedSlots saves the feed tests' office-hours slots.
func seedSlots(t *testing.T, app *tests.TestApp) {
	t.Helper()
	for _, s := range []struct {
		id   string
		data map[string]any
	}{
		{idSlotCourse, map[string]any{"instructor": testkit.IdInstructor, "course": testkit.IdCourse, "dayOfWeek": 1,
			"startTime": "10:00", "endTime": "11:00", "timezone": "Europe/London", "location": "Room 101, Floor 2; East"}},
		{idSlotOther, map[string]any{"instructor": testkit.IdOtherInstructor, "course": testkit.IdOtherCourse, "dayOfWeek": 2,
			"startTime": "10:00", "endTime": "11:00", "timezone": "Asia/Tokyo"}},
		{idSlotInactive, map[string]any{"instructor": testkit.IdInstructor, "course": testkit.IdCourse, "dayOfWeek": 3,
			"startTime": "10:00", "endTime": "11:00", "timezone": "Europe/London", "active": false}},
		{idSlotOwn, map[string]any{"instructor": testkit.IdInstructor, "dayOfWeek": 4,
			"startTime": "16:00", "endTime": "17:30", "timezone": "America/New_York"}},
	} {
		if _, ok := s.data["active"]; !ok {
			s.data["active"] = true
		}
		if _, err := testkit.SaveRecord(app, collections.OfficeHours, s.id, s.data); err != nil {
			t.Fatal(err)
		}
	}
}

// feedURL is actor's current feed URL, from GET /api/calendar/token.
func feedURL(t *testing.T, srv *httptest.Server, token string) string {
	t.Helper()
	var answer struct {
		URL       string `json:"url"`
		WebcalURL string `json:"webcalUrl"`
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodGet, "/api/calendar/token", token, nil, &answer); status != http.StatusOK {
		t.Fatalf("GET /api/calendar/token: %d", status)
	}
	return answer.URL
}

// feedUIDs fetches a feed, checks it parses, and returns its events by UID.
func feedEvents(t *testing.T, url string) (map[string]*ics.VEvent, *ics.Calendar, string) {
	t.Helper()
	status, header, body := fetch(t, url, "", nil)
	if status != http.StatusOK {
		t.Fatalf("GET feed: %d %s", status, body)
	}
	checkWireFormat(t, body)
	cal := parseICS(t, header, body)
	return eventsByUID(cal), cal, body
}

// TestFeedHoldsWhatTheUserMaySee: each user's feed holds exactly their
// sessions (of courses they are enrolled in and did not drop, or teach,
// and those they joined) and the active office hours of their courses,
// nothing they could not open in the app.
func TestFeedHoldsWhatTheUserMaySee(t *testing.T) {
	t.Parallel()
	app, srv := newCalendarApp(t)
	seedSlots(t, app)
	// the dropped student joined a course session before dropping out:
	// the session is no longer theirs to see, nor in their feed
	testkit.SeatAttendee(t, app, "lsadroppedsch01", testkit.IdSessionScheduled, testkit.IdDroppedStudent)

	courseSessions := []string{testkit.IdSessionScheduled, testkit.IdSessionLive, testkit.IdSessionEnded, testkit.IdSessionCancelled}
	cases := []struct {
		actor string
		want  []string // session and slot ids
	}{
		{testkit.Student, append(slices.Clone(courseSessions), idSlotCourse)},
		// joined the full public session; enrolled nowhere
		{testkit.OtherStudent, []string{testkit.IdSessionFull}},
		{testkit.IdDroppedStudent, nil},
		{testkit.Instructor, append(slices.Clone(courseSessions), testkit.IdSessionPublic, testkit.IdSessionFull, idSlotCourse, idSlotOwn)},
		{testkit.OtherInstructor, []string{testkit.IdOtherSession, idSlotOther}},
	}
	for _, c := range cases {
		events, _, _ := feedEvents(t, feedURL(t, srv, testkit.Tokens[c.actor]))
		var want, got []string
		for _, id := range c.want {
			if strings.HasPrefix(id, "ohs") {
				want = append(want, slotUID(id))
			} else {
				want = append(want, sessionUID(id))
			}
		}
		for uid := range events {
			got = append(got, uid)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s's feed: %v, want %v", c.actor, got, want)
		}
	}

	// the student's copy: the cancelled session says so; the slot is a
	// weekly event with its location, the meeting link of a session the
	// student did not join is not there
	events, cal, _ := feedEvents(t, feedURL(t, srv, testkit.Tokens[testkit.Student]))
	if got := prop(events[sessionUID(testkit.IdSessionCancelled)], ics.ComponentPropertyStatus); got != "CANCELLED" {
		t.Errorf("cancelled session: STATUS %q", got)
	}
	if got := prop(events[sessionUID(testkit.IdSessionScheduled)], ics.ComponentPropertyLocation); got != "" {
		t.Errorf("a session the student did not join shows its meeting link: %q", got)
	}
	slot := events[slotUID(idSlotCourse)]
	if got := prop(slot, ics.ComponentPropertyLocation); got != "Room 101, Floor 2; East" {
		t.Errorf("slot LOCATION %q", got)
	}
	if got := prop(slot, ics.ComponentPropertySummary); got != "Office hours: Ada Instructor (Algebra I)" {
		t.Errorf("slot SUMMARY %q", got)
	}
	if name := cal.CalendarProperties; len(name) == 0 {
		t.Error("the feed has no calendar properties")
	}
}

// TestFeedSlotKeepsLocalTimeAcrossDST: a weekly slot on Mondays at 10:00
// in Europe/London is an event in that zone (TZID, local 10:00, weekly on
// Mondays), and the feed's VTIMEZONE for the zone puts every occurrence
// of the next year at 10:00 London time: before and after the October
// change alike.
func TestFeedSlotKeepsLocalTimeAcrossDST(t *testing.T) {
	t.Parallel()
	app, srv := newCalendarApp(t)
	seedSlots(t, app)
	events, cal, _ := feedEvents(t, feedURL(t, srv, testkit.Tokens[testkit.Student]))

	slot := events[slotUID(idSlotCourse)]
	start := slot.GetProperty(ics.ComponentPropertyDtStart)
	if start == nil || len(start.ICalParameters["TZID"]) != 1 || start.ICalParameters["TZID"][0] != "Europe/London" {
		t.Fatalf("DTSTART %+v, want TZID=Europe/London", start)
	}
	if !strings.HasSuffix(start.Value, "T100000") || strings.HasSuffix(start.Value, "Z") {
		t.Errorf("DTSTART %q, want local 10:00", start.Value)
	}
	if got := prop(slot, ics.ComponentPropertyRrule); got != "FREQ=WEEKLY;BYDAY=MO" {
		t.Errorf("RRULE %q", got)
	}
	end := slot.GetProperty(ics.ComponentPropertyDtEnd)
	if end == nil || end.ICalParameters["TZID"][0] != "Europe/London" || end.Value != start.Value[:9]+"110000" {
		t.Errorf("DTEND %+v, want the same day at 11:00 London", end)
	}
	first, err := time.Parse(calendar.ICSLocalFormat, start.Value)
	if err != nil {
		t.Fatal(err)
	}
	if first.Weekday() != time.Monday {
		t.Errorf("the first occurrence is a %v", first.Weekday())
	}

	// the VTIMEZONE the feed carries for Europe/London
	var london *ics.VTimezone
	for _, tz := range cal.Timezones() {
		if tz.GetProperty(ics.ComponentPropertyTzid).Value == "Europe/London" {
			london = tz
		}
	}
	if london == nil {
		t.Fatal("the feed has no VTIMEZONE for Europe/London")
	}
	onsets := vtimezoneOnsets(t, london, first.Year()+2)
	goLondon, _ := time.LoadLocation("Europe/London")
	summer, winter := 0, 0
	for week := range 53 {
		wall := first.AddDate(0, 0, 7*week) // 10:00 on a Monday, as written
		// the instant a calendar app reading the VTIMEZONE puts it at:
		// wall time minus the offset in force (found by fixed point)
		at := wall
		for range 3 {
			at = wall.Add(-time.Duration(offsetAt(t, onsets, at)) * time.Second)
		}
		local := at.In(goLondon)
		if local.Hour() != 10 || local.Minute() != 0 || local.Weekday() != time.Monday {
			t.Errorf("occurrence %d (%s) falls at %v London time, want Monday 10:00", week, wall.Format("2006-01-02"), local)
		}
		if local.IsDST() {
			summer++
		} else {
			winter++
		}
	}
	if summer == 0 || winter == 0 {
		t.Errorf("a year of occurrences with %d in summer time and %d in winter time: the DST changes were not crossed", summer, winter)
	}
}

// TestFeedBadLinks: a feed link that was tampered with, signed with
// another key, of another kind, expired, revoked (after POST
// /api/calendar/token) or of a deleted user answers as the unsubscribe
// link answers a bad token: a 400, here in PocketBase's JSON shape, and
// the new link works. No auth header is needed, and none helps.
func TestFeedBadLinks(t *testing.T) {
	t.Parallel()
	app, srv := newCalendarApp(t)
	good := feedURL(t, srv, testkit.Tokens[testkit.Student])
	token := strings.TrimSuffix(strings.TrimPrefix(good, srv.URL+"/api/calendar/"), ".ics")
	if status, _, body := fetch(t, good, "", nil); status != http.StatusOK {
		t.Fatalf("the good link: %d %s", status, body)
	}

	// what the unsubscribe link answers a bad token
	unsubscribeStatus, _, _ := fetch(t, srv.URL+emails.UnsubscribePath+"?token=x"+token, "", nil)
	if unsubscribeStatus != http.StatusBadRequest {
		t.Fatalf("the unsubscribe link answers a bad token with %d", unsubscribeStatus)
	}

	parts := strings.Split(token, ".")
	flip := func(s string) string {
		b := []byte(s)
		if b[len(b)/2] == 'A' {
			b[len(b)/2] = 'B'
		} else {
			b[len(b)/2] = 'A'
		}
		return string(b)
	}
	user, err := app.FindRecordById(collections.Users, testkit.IdStudent)
	if err != nil {
		t.Fatal(err)
	}
	key := user.GetString(collections.UserCalendarKey)
	feedSecret, err := linktoken.Secret(app, "studyhall/calendar-feed/v1")
	if err != nil {
		t.Fatal(err)
	}
	unsubscribeSecret, err := emails.UnsubscribeSecret(app)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(secret []byte, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	claims := func(extra map[string]any) jwt.MapClaims {
		c := jwt.MapClaims{"type": "calendar", "key": key, "sub": testkit.IdStudent}
		for k, v := range extra {
			c[k] = v
		}
		return c
	}
	unsubscribeToken, err := emails.SignUnsubscribeToken(unsubscribeSecret, testkit.IdStudent, "all", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)

	// the control: a token made here the way the server makes them works
	if status, _, body := fetch(t, srv.URL+"/api/calendar/"+sign(feedSecret, claims(nil))+".ics", "", nil); status != http.StatusOK {
		t.Fatalf("a well-made token: %d %s", status, body)
	}

	bad := map[string]string{
		"tampered payload":                parts[0] + "." + flip(parts[1]) + "." + parts[2],
		"tampered signature":              parts[0] + "." + parts[1] + "." + flip(parts[2]),
		"signed with another key":         sign([]byte("not the installation's secret"), claims(nil)),
		"signed with the unsubscribe key": sign(unsubscribeSecret, claims(nil)),
		"an unsubscribe token":            unsubscribeToken,
		"another kind of token":           sign(feedSecret, claims(map[string]any{"type": "unsubscribe"})),
		"a stale key":                     sign(feedSecret, claims(map[string]any{"key": "stale"})),
		"no key":                          sign(feedSecret, claims(map[string]any{"key": ""})),
		"another user's name":             sign(feedSecret, claims(map[string]any{"sub": testkit.IdOtherStudent})),
		"expired":                         sign(feedSecret, claims(map[string]any{"exp": time.Now().Add(-time.Minute).Unix()})),
		"alg none":                        none,
		"no token":                        "",
		"garbage":                         "not-a-token",
	}
	for what, tok := range bad {
		status, header, body := fetch(t, srv.URL+"/api/calendar/"+tok+".ics", testkit.Tokens[testkit.Student], nil)
		checkError(t, what, status, header, body, unsubscribeStatus, "invalid_calendar_link")
	}
	status, header, body := fetch(t, srv.URL+"/api/calendar/"+token, "", nil)
	checkError(t, "without .ics", status, header, body, unsubscribeStatus, "invalid_calendar_link")

	// revoked: a new link replaces the old one
	var renewed struct {
		URL string `json:"url"`
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, "/api/calendar/token", testkit.Tokens[testkit.Student], nil, &renewed); status != http.StatusOK {
		t.Fatalf("POST /api/calendar/token: %d", status)
	}
	status, header, body = fetch(t, good, "", nil)
	checkError(t, "revoked", status, header, body, unsubscribeStatus, "invalid_calendar_link")
	if status, _, body := fetch(t, renewed.URL, "", nil); status != http.StatusOK {
		t.Errorf("the new link: %d %s", status, body)
	}

	// a deleted user's link
	other := feedURL(t, srv, testkit.Tokens[testkit.OtherStudent])
	otherUser, err := app.FindRecordById(collections.Users, testkit.IdOtherStudent)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(otherUser); err != nil {
		t.Fatal(err)
	}
	status, header, body = fetch(t, other, "", nil)
	checkError(t, "deleted user", status, header, body, unsubscribeStatus, "invalid_calendar_link")
}

// TestFeedConditionalGet: a feed that did not change answers a calendar
// app's If-None-Match with 304; a change makes a new ETag.
func TestFeedConditionalGet(t *testing.T) {
	t.Parallel()
	_, srv := newCalendarApp(t)
	url := feedURL(t, srv, testkit.Tokens[testkit.Student])
	status, header, _ := fetch(t, url, "", nil)
	etag := header.Get("ETag")
	if status != http.StatusOK || etag == "" || header.Get("Cache-Control") != "private, no-cache" || header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("first fetch: %d, headers %v", status, header)
	}
	if status, _, _ := fetch(t, url, "", map[string]string{"If-None-Match": etag}); status != http.StatusNotModified {
		t.Errorf("unchanged feed: %d, want 304", status)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPatch, testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled),
		testkit.Tokens[testkit.Instructor], map[string]any{"title": "Renamed"}, nil); status != http.StatusOK {
		t.Fatalf("rename: %d", status)
	}
	status, header, body := fetch(t, url, "", map[string]string{"If-None-Match": etag})
	if status != http.StatusOK || header.Get("ETag") == etag || !strings.Contains(body, "SUMMARY:Renamed") {
		t.Errorf("changed feed: %d, ETag %q (was %q)", status, header.Get("ETag"), etag)
	}
}
