package hooks_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/hooks"
)

// ownedRow is one server-owned field under one operation: a request that
// the actor may make, sent three times, with the field left out, with the
// server's own value and with another value.
type ownedRow struct {
	collection, field string
	// target is the record an update aims at; "" for a create.
	target string
	// actor is the user id that sends the request ("" for a guest).
	actor string
	// setup seeds what the request needs beyond the shared fixtures.
	setup func(t testing.TB, app *tests.TestApp)
	// body is a request the actor may send, without the field.
	body map[string]any
	// own is the value the server would set on create; an update's own
	// value is the stored one, read from the test's app.
	own any
	// other is any other value.
	other any
	// stamped: the server writes its own value after the check (a time it
	// stamps, a room it makes), so the answer does not echo own.
	stamped bool
}

// ownedActorAuth is the Authorization header of a user id, none for "".
func ownedActorAuth(userId string) map[string]string {
	if userId == "" {
		return nil
	}
	return map[string]string{"Authorization": tokens[userId]}
}

const (
	aDate        = "2020-01-01 10:00:00.000Z"
	idOwnedMsg   = "msgmessage00001" // from withChatRoom: idInstructor's message in idRoom
	serverFieldE = `{"code":"validation_server_field","message":"Set by the server only."}`
)

// ownedRows lists every server-owned field of hooks/server_owned.go under
// each operation a non-superuser can make; TestServerOwnedTableHasRows
// fails when the table has a field or operation without a row.
func ownedRows(prefsId string) []ownedRow {
	signUp := map[string]any{"email": "new.person@studyhall.test", "password": "password123", "passwordConfirm": "password123", "name": "New Person"}
	session := map[string]any{"title": "Review", "scheduledStart": sessionStartLater()}
	sessionEdit := map[string]any{"description": "Bring questions."}
	slot := map[string]any{"dayOfWeek": 1, "startTime": "09:00", "endTime": "10:00", "timezone": "Europe/London"}
	slotEdit := map[string]any{"location": "Room 7"}
	group := map[string]any{"name": "Calculus crew", "visibility": collections.StudyGroupPrivate}
	groupEdit := map[string]any{"description": "Thursdays now."}
	message := map[string]any{"room": idRoom, "body": "hello"}
	messageEdit := map[string]any{"body": "Welcome, everyone."}
	submission := map[string]any{"assessment": idAssessment3, "content": "my answer"}
	progress := map[string]any{"lesson": idLesson3}
	seedSessions := func(t testing.TB, app *tests.TestApp) { seedLiveSessions(t, app) }
	seedGroups := func(t testing.TB, app *tests.TestApp) { seedStudyGroupFixtures(t, app) }
	seedSlots := officeHoursSlotFixtures
	seedRoom := func(t testing.TB, app *tests.TestApp) { seedChatRoom(t, app) }

	return []ownedRow{
		// users: signing up, and a user editing themselves
		{collection: collections.Users, field: collections.UserRole, body: signUp, own: collections.RoleStudent, other: collections.RoleInstructor},
		{collection: collections.Users, field: collections.UserEmailVisibility, body: signUp, own: false, other: true},
		{collection: collections.Users, field: collections.UserRole, target: idStudent, actor: idStudent, body: map[string]any{"name": "Sam S."}, other: collections.RoleInstructor},
		{collection: collections.Users, field: collections.UserEmailVisibility, target: idStudent, actor: idStudent, body: map[string]any{"name": "Sam S."}, other: true},

		{collection: collections.Courses, field: collections.CourseInstructor, actor: idInstructor, body: map[string]any{"title": "Trigonometry"}, own: idInstructor, other: idOtherInstructor},
		{collection: collections.Courses, field: collections.CourseInstructor, target: idDraftCourse, actor: idInstructor, body: map[string]any{"title": "Geometry II"}, other: idOtherInstructor},

		{collection: collections.Enrollments, field: collections.EnrollmentStudent, actor: idOtherStudent, body: map[string]any{"course": idCourse}, own: idOtherStudent, other: idDroppedStudent},
		{collection: collections.Enrollments, field: collections.EnrollmentStatus, actor: idOtherStudent, body: map[string]any{"course": idCourse}, own: collections.EnrollmentActive, other: collections.EnrollmentDropped},
		{collection: collections.Enrollments, field: collections.EnrollmentStudent, target: idEnrollment, actor: idStudent, body: map[string]any{"status": collections.EnrollmentActive}, other: idOtherStudent},

		{collection: collections.LessonProgress, field: collections.ProgressStudent, actor: idStudent, body: progress, own: idStudent, other: idOtherStudent},
		{collection: collections.LessonProgress, field: collections.ProgressCourse, actor: idStudent, body: progress, own: idCourse, other: idOtherCourse},
		{collection: collections.LessonProgress, field: collections.ProgressStudent, target: idProgress, actor: idStudent, body: map[string]any{"videoCompletedAt": aDate}, other: idOtherStudent},
		{collection: collections.LessonProgress, field: collections.ProgressCourse, target: idProgress, actor: idStudent, body: map[string]any{"videoCompletedAt": aDate}, other: idOtherCourse},

		{collection: collections.Submissions, field: collections.SubmissionStudent, actor: idStudent, body: submission, own: idStudent, other: idOtherStudent},
		{collection: collections.Submissions, field: collections.SubmissionSubmittedAt, actor: idStudent, body: submission, own: "", other: aDate, stamped: true},
		{collection: collections.Submissions, field: collections.SubmissionGradedAt, actor: idStudent, body: submission, own: "", other: aDate},
		{collection: collections.Submissions, field: collections.SubmissionStudent, target: idSubmission, actor: idStudent, body: map[string]any{"content": "x = 3"}, other: idOtherStudent},
		{collection: collections.Submissions, field: collections.SubmissionSubmittedAt, target: idSubmission, actor: idStudent, body: map[string]any{"content": "x = 3"}, other: aDate, stamped: true},
		{collection: collections.Submissions, field: collections.SubmissionGradedAt, target: idSubmission, actor: idInstructor, body: map[string]any{"score": 8}, other: aDate, stamped: true},

		{collection: collections.NotificationPreferences, field: collections.PreferenceUser, target: prefsId, actor: idStudent, body: map[string]any{"emailDigest": "weekly"}, other: idOtherStudent},

		{collection: collections.LiveSessions, field: collections.LiveSessionInstructor, actor: idInstructor, body: session, own: idInstructor, other: idOtherInstructor},
		{collection: collections.LiveSessions, field: collections.LiveSessionStatus, actor: idInstructor, body: session, own: collections.LiveSessionScheduled, other: collections.LiveSessionLive},
		{collection: collections.LiveSessions, field: collections.LiveSessionStartedAt, actor: idInstructor, body: session, own: "", other: aDate},
		{collection: collections.LiveSessions, field: collections.LiveSessionEndedAt, actor: idInstructor, body: session, own: "", other: aDate},
		{collection: collections.LiveSessions, field: collections.LiveSessionAttendeeCount, actor: idInstructor, body: session, own: 0, other: 5},
		{collection: collections.LiveSessions, field: collections.LiveSessionChatRoom, actor: idInstructor, body: session, own: "", other: idRoom, stamped: true},
		{collection: collections.LiveSessions, field: collections.LiveSessionInstructor, target: idSessionScheduled, actor: idInstructor, setup: seedSessions, body: sessionEdit, other: idOtherInstructor},
		{collection: collections.LiveSessions, field: collections.LiveSessionStatus, target: idSessionScheduled, actor: idInstructor, setup: seedSessions, body: sessionEdit, other: collections.LiveSessionLive},
		{collection: collections.LiveSessions, field: collections.LiveSessionStartedAt, target: idSessionScheduled, actor: idInstructor, setup: seedSessions, body: sessionEdit, other: aDate},
		{collection: collections.LiveSessions, field: collections.LiveSessionEndedAt, target: idSessionScheduled, actor: idInstructor, setup: seedSessions, body: sessionEdit, other: aDate},
		{collection: collections.LiveSessions, field: collections.LiveSessionAttendeeCount, target: idSessionScheduled, actor: idInstructor, setup: seedSessions, body: sessionEdit, other: 2},
		{collection: collections.LiveSessions, field: collections.LiveSessionChatRoom, target: idSessionScheduled, actor: idInstructor, setup: seedSessions, body: sessionEdit, other: ""},

		{collection: collections.OfficeHours, field: collections.OfficeHoursInstructor, actor: idInstructor, body: slot, own: idInstructor, other: idOtherInstructor},
		{collection: collections.OfficeHours, field: collections.OfficeHoursManualState, actor: idInstructor, body: slot, own: "", other: collections.OfficeHoursManualOpen},
		{collection: collections.OfficeHours, field: collections.OfficeHoursManualUntil, actor: idInstructor, body: slot, own: "", other: aDate},
		{collection: collections.OfficeHours, field: collections.OfficeHoursInstructor, target: idSlot, actor: idInstructor, setup: seedSlots, body: slotEdit, other: idOtherInstructor},
		{collection: collections.OfficeHours, field: collections.OfficeHoursManualState, target: idSlot, actor: idInstructor, setup: seedSlots, body: slotEdit, other: collections.OfficeHoursManualClosed},
		{collection: collections.OfficeHours, field: collections.OfficeHoursManualUntil, target: idSlot, actor: idInstructor, setup: seedSlots, body: slotEdit, other: aDate},

		{collection: collections.StudyGroups, field: collections.StudyGroupOwner, actor: idStudent, body: group, own: idStudent, other: idOtherStudent},
		{collection: collections.StudyGroups, field: collections.StudyGroupMemberCount, actor: idStudent, body: group, own: 1, other: 0},
		{collection: collections.StudyGroups, field: collections.StudyGroupActive, actor: idStudent, body: group, own: true, other: false},
		{collection: collections.StudyGroups, field: collections.StudyGroupChatRoom, actor: idStudent, body: group, own: "", other: idRoom, stamped: true},
		// idOtherStudent is an admin of idPublicGroup, not its owner
		{collection: collections.StudyGroups, field: collections.StudyGroupOwner, target: idPublicGroup, actor: idOtherStudent, setup: seedGroups, body: groupEdit, other: idOtherStudent},
		{collection: collections.StudyGroups, field: collections.StudyGroupMemberCount, target: idPublicGroup, actor: idOtherStudent, setup: seedGroups, body: groupEdit, other: 7},
		{collection: collections.StudyGroups, field: collections.StudyGroupChatRoom, target: idPublicGroup, actor: idOtherStudent, setup: seedGroups, body: groupEdit, other: ""},

		{collection: collections.ChatMessages, field: collections.ChatMessageSender, actor: idStudent, setup: seedRoom, body: message, own: idStudent, other: idInstructor},
		{collection: collections.ChatMessages, field: collections.ChatMessageEditedAt, actor: idStudent, setup: seedRoom, body: message, own: "", other: aDate},
		{collection: collections.ChatMessages, field: collections.ChatMessageDeletedAt, actor: idStudent, setup: seedRoom, body: message, own: "", other: aDate},
		{collection: collections.ChatMessages, field: collections.ChatMessageSender, target: idOwnedMsg, actor: idInstructor, setup: seedRoom, body: messageEdit, other: idStudent},
		{collection: collections.ChatMessages, field: collections.ChatMessageEditedAt, target: idOwnedMsg, actor: idInstructor, setup: seedRoom, body: messageEdit, other: aDate, stamped: true},
		{collection: collections.ChatMessages, field: collections.ChatMessageDeletedAt, target: idOwnedMsg, actor: idInstructor, setup: seedRoom, body: messageEdit, other: aDate},
	}
}

// op names a row's operation.
func (r ownedRow) op() string {
	if r.target == "" {
		return "create"
	}
	return "update"
}

// scenarios are the row's three requests: field left out, the server's own
// value, another value.
func (r ownedRow) scenarios() []tests.ApiScenario {
	method, url, request, written := http.MethodPost, recordsURL(r.collection), "OnRecordCreateRequest", "OnRecordCreate"
	if r.target != "" {
		method, url, request, written = http.MethodPatch, recordsURL(r.collection, r.target), "OnRecordUpdateRequest", "OnRecordUpdate"
	}
	// sends is the body with the field set to value, or left out for
	// omitted; an update's own value is read from the scenario's app
	sends := func(value any, omitted, stored bool) (*bytes.Buffer, func(testing.TB, *tests.TestApp, *core.ServeEvent), *any) {
		buf := &bytes.Buffer{}
		want := new(any)
		return buf, func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) {
			if r.setup != nil {
				r.setup(t, app)
			}
			body := map[string]any{}
			for k, v := range r.body {
				body[k] = v
			}
			*want = r.own
			if r.target != "" {
				record, err := app.FindRecordById(r.collection, r.target)
				if err != nil {
					t.Fatal(err)
				}
				*want = record.Get(r.field)
			}
			if stored {
				value = *want
			}
			if !omitted {
				body[r.field] = value
			}
			raw, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(raw)
		}, want
	}

	name := r.collection + " " + r.op() + " " + r.field
	var out []tests.ApiScenario
	for _, c := range []struct {
		label         string
		omitted, own  bool
		status        int
		expectWritten bool
	}{
		{"left out", true, false, http.StatusOK, true},
		{"the server's own value", false, true, http.StatusOK, true},
		{"another value", false, false, http.StatusBadRequest, false},
	} {
		body, before, want := sends(r.other, c.omitted, c.own)
		s := tests.ApiScenario{
			Name:           name + ": " + c.label,
			Method:         method,
			URL:            url,
			Body:           body,
			Headers:        ownedActorAuth(r.actor),
			ExpectedStatus: c.status,
			TestAppFactory: newTestApp,
			BeforeTestFunc: before,
		}
		if c.expectWritten {
			s.ExpectedContent = []string{`"collectionName":"` + r.collection + `"`}
			s.ExpectedEvents = map[string]int{request: 1}
			// the record is saved and holds the server's value
			s.AfterTestFunc = func(t testing.TB, app *tests.TestApp, res *http.Response) {
				checkOwnedValue(t, app, r, res, *want)
			}
		} else {
			s.ExpectedContent = []string{`"data":{"` + r.field + `":` + serverFieldE + `}`}
			s.ExpectedEvents = map[string]int{request: 1, written: 0}
		}
		out = append(out, s)
	}
	return out
}

// checkOwnedValue asserts that the record the answer names is saved and,
// unless the server stamps the field after the check, holds want.
func checkOwnedValue(t testing.TB, app *tests.TestApp, r ownedRow, res *http.Response, want any) {
	t.Helper()
	var answer struct{ Id string }
	if err := json.NewDecoder(res.Body).Decode(&answer); err != nil {
		t.Fatal(err)
	}
	record, err := app.FindRecordById(r.collection, answer.Id)
	if err != nil {
		t.Fatal(err)
	}
	if r.stamped {
		return
	}
	got, _ := json.Marshal(record.Get(r.field))
	expected, _ := json.Marshal(want)
	if string(got) != string(expected) {
		t.Errorf("%s.%s = %s, want the server's %s", r.collection, r.field, got, expected)
	}
}

// seedChatRoom is withChatRoom's room and message in an app made elsewhere.
func seedChatRoom(t testing.TB, app *tests.TestApp) {
	t.Helper()
	room, err := hooks.CreateChatRoom(app, hooks.NewChatRoom{
		Name: "Algebra I", Type: collections.ChatRoomTypeGroup, CreatedBy: idInstructor,
		Participants: []string{idStudent, idInstructor},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB().NewQuery("UPDATE chat_rooms SET id = {:id} WHERE id = {:old}").Bind(map[string]any{"id": idRoom, "old": room.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := saveRecord(app, collections.ChatMessages, idOwnedMsg, map[string]any{
		"room": idRoom, "sender": idInstructor, "body": "Welcome to the room.",
	}); err != nil {
		t.Fatal(err)
	}
}

// studentPreferencesId is the id of idStudent's preferences row, the same
// in every test app (each is a copy of one data dir).
func studentPreferencesId(t testing.TB) string {
	t.Helper()
	app := newTestApp(t)
	defer app.Cleanup()
	prefs, err := app.FindFirstRecordByData(collections.NotificationPreferences, collections.PreferenceUser, idStudent)
	if err != nil {
		t.Fatal(err)
	}
	return prefs.Id
}

// TestServerOwnedFields: for every server-owned field of every collection,
// a create (and an update, where the client may update the record) with
// the field left out or set to the server's own value is written, and with
// any other value is a 400 naming the field, with nothing written.
func TestServerOwnedFields(t *testing.T) {
	t.Parallel()
	rows := ownedRows(studentPreferencesId(t))
	byCollection := map[string][]ownedRow{}
	for _, r := range rows {
		byCollection[r.collection] = append(byCollection[r.collection], r)
	}
	for collection, rows := range byCollection {
		t.Run(collection, func(t *testing.T) {
			t.Parallel()
			for _, r := range rows {
				for _, s := range r.scenarios() {
					s.Test(t)
				}
			}
		})
	}
}

// TestServerOwnedTableHasRows fails when a field of the server-owned table
// has no row in ownedRows: a create row wherever non-superusers may create
// records of the collection, and an update row wherever an update must
// keep the field.
func TestServerOwnedTableHasRows(t *testing.T) {
	t.Parallel()
	app := newTestApp(t)
	defer app.Cleanup()

	have := map[string]bool{}
	for _, r := range ownedRows("prefs") {
		have[r.collection+" "+r.op()+" "+r.field] = true
	}
	for collection, fields := range hooks.ServerOwnedFields() {
		c, err := app.FindCollectionByNameOrId(collection)
		if err != nil {
			t.Fatal(err)
		}
		for field, keptOnUpdate := range fields {
			if c.Fields.GetByName(field) == nil {
				t.Errorf("%s has no field %s", collection, field)
			}
			var ops []string
			if c.CreateRule != nil {
				ops = append(ops, "create")
			}
			if c.UpdateRule != nil && keptOnUpdate {
				ops = append(ops, "update")
			}
			if len(ops) == 0 {
				t.Errorf("%s.%s is in the table, but only superusers write %s", collection, field, collection)
			}
			for _, op := range ops {
				if !have[collection+" "+op+" "+field] {
					t.Errorf("no test row for %s %s %s", collection, op, field)
				}
			}
		}
	}
}

// TestServerOwnedSDKCreate is the SDK call of issue 13: a study group
// created with the caller as owner and the default active.
func TestServerOwnedSDKCreate(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		{
			Name:   "pb.collection('study_groups').create({name, visibility, owner: me, active: true})",
			Method: http.MethodPost,
			URL:    recordsURL(collections.StudyGroups),
			Body: bytes.NewBufferString(`{"name":"Calculus crew","visibility":"private","owner":"` + idOtherStudent +
				`","active":true}`),
			Headers:        ownedActorAuth(idOtherStudent),
			ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"owner":"` + idOtherStudent + `"`, `"active":true`, `"memberCount":1`,
				`"visibility":"private"`},
			ExpectedEvents: map[string]int{"OnRecordAfterCreateSuccess": 3}, // group, chat room, admin row
		},
		{
			Name:           "the same with another owner names the field",
			Method:         http.MethodPost,
			URL:            recordsURL(collections.StudyGroups),
			Body:           bytes.NewBufferString(`{"name":"Calculus crew","visibility":"private","owner":"` + idStudent + `","active":true}`),
			Headers:        ownedActorAuth(idOtherStudent),
			ExpectedStatus: http.StatusBadRequest,
			ExpectedContent: []string{`"status":400`, `"message":"Failed to create record."`,
				`"data":{"owner":` + serverFieldE + `}`},
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
		{
			Name:           "every wrong field is named at once",
			Method:         http.MethodPost,
			URL:            recordsURL(collections.StudyGroups),
			Body:           bytes.NewBufferString(`{"name":"Calculus crew","owner":"` + idStudent + `","active":false,"memberCount":9}`),
			Headers:        ownedActorAuth(idOtherStudent),
			ExpectedStatus: http.StatusBadRequest,
			ExpectedContent: []string{`"active":` + serverFieldE, `"memberCount":` + serverFieldE,
				`"owner":` + serverFieldE},
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = newTestApp
		s.Test(t)
	}
}

// TestServerOwnedSuperusers: superusers (the dashboard) set server-owned
// fields freely; what the server derives on every save is derived again.
func TestServerOwnedSuperusers(t *testing.T) {
	t.Parallel()
	scenarios := []tests.ApiScenario{
		{
			Name:            "a superuser hands a group to another owner",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.StudyGroups, idPublicGroup),
			Body:            bytes.NewBufferString(`{"owner":"` + idOtherStudent + `","memberCount":40}`),
			Headers:         authHeader(superuser),
			BeforeTestFunc:  func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { seedStudyGroupFixtures(t, app) },
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"owner":"` + idOtherStudent + `"`, `"memberCount":2`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:            "a superuser schedules a session for an instructor",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.LiveSessions),
			Body:            bytes.NewBufferString(`{"instructor":"` + idOtherInstructor + `","title":"Lab","scheduledStart":"` + sessionStartLater() + `","attendeeCount":7}`),
			Headers:         authHeader(superuser),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"instructor":"` + idOtherInstructor + `"`, `"attendeeCount":0`},
		},
		{
			Name:            "a superuser makes a student an instructor",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.Users, idOtherStudent),
			Body:            bytes.NewBufferString(`{"role":"instructor"}`),
			Headers:         authHeader(superuser),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"role":"instructor"`},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = newTestApp
		s.Test(t)
	}
}
