package hooks_test

// Over 400 lines: the access matrix is one table over every collection and actor, read as a whole.

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/testkit"
)

// matrix is one collection's row of the access matrix: for every actor the
// outcome of list, view, create, update and delete, each cell asserted.
type matrix struct {
	collection string
	// target is the record that list, view, update and delete aim at.
	target string
	// list says, per actor, whether the target is in their list.
	list [6]bool
	// view, create, update and remove are the expected statuses per actor.
	view, create, update, remove [6]int
	// createBody is the body an actor sends to create a record; it is
	// called with the actor's own user id ("" for guests and superusers).
	createBody func(actor, selfId string) string
	updateBody string
	// cascade is how many records a delete of the target removes in all
	// (the target and what cascades from it); 0 means just the target.
	cascade int
	// created and updated are how many records a create or an update
	// writes in all (the record and what the server writes with it); 0
	// means just the record.
	created, updated int
	// seed adds the target when the shared fixtures lack it.
	seed func(t testing.TB, app *tests.TestApp)
}

// statuses, in actor order: guest, student, otherStudent, instructor,
// otherInstructor, superuser.
const (
	ok      = http.StatusOK
	created = http.StatusOK // the records API answers 200 to a create
	noBody  = http.StatusNoContent
	bad     = http.StatusBadRequest
	denied  = http.StatusForbidden
	hidden  = http.StatusNotFound
)

var selfIds = map[string]string{
	testkit.Student:         testkit.IdStudent,
	testkit.OtherStudent:    testkit.IdOtherStudent,
	testkit.Instructor:      testkit.IdInstructor,
	testkit.OtherInstructor: testkit.IdOtherInstructor,
}

func accessMatrix() []matrix {
	return []matrix{
		{
			collection: collections.Users,
			target:     testkit.IdStudent,
			list:       [6]bool{false, true, false, false, false, true},
			view:       [6]int{hidden, ok, ok, ok, ok, ok},
			create:     [6]int{created, created, created, created, created, created},
			update:     [6]int{hidden, ok, hidden, hidden, hidden, ok},
			remove:     [6]int{hidden, noBody, hidden, hidden, hidden, noBody},
			createBody: func(actor, _ string) string {
				return `{"email":"new.` + strings.ToLower(actor) + `@studyhall.test","password":"password123","passwordConfirm":"password123","name":"New Person"}`
			},
			updateBody: `{"name":"Renamed"}`,
			// the student's enrollment, progress and submission go too;
			// the payment stays, for the accounts, with its user emptied
			cascade: 4,
		},
		{
			collection: collections.Courses,
			target:     testkit.IdDraftCourse,
			list:       [6]bool{false, false, false, true, false, true},
			view:       [6]int{hidden, hidden, hidden, ok, hidden, ok},
			create:     [6]int{bad, bad, bad, created, created, created},
			update:     [6]int{hidden, hidden, hidden, ok, hidden, ok},
			remove:     [6]int{hidden, hidden, hidden, noBody, hidden, noBody},
			createBody: func(actor, self string) string {
				if self == "" {
					self = testkit.IdInstructor
				}
				return `{"title":"New course","instructor":"` + self + `"}`
			},
			updateBody: `{"title":"Geometry II"}`,
		},
		{
			collection: collections.Enrollments,
			target:     testkit.IdEnrollment,
			list:       [6]bool{false, true, false, true, false, true},
			view:       [6]int{hidden, ok, hidden, ok, hidden, ok},
			// everyone enrols themselves in the other instructor's course;
			// that instructor may not enrol in their own
			create: [6]int{bad, created, created, created, bad, created},
			update: [6]int{hidden, ok, hidden, ok, hidden, ok},
			remove: [6]int{denied, denied, denied, denied, denied, noBody},
			createBody: func(actor, self string) string {
				if self == "" {
					self = testkit.IdOtherStudent
				}
				return `{"course":"` + testkit.IdOtherCourse + `","student":"` + self + `"}`
			},
			updateBody: `{"status":"dropped"}`,
		},
		{
			collection: collections.Lessons,
			target:     testkit.IdLesson,
			list:       [6]bool{false, true, false, true, false, true},
			view:       [6]int{hidden, ok, hidden, ok, hidden, ok},
			create:     [6]int{bad, bad, bad, created, bad, created},
			update:     [6]int{hidden, hidden, hidden, ok, hidden, ok},
			remove:     [6]int{hidden, hidden, hidden, noBody, hidden, noBody},
			createBody: func(string, string) string {
				return `{"course":"` + testkit.IdCourse + `","title":"Systems","order":4}`
			},
			updateBody: `{"title":"Functions, revised"}`,
			cascade:    2, // and its progress row
		},
		{
			collection: collections.LessonProgress,
			target:     testkit.IdProgress,
			list:       [6]bool{false, true, false, true, false, true},
			view:       [6]int{hidden, ok, hidden, ok, hidden, ok},
			// only an enrolled student records their own progress
			create: [6]int{bad, created, bad, bad, bad, created},
			update: [6]int{hidden, ok, hidden, hidden, hidden, ok},
			remove: [6]int{denied, denied, denied, denied, denied, noBody},
			createBody: func(actor, self string) string {
				if self == "" {
					self = testkit.IdStudent
				}
				return `{"lesson":"` + testkit.IdLesson3 + `","student":"` + self + `","completedAt":"2020-01-01 00:00:00.000Z"}`
			},
			updateBody: `{"videoCompletedAt":"2020-01-01 00:00:00.000Z"}`,
		},
		{
			collection: collections.Assessments,
			target:     testkit.IdAssessment,
			list:       [6]bool{false, true, false, true, false, true},
			view:       [6]int{hidden, ok, hidden, ok, hidden, ok},
			create:     [6]int{bad, bad, bad, created, bad, created},
			update:     [6]int{hidden, hidden, hidden, ok, hidden, ok},
			remove:     [6]int{hidden, hidden, hidden, noBody, hidden, noBody},
			createBody: func(string, string) string {
				return `{"course":"` + testkit.IdCourse + `","title":"Midterm","maxScore":100}`
			},
			updateBody: `{"title":"Quiz 1 (revised)"}`,
			cascade:    2, // and its submission
		},
		{
			collection: collections.Submissions,
			target:     testkit.IdSubmission,
			list:       [6]bool{false, true, false, true, false, true},
			view:       [6]int{hidden, ok, hidden, ok, hidden, ok},
			create:     [6]int{bad, created, bad, bad, bad, created},
			// the student may resubmit content before grading; the
			// instructor may grade, which the body below is for both
			update: [6]int{hidden, hidden, hidden, ok, hidden, ok},
			remove: [6]int{denied, denied, denied, denied, denied, noBody},
			createBody: func(actor, self string) string {
				if self == "" {
					self = testkit.IdStudent
				}
				return `{"assessment":"` + testkit.IdAssessment3 + `","student":"` + self + `","content":"my answer"}`
			},
			updateBody: `{"score":8,"feedback":"Good work."}`,
		},
		{
			collection: collections.Payments,
			target:     testkit.IdPayment,
			list:       [6]bool{false, true, false, true, false, true},
			view:       [6]int{hidden, ok, hidden, ok, hidden, ok},
			create:     [6]int{denied, denied, denied, denied, denied, created},
			update:     [6]int{denied, denied, denied, denied, denied, ok},
			remove:     [6]int{denied, denied, denied, denied, denied, noBody},
			createBody: func(string, string) string {
				return `{"user":"` + testkit.IdStudent + `","course":"` + testkit.IdCourse + `","amount":19.5,"currency":"USD","status":"succeeded"}`
			},
			updateBody: `{"status":"refunded"}`,
		},
		{
			collection: collections.SessionSeries,
			target:     testkit.IdSeries,
			seed:       func(t testing.TB, app *tests.TestApp) { testkit.SeedSeries(t, app) },
			list:       [6]bool{false, true, false, true, false, true},
			view:       [6]int{hidden, ok, hidden, ok, hidden, ok},
			// instructors make series for their own courses only
			create: [6]int{bad, bad, bad, created, bad, created},
			update: [6]int{hidden, hidden, hidden, ok, hidden, ok},
			remove: [6]int{hidden, hidden, hidden, noBody, hidden, noBody},
			createBody: func(_, self string) string {
				if self == "" {
					self = testkit.IdInstructor
				}
				return `{"instructor":"` + self + `","course":"` + testkit.IdCourse + `","title":"Geometry weekly","daysOfWeek":[3],` +
					`"startTime":"14:00","startsOn":"` + testkit.SeriesStartsOn() + `","count":1}`
			},
			updateBody: `{"title":"Algebra weekly (revised)"}`,
			created:    3, // and its one session, with its chat room
			updated:    3, // and its future session, with its chat room's name
			cascade:    3, // and its future session, with its chat room
		},
	}
}

// TestAccessMatrix asserts every cell: each actor × list, view, create,
// update and delete on every collection of the foundation. A denied write
// must leave no trace: the model event never fires.
func TestAccessMatrix(t *testing.T) {
	t.Parallel()

	for _, m := range accessMatrix() {
		for i, actor := range testkit.Actors {
			var scenarios []tests.ApiScenario

			listScenario := tests.ApiScenario{
				Name:           m.collection + " list as " + actor,
				Method:         http.MethodGet,
				URL:            testkit.RecordsURL(m.collection) + "?perPage=500",
				Headers:        testkit.AuthHeader(actor),
				ExpectedStatus: ok,
				ExpectedEvents: map[string]int{"OnRecordsListRequest": 1},
			}
			if m.list[i] {
				listScenario.ExpectedContent = []string{`"id":"` + m.target + `"`}
			} else {
				listScenario.ExpectedContent = []string{`"items":[`}
				listScenario.NotExpectedContent = []string{`"id":"` + m.target + `"`}
			}
			scenarios = append(scenarios, listScenario)

			one := func(op, method, url, body string, status int) cell {
				return cell{name: m.collection + " " + op + " as " + actor, method: method, url: url, body: body, actor: actor, status: status}
			}
			scenarios = append(scenarios,
				one("view", http.MethodGet, testkit.RecordsURL(m.collection, m.target), "", m.view[i]).scenario(
					ok, []string{`"id":"` + m.target + `"`}, map[string]int{"OnRecordViewRequest": 1}, "OnRecordViewRequest"),
				one("create", http.MethodPost, testkit.RecordsURL(m.collection), m.createBody(actor, selfIds[actor]), m.create[i]).scenario(
					created, []string{`"collectionName":"` + m.collection + `"`}, map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": max(m.created, 1)}, "OnRecordCreate"),
				one("update", http.MethodPatch, testkit.RecordsURL(m.collection, m.target), m.updateBody, m.update[i]).scenario(
					ok, []string{`"id":"` + m.target + `"`}, map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": max(m.updated, 1)}, "OnRecordUpdate"),
				one("delete", http.MethodDelete, testkit.RecordsURL(m.collection, m.target), "", m.remove[i]).scenario(
					noBody, nil, map[string]int{"OnRecordDeleteRequest": 1, "OnRecordAfterDeleteSuccess": max(m.cascade, 1)}, "OnRecordDelete"),
			)

			for _, s := range scenarios {
				s.TestAppFactory = testkit.NewTestApp
				if m.seed != nil {
					s.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { m.seed(t, app) }
				}
				s.Test(t)
			}
		}
	}
}

// cell is one request of the matrix: an actor's attempt at one operation.
type cell struct {
	name, method, url, body, actor string
	status                         int
}

// scenario asserts the cell: with the allowed status, the content and
// events of success; with any other, an error body of that status and not
// one firing of deniedEvent, the event that would have read or written.
func (c cell) scenario(allowed int, content []string, events map[string]int, deniedEvent string) tests.ApiScenario {
	s := tests.ApiScenario{
		Name:           c.name,
		Method:         c.method,
		URL:            c.url,
		Headers:        testkit.AuthHeader(c.actor),
		ExpectedStatus: c.status,
	}
	if c.body != "" {
		s.Body = strings.NewReader(c.body)
	}
	if c.status == allowed {
		s.ExpectedContent = content
		s.ExpectedEvents = events
		return s
	}
	s.ExpectedContent = []string{`"status":` + strconv.Itoa(c.status)}
	if id := idOf(c.url); id != "" {
		s.NotExpectedContent = []string{`"id":"` + id + `"`}
	}
	s.ExpectedEvents = map[string]int{deniedEvent: 0}
	return s
}

// idOf is the record id at the end of a records URL, or "" for a
// collection's URL.
func idOf(url string) string {
	rest, _ := strings.CutPrefix(url[strings.LastIndex(url, "/records")+len("/records"):], "/")
	return rest
}

// TestChatRemovalMatrix: who may remove whose message, in each kind of
// room (POST /api/chat/messages/{id}/delete on IdStudent's message). The
// sender deletes their own; a moderator of the room (the session's
// instructor, the group's admins, the visit's instructor) removes it as a
// moderator; another member may not; an outsider cannot even find it; a
// direct room has no moderator.
func TestChatRemovalMatrix(t *testing.T) {
	t.Parallel()

	var rooms []testkit.ModeratedRoom
	probe := testkit.NewTestApp(t)
	rooms = testkit.SeedModeratedRooms(t, probe)
	probe.Cleanup()

	seed := func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { testkit.SeedModeratedRooms(t, app) }
	for _, r := range rooms {
		url := "/api/chat/messages/" + r.Message + "/delete"
		tombstone := func(by string, moderator bool) []string {
			return []string{`"id":"` + r.Message + `"`, `"body":""`, `"deletedAt":"20`,
				`"deletedBy":"` + by + `"`, `"removedByModerator":` + strconv.FormatBool(moderator)}
		}
		scenarios := []tests.ApiScenario{
			{
				Name: r.Type + ": the sender deletes their own message", Method: http.MethodPost, URL: url,
				Headers: testkit.AuthHeader(testkit.Student), ExpectedStatus: ok,
				ExpectedContent: tombstone(testkit.IdStudent, false),
				ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			},
			{
				Name: r.Type + ": another member may not remove it", Method: http.MethodPost, URL: url,
				Headers: testkit.AuthHeader(r.Member), ExpectedStatus: denied,
				ExpectedContent: []string{`"code":"not_sender"`},
				ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
			},
			{
				Name: r.Type + ": an outsider cannot find it", Method: http.MethodPost, URL: url,
				Headers: testkit.AuthHeader(r.Outsider), ExpectedStatus: hidden,
				ExpectedContent: []string{`"status":404`}, NotExpectedContent: []string{"A message in"},
				ExpectedEvents: map[string]int{"OnRecordUpdate": 0},
			},
		}
		if r.Moderator != "" {
			scenarios = append(scenarios, tests.ApiScenario{
				Name: r.Type + ": a moderator removes it", Method: http.MethodPost, URL: url,
				Headers: testkit.AuthHeader(r.Moderator), ExpectedStatus: ok,
				ExpectedContent: tombstone(selfIds[r.Moderator], true),
				ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			})
		}
		for _, s := range scenarios {
			s.TestAppFactory = testkit.NewTestApp
			s.BeforeTestFunc = seed
			s.Test(t)
		}
	}
}

// ---------------------------------------------------------------------
// course staff

// staffActors are the actors of the course-staff matrix: the foundation's
// less the other student, plus a TA of the course and a TA of another.
var staffActors = []string{testkit.Guest, testkit.Student, testkit.TA, testkit.OtherTA, testkit.Instructor, testkit.OtherInstructor, testkit.Superuser}

var staffSelfIds = map[string]string{
	testkit.Student:         testkit.IdStudent,
	testkit.TA:              testkit.IdTA,
	testkit.OtherTA:         testkit.IdOtherTA,
	testkit.Instructor:      testkit.IdInstructor,
	testkit.OtherInstructor: testkit.IdOtherInstructor,
}

// staffMatrix is one collection's row of the course-staff matrix, read as
// matrix is, per staffActors.
type staffMatrix struct {
	collection, target           string
	setup                        func(t testing.TB, app *tests.TestApp)
	list                         [7]bool
	view, create, update, remove [7]int
	// createBody is called with the actor's own user id ("" for guests
	// and superusers).
	createBody func(selfId string) string
	updateBody string
	// cascade is how many records a delete of the target removes in all.
	cascade int
}

// idStaffEntry is IdStudent's waiting entry in a slot of IdCourse (or of
// no course).
const idStaffEntry = "ohqcourseentry1"

func seedStaffQueue(t testing.TB, app *tests.TestApp) { seedQueue(t, app, testkit.IdCourse) }

// seedQueue saves idStaffEntry in a new slot of the course (none for "").
func seedQueue(t testing.TB, app *tests.TestApp, courseId string) {
	t.Helper()
	slot := testkit.CreateOfficeHours(t, app, testkit.IdInstructor, testkit.SlotDay, "06:00", "07:00", collections.OfficeHoursManualOpen)
	slot.Set(collections.OfficeHoursCourse, courseId)
	if err := app.Save(slot); err != nil {
		t.Fatal(err)
	}
	if _, err := testkit.SaveRecord(app, collections.OfficeHoursQueue, idStaffEntry, map[string]any{
		collections.QueueOfficeHours: slot.Id, collections.QueueInstructor: testkit.IdInstructor, collections.QueueStudent: testkit.IdStudent,
		collections.QueueStatus: collections.QueueWaiting, collections.QueuePosition: 1, collections.QueueInstructorNotes: "Bring the worksheet.",
	}); err != nil {
		t.Fatal(err)
	}
}

func staffAccessMatrix() []staffMatrix {
	return []staffMatrix{
		{
			// the instructor manages the TAs of their course; a TA sees
			// their own row; nobody edits a row
			collection: collections.CourseStaff,
			target:     testkit.IdCourseStaff,
			list:       [7]bool{false, false, true, false, true, false, true},
			view:       [7]int{hidden, hidden, ok, hidden, ok, hidden, ok},
			create:     [7]int{bad, bad, bad, bad, created, bad, created},
			update:     [7]int{denied, denied, denied, denied, denied, denied, ok},
			remove:     [7]int{hidden, hidden, hidden, hidden, noBody, hidden, noBody},
			createBody: func(string) string {
				return `{"course":"` + testkit.IdCourse + `","user":"` + testkit.IdOtherStudent + `"}`
			},
			updateBody: `{"role":"ta"}`,
		},
		{
			// a TA views the (draft) course they assist, and never edits it
			collection: collections.Courses,
			target:     testkit.IdDraftCourse,
			setup: func(t testing.TB, app *tests.TestApp) {
				if _, err := testkit.SaveRecord(app, collections.CourseStaff, "cstdraftcourse1", map[string]any{
					"course": testkit.IdDraftCourse, "user": testkit.IdTA,
				}); err != nil {
					t.Fatal(err)
				}
			},
			list:   [7]bool{false, false, true, false, true, false, true},
			view:   [7]int{hidden, hidden, ok, hidden, ok, hidden, ok},
			create: [7]int{bad, bad, bad, bad, created, created, created},
			update: [7]int{hidden, hidden, hidden, hidden, ok, hidden, ok},
			remove: [7]int{hidden, hidden, hidden, hidden, noBody, hidden, noBody},
			createBody: func(self string) string {
				if self == "" {
					self = testkit.IdInstructor
				}
				return `{"title":"New course","instructor":"` + self + `"}`
			},
			updateBody: `{"title":"Geometry II"}`,
			cascade:    2, // and its TA's row
		},
		{
			// the TAs of a slot's course see its queue entries; only the
			// server writes them (the office-hours routes)
			collection: collections.OfficeHoursQueue,
			target:     idStaffEntry,
			setup:      seedStaffQueue,
			list:       [7]bool{false, true, true, false, true, false, true},
			view:       [7]int{hidden, ok, ok, hidden, ok, hidden, ok},
			create:     [7]int{denied, denied, denied, denied, denied, denied, created},
			update:     [7]int{denied, denied, denied, denied, denied, denied, ok},
			remove:     [7]int{denied, denied, denied, denied, denied, denied, noBody},
			createBody: func(string) string {
				return `{"instructor":"` + testkit.IdInstructor + `","student":"` + testkit.IdOtherStudent + `","status":"completed"}`
			},
			updateBody: `{"question":"Edited by a superuser."}`,
		},
		{
			// a slot without a course is its instructor's alone: no TA,
			// and no guest (whose empty id must not match the empty staff)
			collection: collections.OfficeHoursQueue,
			target:     idStaffEntry,
			setup:      func(t testing.TB, app *tests.TestApp) { seedQueue(t, app, "") },
			list:       [7]bool{false, true, false, false, true, false, true},
			view:       [7]int{hidden, ok, hidden, hidden, ok, hidden, ok},
			create:     [7]int{denied, denied, denied, denied, denied, denied, created},
			update:     [7]int{denied, denied, denied, denied, denied, denied, ok},
			remove:     [7]int{denied, denied, denied, denied, denied, denied, noBody},
			createBody: func(string) string {
				return `{"instructor":"` + testkit.IdInstructor + `","student":"` + testkit.IdOtherStudent + `","status":"completed"}`
			},
			updateBody: `{"question":"Edited by a superuser."}`,
		},
	}
}

// TestCourseStaffAccessMatrix asserts every cell of the course-staff
// matrix, as TestAccessMatrix does for the foundation.
func TestCourseStaffAccessMatrix(t *testing.T) {
	t.Parallel()
	for _, m := range staffAccessMatrix() {
		for i, actor := range staffActors {
			listScenario := tests.ApiScenario{
				Name:           m.collection + " list as " + actor,
				Method:         http.MethodGet,
				URL:            testkit.RecordsURL(m.collection) + "?perPage=500",
				Headers:        testkit.AuthHeader(actor),
				ExpectedStatus: ok,
				ExpectedEvents: map[string]int{"OnRecordsListRequest": 1},
			}
			if m.list[i] {
				listScenario.ExpectedContent = []string{`"id":"` + m.target + `"`}
			} else {
				listScenario.ExpectedContent = []string{`"items":[`}
				listScenario.NotExpectedContent = []string{`"id":"` + m.target + `"`}
			}
			one := func(op, method, url, body string, status int) cell {
				return cell{name: m.collection + " " + op + " as " + actor, method: method, url: url, body: body, actor: actor, status: status}
			}
			scenarios := []tests.ApiScenario{
				listScenario,
				one("view", http.MethodGet, testkit.RecordsURL(m.collection, m.target), "", m.view[i]).scenario(
					ok, []string{`"id":"` + m.target + `"`}, map[string]int{"OnRecordViewRequest": 1}, "OnRecordViewRequest"),
				one("create", http.MethodPost, testkit.RecordsURL(m.collection), m.createBody(staffSelfIds[actor]), m.create[i]).scenario(
					created, []string{`"collectionName":"` + m.collection + `"`}, map[string]int{"OnRecordCreateRequest": 1, "OnRecordAfterCreateSuccess": 1}, "OnRecordCreate"),
				one("update", http.MethodPatch, testkit.RecordsURL(m.collection, m.target), m.updateBody, m.update[i]).scenario(
					ok, []string{`"id":"` + m.target + `"`}, map[string]int{"OnRecordUpdateRequest": 1, "OnRecordAfterUpdateSuccess": 1}, "OnRecordUpdate"),
				one("delete", http.MethodDelete, testkit.RecordsURL(m.collection, m.target), "", m.remove[i]).scenario(
					noBody, nil, map[string]int{"OnRecordDeleteRequest": 1, "OnRecordAfterDeleteSuccess": max(m.cascade, 1)}, "OnRecordDelete"),
			}
			for _, s := range scenarios {
				s.TestAppFactory = testkit.NewTestApp
				if setup := m.setup; setup != nil {
					s.BeforeTestFunc = func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { setup(t, app) }
				}
				s.Test(t)
			}
		}
	}
}

// TestCourseStaffIsNotTheInstructor: an instructor cannot make
// themselves the TA of their own course, and a user is a course's TA
// once.
func TestCourseStaffIsNotTheInstructor(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		{
			Name:            "the instructor as their own TA",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.CourseStaff),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"course":"` + testkit.IdCourse + `","user":"` + testkit.IdInstructor + `"}`),
			ExpectedStatus:  bad,
			ExpectedContent: []string{`"user":{"code":"validation_staff_is_instructor"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a TA twice",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.CourseStaff),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"course":"` + testkit.IdCourse + `","user":"` + testkit.IdTA + `"}`),
			ExpectedStatus:  bad,
			ExpectedContent: []string{`"validation_not_unique"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "role defaults to ta",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.CourseStaff),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"course":"` + testkit.IdCourse + `","user":"` + testkit.IdOtherStudent + `"}`),
			ExpectedStatus:  created,
			ExpectedContent: []string{`"role":"ta"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}

// TestChatRemovalByTeachingAssistants: a course's teaching assistants
// moderate its session and office-hours rooms; a TA of another course, in
// the same room, does not.
func TestChatRemovalByTeachingAssistants(t *testing.T) {
	t.Parallel()
	seed := func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
		for i, roomType := range []string{collections.ChatRoomTypeSession, collections.ChatRoomTypeOfficeHours} {
			room, err := chat.CreateRoom(app, chat.NewRoom{
				Name: "Course room", Type: roomType, CourseId: testkit.IdCourse, CreatedBy: testkit.IdInstructor,
				Participants: []string{testkit.IdInstructor, testkit.IdStudent, testkit.IdTA, testkit.IdOtherTA},
			})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := testkit.SaveRecord(app, collections.ChatMessages, "msgtacourse000"+strconv.Itoa(i), map[string]any{
				collections.ChatMessageRoom: room.Id, collections.ChatMessageSender: testkit.IdStudent, collections.ChatMessageBody: "Hi",
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, roomType := range []string{collections.ChatRoomTypeSession, collections.ChatRoomTypeOfficeHours} {
		url := "/api/chat/messages/msgtacourse000" + strconv.Itoa(i) + "/delete"
		for _, s := range []tests.ApiScenario{
			{
				Name: roomType + ": the course's TA removes it", Method: http.MethodPost, URL: url,
				Headers: testkit.AuthHeader(testkit.TA), ExpectedStatus: ok,
				ExpectedContent: []string{`"deletedBy":"` + testkit.IdTA + `"`, `"removedByModerator":true`},
				ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			},
			{
				Name: roomType + ": another course's TA may not", Method: http.MethodPost, URL: url,
				Headers: testkit.AuthHeader(testkit.OtherTA), ExpectedStatus: denied,
				ExpectedContent: []string{`"code":"not_sender"`},
				ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
			},
		} {
			s.TestAppFactory = testkit.NewTestApp
			s.BeforeTestFunc = seed
			s.Test(t)
		}
	}
}
