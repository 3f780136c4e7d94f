package hooks_test

// Over 400 lines: one row per notification type, fired as its trigger fires it.

import (
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/livesessions"
	"studyhall/notifications"
	"studyhall/testkit"
)

// Every notification leads somewhere: each type of the catalog is fired as
// its trigger fires it (the records API, the custom routes, the jobs), and
// the notification it stores must carry an actionUrl that is a route of
// the web app (read from pb_public/app/main.js, so a page that goes
// missing fails here) and whose records the recipient can open.

// webAppMain is the web app's shell, whose route('...') calls are its
// pages.
const webAppMain = "../pb_public/app/main.js"

// webRoute is one route of the web app.
type webRoute struct {
	pattern string
	re      *regexp.Regexp
	names   []string
}

var routeCall = regexp.MustCompile(`(?m)^route\('([^']+)'`)
var routeParam = regexp.MustCompile(`:([a-zA-Z]+)`)

// webRoutes reads the route patterns of the web app, in their order, and
// matches them the way router.js does: ':name' is one path segment, a
// trailing slash is allowed.
func webRoutes(t testing.TB) []webRoute {
	t.Helper()
	src, err := os.ReadFile(webAppMain)
	if err != nil {
		t.Fatal(err)
	}
	var routes []webRoute
	for _, m := range routeCall.FindAllStringSubmatch(string(src), -1) {
		pattern := m[1]
		r := webRoute{pattern: pattern}
		expr := "^"
		last := 0
		for _, loc := range routeParam.FindAllStringSubmatchIndex(pattern, -1) {
			expr += regexp.QuoteMeta(pattern[last:loc[0]]) + "([^/]+)"
			r.names = append(r.names, pattern[loc[2]:loc[3]])
			last = loc[1]
		}
		r.re = regexp.MustCompile(expr + regexp.QuoteMeta(pattern[last:]) + "/?$")
		routes = append(routes, r)
	}
	if len(routes) < 10 {
		t.Fatalf("found %d routes in %s: the route('...') calls moved", len(routes), webAppMain)
	}
	return routes
}

// matchRoute is the first route that path matches, with its parameters.
func matchRoute(routes []webRoute, path string) (webRoute, map[string]string, bool) {
	for _, r := range routes {
		if m := r.re.FindStringSubmatch(path); m != nil {
			params := map[string]string{}
			for i, name := range r.names {
				params[name] = m[i+1]
			}
			return r, params, true
		}
	}
	return webRoute{}, nil, false
}

// routeRecords says, for each route with parameters, which records its
// page loads: each filter (with {param} replaced) must find at least one
// record through the records API as the recipient, so the page opens for
// them. A route with parameters missing here fails the test.
var routeRecords = map[string][]struct{ collection, filter string }{
	"/chat/:roomId":           {{collections.ChatRooms, "id = '{roomId}'"}},
	"/live-sessions/:id":      {{collections.LiveSessions, "id = '{id}'"}},
	"/live-sessions/:id/edit": {{collections.LiveSessions, "id = '{id}'"}},
	"/study-groups/:id":       {{collections.StudyGroups, "id = '{id}'"}},
	"/payments/:id":           {{collections.Payments, "id = '{id}'"}},
	"/courses/:id":            {{collections.Courses, "id = '{id}'"}},
	"/courses/:id/lessons/:lessonId": {
		{collections.Courses, "id = '{id}'"},
		{collections.Lessons, "id = '{lessonId}' && course = '{id}'"},
	},
	"/courses/:id/assessments/:assessmentId": {
		{collections.Courses, "id = '{id}'"},
		{collections.Assessments, "id = '{assessmentId}' && course = '{id}'"},
	},
	"/courses/:id/assessments/:assessmentId/submissions/:submissionId": {
		{collections.Courses, "id = '{id}'"},
		{collections.Assessments, "id = '{assessmentId}' && course = '{id}'"},
		{collections.Submissions, "id = '{submissionId}' && assessment = '{assessmentId}'"},
	},
	"/courses/:id/students/:studentId": {
		{collections.Courses, "id = '{id}'"},
		{collections.Enrollments, "course = '{id}' && student = '{studentId}'"},
	},
}

var recordId = regexp.MustCompile(`^[a-z0-9]{15}$`)

// checkActionURL fails unless link is a path of the web app whose records
// the recipient (token) can open.
func checkActionURL(t testing.TB, routes []webRoute, baseURL, token, link string) {
	t.Helper()
	if link == "" {
		t.Error("no actionUrl")
		return
	}
	u, err := url.Parse(link)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(link, "//") {
		t.Errorf("actionUrl %q is not a path of the web app", link)
		return
	}
	route, params, ok := matchRoute(routes, u.Path)
	if !ok {
		t.Errorf("actionUrl %q matches no route of %s", link, webAppMain)
		return
	}
	if len(params) == 0 {
		return
	}
	targets, ok := routeRecords[route.pattern]
	if !ok {
		t.Errorf("actionUrl %q: add the records of route %s to routeRecords", link, route.pattern)
		return
	}
	for name, value := range params {
		if !recordId.MatchString(value) {
			t.Errorf("actionUrl %q: %s = %q is not a record id", link, name, value)
			return
		}
	}
	for _, target := range targets {
		filter := target.filter
		for name, value := range params {
			filter = strings.ReplaceAll(filter, "{"+name+"}", value)
		}
		var page struct {
			TotalItems int `json:"totalItems"`
		}
		path := testkit.RecordsURL(target.collection) + "?filter=" + url.QueryEscape(filter)
		status := testkit.ApiRequest(t, baseURL, http.MethodGet, path, token, nil, &page)
		if status != http.StatusOK || page.TotalItems == 0 {
			t.Errorf("actionUrl %q (route %s): the recipient finds no %s with %s (status %d)", link, route.pattern, target.collection, filter, status)
		}
	}
}

// linkCase fires one type of the catalog and names who must be told.
type linkCase struct {
	recipient string
	fire      func(t testing.TB, app *tests.TestApp, baseURL string)
}

// call is a fire step: one request as actor (a testkit actor or user id)
// that must succeed.
func call(method, path, actor string, body map[string]any) func(testing.TB, *tests.TestApp, string) {
	return func(t testing.TB, _ *tests.TestApp, baseURL string) {
		t.Helper()
		mustCall(t, baseURL, method, path, actor, body)
	}
}

func mustCall(t testing.TB, baseURL, method, path, actor string, body map[string]any) map[string]any {
	t.Helper()
	if body == nil && method == http.MethodPost {
		body = map[string]any{} // the custom routes take a JSON object
	}
	var out map[string]any
	if status := testkit.ApiRequest(t, baseURL, method, path, testkit.Tokens[actor], body, &out); status < 200 || status > 299 {
		t.Fatalf("%s %s as %s: %d %v", method, path, actor, status, out)
	}
	return out
}

// steps runs fire steps in order.
func steps(fns ...func(testing.TB, *tests.TestApp, string)) func(testing.TB, *tests.TestApp, string) {
	return func(t testing.TB, app *tests.TestApp, baseURL string) {
		for _, fn := range fns {
			fn(t, app, baseURL)
		}
	}
}

func seedSessions(t testing.TB, app *tests.TestApp, _ string) { testkit.SeedLiveSessions(t, app) }
func seedGroups(t testing.TB, app *tests.TestApp, _ string)   { testkit.SeedStudyGroupFixtures(t, app) }

// queueVisit opens a slot of the instructor, queues the student and takes
// the entry through actions (as the instructor, in order).
func queueVisit(actions ...string) func(testing.TB, *tests.TestApp, string) {
	return func(t testing.TB, app *tests.TestApp, baseURL string) {
		t.Helper()
		slot := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "08:00", "09:00", collections.OfficeHoursManualOpen)
		status, entry, apiErr := testkit.JoinQueue(t, baseURL, testkit.Tokens[testkit.Student], slot.Id, "How do I factor x^2 - 1?")
		if status != http.StatusOK {
			t.Fatalf("join the queue: %d %v", status, apiErr)
		}
		for _, action := range actions {
			if action == "announce" { // to the whole queue of the slot
				mustCall(t, baseURL, http.MethodPost, "/api/office-hours/"+slot.Id+"/announce", testkit.Instructor,
					map[string]any{"message": "Back in five minutes."})
				continue
			}
			if status, _, apiErr := testkit.EntryAction(t, baseURL, testkit.Tokens[testkit.Instructor], entry["id"].(string), action, nil); status != http.StatusOK {
				t.Fatalf("%s: %d %v", action, status, apiErr)
			}
		}
	}
}

// linkCases is the whole catalog, by type.
func linkCases() map[string]linkCase {
	now := types.NowDateTime().String()
	inTwoHours := time.Now().UTC().Add(2 * time.Hour).Format(types.DefaultDateLayout)
	progress := testkit.RecordsURL(collections.LessonProgress, testkit.IdProgress)
	payments := testkit.RecordsURL(collections.Payments)
	return map[string]linkCase{
		collections.TypeLessonCompleted: {recipient: testkit.IdStudent,
			fire: call(http.MethodPatch, progress, testkit.Student, map[string]any{"completedAt": now})},
		collections.TypeCourseProgressMilestone: {recipient: testkit.IdInstructor,
			fire: call(http.MethodPatch, progress, testkit.Student, map[string]any{"completedAt": now})},
		collections.TypeVideoCompleted: {recipient: testkit.IdStudent,
			fire: call(http.MethodPatch, progress, testkit.Student, map[string]any{"videoCompletedAt": now})},
		collections.TypeCourseCompleted: {recipient: testkit.IdStudent, fire: steps(
			call(http.MethodPatch, progress, testkit.Student, map[string]any{"completedAt": now}),
			call(http.MethodPost, testkit.RecordsURL(collections.LessonProgress), testkit.Student,
				map[string]any{"lesson": testkit.IdLesson3, "student": testkit.IdStudent, "completedAt": now}))},
		collections.TypeWeeklyProgressSummary: {recipient: testkit.IdStudent,
			fire: func(t testing.TB, app *tests.TestApp, _ string) {
				newYork, _ := time.LoadLocation("America/New_York")
				if err := notifications.SendWeeklySummaries(app, time.Date(2026, 11, 30, 8, 3, 0, 0, newYork)); err != nil {
					t.Fatal(err)
				}
			}},
		collections.TypeEnrollmentConfirmed: {recipient: testkit.IdOtherStudent,
			fire: call(http.MethodPost, testkit.RecordsURL(collections.Enrollments), testkit.OtherStudent,
				map[string]any{"course": testkit.IdCourse, "student": testkit.IdOtherStudent})},
		collections.TypeNewEnrollment: {recipient: testkit.IdInstructor,
			fire: call(http.MethodPost, testkit.RecordsURL(collections.Enrollments), testkit.OtherStudent,
				map[string]any{"course": testkit.IdCourse, "student": testkit.IdOtherStudent})},
		collections.TypeNewLesson: {recipient: testkit.IdStudent,
			fire: call(http.MethodPatch, testkit.RecordsURL(collections.Lessons, testkit.IdDraftLesson), testkit.Instructor,
				map[string]any{"published": true})},
		collections.TypeCoursePublished: {recipient: testkit.IdInstructor,
			fire: call(http.MethodPatch, testkit.RecordsURL(collections.Courses, testkit.IdDraftCourse), testkit.Instructor,
				map[string]any{"published": true})},

		collections.TypeLiveSessionCreated: {recipient: testkit.IdStudent,
			fire: call(http.MethodPost, testkit.RecordsURL(collections.LiveSessions), testkit.Instructor, map[string]any{
				"instructor": testkit.IdInstructor, "course": testkit.IdCourse, "title": "Factoring clinic", "scheduledStart": inTwoHours})},
		collections.TypeLiveSessionUpdated: {recipient: testkit.IdStudent, fire: steps(seedSessions,
			call(http.MethodPatch, testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled), testkit.Instructor,
				map[string]any{"title": "Factoring clinic (moved)"}))},
		collections.TypeLiveSessionStartingSoon: {recipient: testkit.IdStudent,
			fire: func(t testing.TB, app *tests.TestApp, _ string) {
				if _, err := testkit.SaveRecord(app, collections.LiveSessions, "lvssoon00000001", map[string]any{
					"instructor": testkit.IdInstructor, "course": testkit.IdCourse, "title": "Soon",
					"scheduledStart": time.Now().UTC().Add(10 * time.Minute),
				}); err != nil {
					t.Fatal(err)
				}
				if n, err := livesessions.NotifyStartingSoon(app, time.Now()); err != nil || n != 1 {
					t.Fatalf("reminded %d sessions (%v), want 1", n, err)
				}
			}},
		collections.TypeLiveSessionStarted: {recipient: testkit.IdStudent, fire: steps(seedSessions,
			call(http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "start"), testkit.Instructor, nil))},
		collections.TypeLiveSessionCancelled: {recipient: testkit.IdStudent, fire: steps(seedSessions,
			call(http.MethodPost, testkit.SessionURL(testkit.IdSessionScheduled, "cancel"), testkit.Instructor, nil))},
		// the full session's one seat frees: the student waiting is seated
		collections.TypeLiveSessionWaitlistPromoted: {recipient: testkit.IdStudent, fire: steps(seedSessions,
			call(http.MethodPost, testkit.SessionURL(testkit.IdSessionFull, "join"), testkit.Student, map[string]any{"waitlist": true}),
			call(http.MethodPost, testkit.SessionURL(testkit.IdSessionFull, "leave"), testkit.OtherStudent, nil))},
		collections.TypeLiveSessionDeleted: {recipient: testkit.IdStudent, fire: steps(seedSessions,
			call(http.MethodDelete, testkit.RecordsURL(collections.LiveSessions, testkit.IdSessionScheduled), testkit.Instructor, nil))},

		collections.TypeAssessmentCreated: {recipient: testkit.IdStudent,
			fire: call(http.MethodPatch, testkit.RecordsURL(collections.Assessments, testkit.IdDraftAssessment), testkit.Instructor,
				map[string]any{"published": true})},
		collections.TypeAssessmentDueSoon: {recipient: testkit.IdStudent,
			fire: func(t testing.TB, app *tests.TestApp, _ string) {
				assessment, err := app.FindRecordById(collections.Assessments, testkit.IdAssessment3)
				if err != nil {
					t.Fatal(err)
				}
				assessment.Set("dueAt", time.Now().UTC().Add(47*time.Hour))
				if err := app.Save(assessment); err != nil {
					t.Fatal(err)
				}
				if err := notifications.SendAssessmentsDueSoon(app, time.Now()); err != nil {
					t.Fatal(err)
				}
			}},
		collections.TypeAssessmentSubmitted: {recipient: testkit.IdInstructor,
			fire: call(http.MethodPost, testkit.RecordsURL(collections.Submissions), testkit.Student,
				map[string]any{"assessment": testkit.IdAssessment3, "student": testkit.IdStudent, "content": "42"})},
		collections.TypeAssessmentGraded: {recipient: testkit.IdStudent,
			fire: call(http.MethodPatch, testkit.RecordsURL(collections.Submissions, testkit.IdSubmission), testkit.Instructor,
				map[string]any{"score": 8, "feedback": "Good."})},

		collections.TypeStudyGroupInvite: {recipient: testkit.IdOtherStudent, fire: steps(seedGroups,
			call(http.MethodPost, testkit.StudyGroupURL(testkit.IdPrivateGroup, "invite"), testkit.Student,
				map[string]any{"userId": testkit.IdOtherStudent}))},
		collections.TypeStudyGroupMemberJoined: {recipient: testkit.IdStudent, fire: steps(seedGroups,
			call(http.MethodPost, testkit.StudyGroupURL(testkit.IdPublicGroup, "join"), testkit.OtherInstructor, nil))},
		collections.TypeStudyGroupRoleChanged: {recipient: testkit.IdInstructor, fire: steps(seedGroups,
			call(http.MethodPost, testkit.StudyGroupURL(testkit.IdPrivateGroup, "members/"+testkit.IdInstructor+"/role"), testkit.Student,
				map[string]any{"role": collections.GroupRoleAdmin}))},
		collections.TypeDirectMessage: {recipient: testkit.IdStudent,
			fire: func(t testing.TB, _ *tests.TestApp, baseURL string) {
				room := mustCall(t, baseURL, http.MethodPost, "/api/chat/direct", testkit.Instructor, map[string]any{"userId": testkit.IdStudent})
				mustCall(t, baseURL, http.MethodPost, testkit.RecordsURL(collections.ChatMessages), testkit.Instructor,
					map[string]any{"room": room["id"], "sender": testkit.IdInstructor, "body": "Do you have a minute?"})
			}},

		collections.TypeOfficeHoursStudentJoined: {recipient: testkit.IdInstructor, fire: queueVisit()},
		collections.TypeOfficeHoursAdmitted:      {recipient: testkit.IdStudent, fire: queueVisit("admit")},
		collections.TypeOfficeHoursCompleted:     {recipient: testkit.IdStudent, fire: queueVisit("admit", "complete")},
		collections.TypeOfficeHoursCancelled:     {recipient: testkit.IdStudent, fire: queueVisit("cancel")},
		collections.TypeOfficeHoursAnnouncement:  {recipient: testkit.IdStudent, fire: queueVisit("announce")},

		collections.TypePaymentReceipt: {recipient: testkit.IdOtherStudent,
			fire: call(http.MethodPost, payments, testkit.Superuser, map[string]any{
				"user": testkit.IdOtherStudent, "course": testkit.IdOtherCourse, "amount": 25, "currency": "EUR", "status": collections.PaymentSucceeded})},
		collections.TypeRefundConfirmation: {recipient: testkit.IdStudent,
			fire: call(http.MethodPatch, testkit.RecordsURL(collections.Payments, testkit.IdPayment), testkit.Superuser,
				map[string]any{"status": collections.PaymentRefunded})},
		collections.TypePasswordChanged: {recipient: testkit.IdOtherStudent,
			fire: call(http.MethodPatch, testkit.RecordsURL(collections.Users, testkit.IdOtherStudent), testkit.OtherStudent,
				map[string]any{"oldPassword": "password123", "password": "new-password-456", "passwordConfirm": "new-password-456"})},
		collections.TypeAccountDeleted: {recipient: testkit.IdOtherStudent,
			fire: call(http.MethodDelete, testkit.RecordsURL(collections.Users, testkit.IdOtherStudent), testkit.OtherStudent, nil)},
		collections.TypeTest: {recipient: testkit.IdStudent,
			fire: call(http.MethodPost, "/api/notifications/test", testkit.Student, map[string]any{"priority": collections.PriorityNormal})},
	}
}

// TestNotificationLinks walks the whole catalog: every type is fired, and
// every notification it stores leads to a page of the web app that the
// recipient can open; account_deleted, the one email-only type, is stored
// for the email worker and has no page (its user is gone).
func TestNotificationLinks(t *testing.T) {
	t.Parallel()
	routes := webRoutes(t)
	cases := linkCases()
	for typ := range cases {
		if _, ok := collections.LookupNotificationKind(typ); !ok {
			t.Errorf("linkCases has a row for %s, which is not in the catalog", typ)
		}
	}
	for _, kind := range collections.NotificationCatalog {
		c, ok := cases[kind.Type]
		if !ok {
			t.Errorf("%s has no row in linkCases: fire it there", kind.Type)
			continue
		}
		t.Run(kind.Type, func(t *testing.T) {
			t.Parallel()
			app := testkit.NewRushApp(t)
			srv := testkit.StartServer(t, app)
			app.Cron().Stop() // only the fired trigger writes notifications
			c.fire(t, app, srv.URL)

			stored, err := app.FindRecordsByFilter(collections.Notifications, "user = {:user} && type = {:type}", "created", 0, 0,
				dbx.Params{"user": c.recipient, "type": kind.Type})
			if err != nil {
				t.Fatal(err)
			}
			if kind.EmailOnly {
				checkEmailOnly(t, app, kind, stored)
				return
			}
			if len(stored) == 0 {
				t.Fatalf("firing %s stored no notification for %s", kind.Type, c.recipient)
			}
			for _, n := range stored {
				link := n.GetString(collections.NotificationActionURL)
				checkActionURL(t, routes, srv.URL, testkit.Tokens[c.recipient], link)
			}
		})
	}
}

// checkEmailOnly fails unless an email-only kind stored no in-app
// notification and one email-only row.
func checkEmailOnly(t testing.TB, app core.App, kind collections.NotificationKind, inApp []*core.Record) {
	t.Helper()
	if len(inApp) > 0 {
		t.Errorf("%s is email-only but stored %d in-app notifications", kind.Type, len(inApp))
	}
	if n := testkit.CountRecords(t, app, collections.NotificationEmails, "type = '"+kind.Type+"'"); n != 1 {
		t.Errorf("%s stored %d email-only rows, want 1", kind.Type, n)
	}
}
