package livesessions

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// The attendance export: GET /api/live-sessions/{id}/attendance.csv and
// GET /api/courses/{id}/attendance.csv, for the instructor of the session
// or course only (anyone else gets the 404 of something that does not
// exist). One row per user who ever took a seat; a user who only waited
// is not attendance. Emails are left out: no other user ever sees one, and
// the instructor is another user; userId identifies the row.
//
// The CSV is RFC 4180 (CRLF, quoted where needed) in UTF-8. A text cell
// that a spreadsheet would run as a formula (starting with = + - @, tab or
// carriage return) gets a leading apostrophe.

// attendanceColumns are the columns of every attendance row; the course
// export puts sessionColumns before them.
var (
	attendanceColumns = []string{"userId", "name", "firstJoinedAt", "lastLeftAt", "attendedSeconds"}
	sessionColumns    = []string{"sessionId", "sessionTitle", "scheduledStart"}
)

// exportSessionAttendance is GET /api/live-sessions/{id}/attendance.csv.
func exportSessionAttendance(e *core.RequestEvent) error {
	session, err := findViewableSession(e)
	if err != nil {
		return err
	}
	if session.Instructor() != e.Auth.Id {
		return e.NotFoundError("", nil)
	}
	rows, err := attendanceRows(e.App, []*LiveSession{session}, false, time.Now())
	if err != nil {
		return e.InternalServerError("", err)
	}
	return sendCSV(e, "attendance-"+session.Id+".csv", append([][]string{attendanceColumns}, rows...))
}

// exportCourseAttendance is GET /api/courses/{id}/attendance.csv: every
// session of the course, by start.
func exportCourseAttendance(e *core.RequestEvent) error {
	course, err := e.App.FindRecordById(collections.Courses, e.Request.PathValue("id"))
	if err != nil || course.GetString(collections.CourseInstructor) != e.Auth.Id {
		return e.NotFoundError("", err)
	}
	var sessions []*LiveSession
	err = e.App.RecordQuery(collections.LiveSessions).
		AndWhere(dbx.HashExp{collections.LiveSessionCourse: course.Id}).
		OrderBy(collections.LiveSessionScheduledStart, collections.FieldId).
		All(&sessions)
	if err != nil {
		return e.InternalServerError("", err)
	}
	rows, err := attendanceRows(e.App, sessions, true, time.Now())
	if err != nil {
		return e.InternalServerError("", err)
	}
	header := append(append([]string{}, sessionColumns...), attendanceColumns...)
	return sendCSV(e, "attendance-course-"+course.Id+".csv", append([][]string{header}, rows...))
}

// attendanceRows are the rows of the sessions' attendance, session by
// session in the given order, each by first join; withSession puts the
// session's columns first. attendedSeconds counts an active stay up to
// now.
func attendanceRows(app core.App, sessions []*LiveSession, withSession bool, now time.Time) ([][]string, error) {
	if len(sessions) == 0 {
		return nil, nil
	}
	ids := make([]any, len(sessions))
	for i, session := range sessions {
		ids[i] = session.Id
	}
	var attendees []*Attendee
	err := app.RecordQuery(collections.LiveSessionAttendees).
		AndWhere(dbx.In(collections.AttendeeSession, ids...)).
		AndWhere(dbx.NewExp("[["+collections.AttendeeFirstJoinedAt+"]] != '' OR [["+collections.AttendeeJoinedAt+"]] != ''")).
		OrderBy(collections.AttendeeFirstJoinedAt, collections.AttendeeJoinedAt, collections.FieldId).
		All(&attendees)
	if err != nil {
		return nil, err
	}
	bySession := map[string][]*Attendee{}
	userIds := make([]string, 0, len(attendees))
	for _, attendee := range attendees {
		bySession[attendee.Session()] = append(bySession[attendee.Session()], attendee)
		userIds = append(userIds, attendee.User())
	}
	users, err := app.FindRecordsByIds(collections.Users, userIds)
	if err != nil {
		return nil, err
	}
	names := make(map[string]string, len(users))
	for _, u := range users {
		names[u.Id] = u.GetString(collections.UserName)
	}

	rows := make([][]string, 0, len(attendees))
	for _, session := range sessions {
		for _, attendee := range bySession[session.Id] {
			first := attendee.FirstJoinedAt()
			if first.IsZero() {
				first = attendee.JoinedAt()
			}
			seconds := attendee.AttendedSeconds()
			if attendee.Active() {
				seconds += session.liveSeconds(attendee.JoinedAt().Time(), now)
			}
			var row []string
			if withSession {
				row = append(row, session.Id, csvText(session.Title()), csvTime(session.ScheduledStart().Time()))
			}
			rows = append(rows, append(row,
				attendee.User(), csvText(names[attendee.User()]),
				csvTime(first.Time()), csvTime(attendee.LeftAt().Time()), strconv.Itoa(seconds)))
		}
	}
	return rows, nil
}

// csvText guards a text cell against spreadsheet formulas: one that starts
// with = + - @, a tab or a carriage return gets a leading apostrophe, which
// spreadsheets show as text and do not run.
func csvText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// csvTime is a time as RFC 3339 in UTC; empty for none.
func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// sendCSV answers with rows as an RFC 4180 attachment named filename.
func sendCSV(e *core.RequestEvent, filename string, rows [][]string) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	if err := w.WriteAll(rows); err != nil {
		return e.InternalServerError("", err)
	}
	e.Response.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	e.Response.Header().Set("Cache-Control", "no-store")
	return e.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}
