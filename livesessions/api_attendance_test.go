package livesessions_test

import (
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"

	"studyhall/collections"
	"studyhall/testkit"
)

// getCSV fetches an export as token and returns the status, the headers
// and the parsed rows (nil unless 200).
func getCSV(t testing.TB, baseURL, path, token string) (int, http.Header, [][]string, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, baseURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return res.StatusCode, res.Header, nil, string(raw)
	}
	r := csv.NewReader(strings.NewReader(string(raw)))
	r.FieldsPerRecord = 0 // every row as wide as the header
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("%s: not CSV: %v\n%s", path, err, raw)
	}
	return res.StatusCode, res.Header, rows, string(raw)
}

// TestLiveSessionAttendanceExport: the instructor downloads a session's
// and a course's attendance as CSV that parses back to what the database
// holds; formulas are defused, emails absent, someone who only waited
// absent; everyone else gets a 404.
func TestLiveSessionAttendanceExport(t *testing.T) {
	t.Parallel()
	app := testkit.NewRushApp(t)
	testkit.SeedLiveSessions(t, app)
	srv := testkit.StartServer(t, app)

	// a student whose name a spreadsheet would run
	student, err := app.FindRecordById(collections.Users, testkit.IdStudent)
	if err != nil {
		t.Fatal(err)
	}
	student.Set(collections.UserName, `=HYPERLINK("http://evil.example","Sam")`)
	if err := app.Save(student); err != nil {
		t.Fatal(err)
	}
	// the live session: the student stays 2 minutes and leaves; the
	// instructor's own seat stays active
	var attendee map[string]any
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionLive, "join"), testkit.Tokens[testkit.Student], nil, &attendee); status != 200 {
		t.Fatalf("join: %d", status)
	}
	backdateAttendance(t, app, attendee["id"].(string), 2*time.Minute)
	if _, err := app.DB().NewQuery("UPDATE {{live_session_attendees}} SET [[firstJoinedAt]] = [[joinedAt]] WHERE [[id]] = {:id}").
		Bind(dbx.Params{"id": attendee["id"]}).Execute(); err != nil {
		t.Fatal(err)
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionLive, "leave"), testkit.Tokens[testkit.Student], nil, &attendee); status != 200 {
		t.Fatalf("leave: %d", status)
	}
	// the scheduled session (3 seats) with the other two seats taken and
	// one user waiting, who is no attendance
	testkit.SeatAttendee(t, app, "lsaexport000001", testkit.IdSessionScheduled, testkit.IdStudent)
	testkit.SeatAttendee(t, app, "lsaexport000002", testkit.IdSessionScheduled, testkit.IdInstructor)
	users := testkit.InsertUsers(t, app, "export", 2)
	for _, u := range users {
		if _, err := app.DB().Insert(collections.Enrollments, dbx.Params{"id": "enr" + u.Id[3:], "course": testkit.IdCourse, "student": u.Id, "status": "active",
			"created": time.Now().UTC().Format("2006-01-02 15:04:05.000Z"), "updated": time.Now().UTC().Format("2006-01-02 15:04:05.000Z")}).Execute(); err != nil {
			t.Fatal(err)
		}
	}
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "join"), users[0].Token, nil, nil); status != 200 {
		t.Fatalf("third seat: %d", status)
	}
	var waiting map[string]any
	if status := testkit.ApiRequest(t, srv.URL, http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "join"), users[1].Token, map[string]any{"waitlist": true}, &waiting); status != 200 || waiting["waitlistPosition"] != 1.0 {
		t.Fatalf("waiting: %d %v", status, waiting)
	}

	status, header, rows, raw := getCSV(t, srv.URL, testkit.SessionURL(testkit.IdSessionLive, "attendance.csv"), testkit.Tokens[testkit.Instructor])
	if status != 200 {
		t.Fatalf("session export: %d %s", status, raw)
	}
	if ct := header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if cd := header.Get("Content-Disposition"); cd != `attachment; filename="attendance-`+testkit.IdSessionLive+`.csv"` {
		t.Errorf("content disposition %q", cd)
	}
	if !strings.Contains(raw, "\r\n") || strings.Contains(raw, "@studyhall.test") {
		t.Errorf("want CRLF lines and no email:\n%s", raw)
	}
	if len(rows) != 2 || strings.Join(rows[0], ",") != "userId,name,firstJoinedAt,lastLeftAt,attendedSeconds" {
		t.Fatalf("session export rows: %q", rows)
	}
	row := rows[1]
	if row[0] != testkit.IdStudent || row[1] != `'=HYPERLINK("http://evil.example","Sam")` {
		t.Errorf("the student's row: %q", row)
	}
	if seconds, _ := strconv.Atoi(row[4]); seconds < 119 || seconds > 122 {
		t.Errorf("attendedSeconds %q, want about 120", row[4])
	}
	joined, err1 := time.Parse(time.RFC3339, row[2])
	left, err2 := time.Parse(time.RFC3339, row[3])
	if err1 != nil || err2 != nil || left.Sub(joined) < 119*time.Second || left.Sub(joined) > 122*time.Second {
		t.Errorf("first joined %q, last left %q", row[2], row[3])
	}

	status, _, rows, raw = getCSV(t, srv.URL, "/api/courses/"+testkit.IdCourse+"/attendance.csv", testkit.Tokens[testkit.Instructor])
	if status != 200 {
		t.Fatalf("course export: %d %s", status, raw)
	}
	if strings.Join(rows[0], ",") != "sessionId,sessionTitle,scheduledStart,userId,name,firstJoinedAt,lastLeftAt,attendedSeconds" {
		t.Fatalf("course header %q", rows[0])
	}
	bySession := map[string][]string{}
	for _, r := range rows[1:] {
		bySession[r[0]] = append(bySession[r[0]], r[3])
		if r[3] == users[1].Id {
			t.Errorf("the waiting user is in the export: %q", r)
		}
	}
	if len(bySession[testkit.IdSessionLive]) != 1 || len(bySession[testkit.IdSessionScheduled]) != 3 || len(rows) != 5 {
		t.Errorf("course export by session: %v", bySession)
	}
	if _, other := bySession[testkit.IdSessionPublic]; other {
		t.Errorf("a session of no course is in the course export")
	}

	// nobody else learns the exports exist
	for _, probe := range []struct{ actor, path string }{
		{testkit.Student, testkit.SessionURL(testkit.IdSessionLive, "attendance.csv")},          // can see the session
		{testkit.OtherInstructor, testkit.SessionURL(testkit.IdSessionLive, "attendance.csv")},  // cannot
		{testkit.Student, "/api/courses/" + testkit.IdCourse + "/attendance.csv"},               // enrolled
		{testkit.OtherInstructor, "/api/courses/" + testkit.IdCourse + "/attendance.csv"},       // another's course
		{testkit.Instructor, "/api/courses/nosuchcourse000/attendance.csv"},                     // none
		{testkit.OtherInstructor, testkit.SessionURL(testkit.IdOtherSession, "attendance.csv")}, // their own: works
	} {
		status, _, _, raw := getCSV(t, srv.URL, probe.path, testkit.Tokens[probe.actor])
		want := http.StatusNotFound
		if probe.path == testkit.SessionURL(testkit.IdOtherSession, "attendance.csv") {
			want = http.StatusOK
		}
		if status != want {
			t.Errorf("%s GET %s: %d, want %d: %s", probe.actor, probe.path, status, want, raw)
		}
	}
	if status, _, _, _ := getCSV(t, srv.URL, testkit.SessionURL(testkit.IdSessionLive, "attendance.csv"), ""); status != http.StatusUnauthorized {
		t.Errorf("a guest: %d, want 401", status)
	}
}
