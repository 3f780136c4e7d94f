package records_test

// Over 400 lines: one table of every server-owned field of every collection, checked whole.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/records"
	"studyhall/testkit"
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
	return map[string]string{"Authorization": testkit.Tokens[userId]}
}

const (
	aDate        = "2020-01-01 10:00:00.000Z"
	idOwnedMsg   = "msgmessage00001" // from withChatRoom: idInstructor's message in testkit.IdRoom
	serverFieldE = `{"code":"validation_server_field","message":"Set by the server only."}`
)

// ownedRows lists every server-owned field of hooks/server_owned.go under
// each operation a non-superuser can make; TestServerOwnedTableHasRows
// fails when the table has a field or operation without a row.
func ownedRows(prefsId string) []ownedRow {
	signUp := map[string]any{"email": "new.person@studyhall.test", "password": "password123", "passwordConfirm": "password123", "name": "New Person"}
	session := map[string]any{"title": "Review", "scheduledStart": testkit.SessionStartLater()}
	sessionEdit := map[string]any{"description": "Bring questions."}
	slot := map[string]any{"dayOfWeek": 1, "startTime": "09:00", "endTime": "10:00", "timezone": "Europe/London"}
	slotEdit := map[string]any{"location": "Room 7"}
	group := map[string]any{"name": "Calculus crew", "visibility": collections.StudyGroupPrivate}
	groupEdit := map[string]any{"description": "Thursdays now."}
	message := map[string]any{"room": testkit.IdRoom, "body": "hello"}
	messageEdit := map[string]any{"body": "Welcome, everyone."}
	submission := map[string]any{"assessment": testkit.IdAssessment3, "content": "my answer"}
	progress := map[string]any{"lesson": testkit.IdLesson3}
	seedSessions := func(t testing.TB, app *tests.TestApp) { testkit.SeedLiveSessions(t, app) }
	seedSeries := func(t testing.TB, app *tests.TestApp) { testkit.SeedSeries(t, app) }
	seedSessionsAndSeries := func(t testing.TB, app *tests.TestApp) { testkit.SeedLiveSessions(t, app); testkit.SeedSeries(t, app) }
	series := map[string]any{"course": testkit.IdCourse, "title": "Weekly", "daysOfWeek": []int{1}, "startTime": "09:00", "startsOn": testkit.SeriesStartsOn(), "count": 2}
	seedGroups := func(t testing.TB, app *tests.TestApp) { testkit.SeedStudyGroupFixtures(t, app) }
	seedSlots := testkit.OfficeHoursSlotFixtures
	seedRoom := func(t testing.TB, app *tests.TestApp) { seedChatRoom(t, app) }

	return []ownedRow{
		// users: signing up, and a user editing themselves
		{collection: collections.Users, field: collections.UserRole, body: signUp, own: collections.RoleStudent, other: collections.RoleInstructor},
		{collection: collections.Users, field: collections.UserEmailVisibility, body: signUp, own: false, other: true},
		{collection: collections.Users, field: collections.UserRole, target: testkit.IdStudent, actor: testkit.IdStudent, body: map[string]any{"name": "Sam S."}, other: collections.RoleInstructor},
		{collection: collections.Users, field: collections.UserEmailVisibility, target: testkit.IdStudent, actor: testkit.IdStudent, body: map[string]any{"name": "Sam S."}, other: true},

		{collection: collections.Courses, field: collections.CourseInstructor, actor: testkit.IdInstructor, body: map[string]any{"title": "Trigonometry"}, own: testkit.IdInstructor, other: testkit.IdOtherInstructor},
		{collection: collections.Courses, field: collections.CourseInstructor, target: testkit.IdDraftCourse, actor: testkit.IdInstructor, body: map[string]any{"title": "Geometry II"}, other: testkit.IdOtherInstructor},

		{collection: collections.Enrollments, field: collections.EnrollmentStudent, actor: testkit.IdOtherStudent, body: map[string]any{"course": testkit.IdCourse}, own: testkit.IdOtherStudent, other: testkit.IdDroppedStudent},
		{collection: collections.Enrollments, field: collections.EnrollmentStatus, actor: testkit.IdOtherStudent, body: map[string]any{"course": testkit.IdCourse}, own: collections.EnrollmentActive, other: collections.EnrollmentDropped},
		{collection: collections.Enrollments, field: collections.EnrollmentStudent, target: testkit.IdEnrollment, actor: testkit.IdStudent, body: map[string]any{"status": collections.EnrollmentActive}, other: testkit.IdOtherStudent},

		{collection: collections.LessonProgress, field: collections.ProgressStudent, actor: testkit.IdStudent, body: progress, own: testkit.IdStudent, other: testkit.IdOtherStudent},
		{collection: collections.LessonProgress, field: collections.ProgressCourse, actor: testkit.IdStudent, body: progress, own: testkit.IdCourse, other: testkit.IdOtherCourse},
		{collection: collections.LessonProgress, field: collections.ProgressStudent, target: testkit.IdProgress, actor: testkit.IdStudent, body: map[string]any{"videoCompletedAt": aDate}, other: testkit.IdOtherStudent},
		{collection: collections.LessonProgress, field: collections.ProgressCourse, target: testkit.IdProgress, actor: testkit.IdStudent, body: map[string]any{"videoCompletedAt": aDate}, other: testkit.IdOtherCourse},

		{collection: collections.Submissions, field: collections.SubmissionStudent, actor: testkit.IdStudent, body: submission, own: testkit.IdStudent, other: testkit.IdOtherStudent},
		{collection: collections.Submissions, field: collections.SubmissionSubmittedAt, actor: testkit.IdStudent, body: submission, own: "", other: aDate, stamped: true},
		{collection: collections.Submissions, field: collections.SubmissionGradedAt, actor: testkit.IdStudent, body: submission, own: "", other: aDate},
		{collection: collections.Submissions, field: collections.SubmissionStudent, target: testkit.IdSubmission, actor: testkit.IdStudent, body: map[string]any{"content": "x = 3"}, other: testkit.IdOtherStudent},
		{collection: collections.Submissions, field: collections.SubmissionSubmittedAt, target: testkit.IdSubmission, actor: testkit.IdStudent, body: map[string]any{"content": "x = 3"}, other: aDate, stamped: true},
		{collection: collections.Submissions, field: collections.SubmissionGradedAt, target: testkit.IdSubmission, actor: testkit.IdInstructor, body: map[string]any{"score": 8}, other: aDate, stamped: true},

		{collection: collections.NotificationPreferences, field: collections.PreferenceUser, target: prefsId, actor: testkit.IdStudent, body: map[string]any{"emailDigest": "weekly"}, other: testkit.IdOtherStudent},

		{collection: collections.LiveSessions, field: collections.LiveSessionInstructor, actor: testkit.IdInstructor, body: session, own: testkit.IdInstructor, other: testkit.IdOtherInstructor},
		{collection: collections.LiveSessions, field: collections.LiveSessionStatus, actor: testkit.IdInstructor, body: session, own: collections.LiveSessionScheduled, other: collections.LiveSessionLive},
		{collection: collections.LiveSessions, field: collections.LiveSessionStartedAt, actor: testkit.IdInstructor, body: session, own: "", other: aDate},
		{collection: collections.LiveSessions, field: collections.LiveSessionEndedAt, actor: testkit.IdInstructor, body: session, own: "", other: aDate},
		{collection: collections.LiveSessions, field: collections.LiveSessionAttendeeCount, actor: testkit.IdInstructor, body: session, own: 0, other: 5},
		{collection: collections.LiveSessions, field: collections.LiveSessionChatRoom, actor: testkit.IdInstructor, body: session, own: "", other: testkit.IdRoom, stamped: true},
		{collection: collections.LiveSessions, field: collections.LiveSessionInstructor, target: testkit.IdSessionScheduled, actor: testkit.IdInstructor, setup: seedSessions, body: sessionEdit, other: testkit.IdOtherInstructor},
		{collection: collections.LiveSessions, field: collections.LiveSessionStatus, target: testkit.IdSessionScheduled, actor: testkit.IdInstructor, setup: seedSessions, body: sessionEdit, other: collections.LiveSessionLive},
		{collection: collections.LiveSessions, field: collections.LiveSessionStartedAt, target: testkit.IdSessionScheduled, actor: testkit.IdInstructor, setup: seedSessions, body: sessionEdit, other: aDate},
		{collection: collections.LiveSessions, field: collections.LiveSessionEndedAt, target: testkit.IdSessionScheduled, actor: testkit.IdInstructor, setup: seedSessions, body: sessionEdit, other: aDate},
		{collection: collections.LiveSessions, field: collections.LiveSessionAttendeeCount, target: testkit.IdSessionScheduled, actor: testkit.IdInstructor, setup: seedSessions, body: sessionEdit, other: 2},
		{collection: collections.LiveSessions, field: collections.LiveSessionChatRoom, target: testkit.IdSessionScheduled, actor: testkit.IdInstructor, setup: seedSessions, body: sessionEdit, other: ""},
		{collection: collections.LiveSessions, field: collections.LiveSessionWaitlistCount, actor: testkit.IdInstructor, body: session, own: 0, other: 3},
		{collection: collections.LiveSessions, field: collections.LiveSessionSeries, actor: testkit.IdInstructor, body: session, own: "", other: testkit.IdSeries},
		{collection: collections.LiveSessions, field: collections.LiveSessionWaitlistCount, target: testkit.IdSessionScheduled, actor: testkit.IdInstructor, setup: seedSessions, body: sessionEdit, other: 2},
		{collection: collections.LiveSessions, field: collections.LiveSessionSeries, target: testkit.IdSessionScheduled, actor: testkit.IdInstructor, setup: seedSessionsAndSeries, body: sessionEdit, other: testkit.IdSeries},

		{collection: collections.SessionSeries, field: collections.SeriesInstructor, actor: testkit.IdInstructor, body: series, own: testkit.IdInstructor, other: testkit.IdOtherInstructor},
		{collection: collections.SessionSeries, field: collections.SeriesInstructor, target: testkit.IdSeries, actor: testkit.IdInstructor, setup: seedSeries, body: map[string]any{"title": "Algebra clinic"}, other: testkit.IdOtherInstructor},

		{collection: collections.OfficeHours, field: collections.OfficeHoursInstructor, actor: testkit.IdInstructor, body: slot, own: testkit.IdInstructor, other: testkit.IdOtherInstructor},
		{collection: collections.OfficeHours, field: collections.OfficeHoursManualState, actor: testkit.IdInstructor, body: slot, own: "", other: collections.OfficeHoursManualOpen},
		{collection: collections.OfficeHours, field: collections.OfficeHoursManualUntil, actor: testkit.IdInstructor, body: slot, own: "", other: aDate},
		{collection: collections.OfficeHours, field: collections.OfficeHoursInstructor, target: testkit.IdSlot, actor: testkit.IdInstructor, setup: seedSlots, body: slotEdit, other: testkit.IdOtherInstructor},
		{collection: collections.OfficeHours, field: collections.OfficeHoursManualState, target: testkit.IdSlot, actor: testkit.IdInstructor, setup: seedSlots, body: slotEdit, other: collections.OfficeHoursManualClosed},
		{collection: collections.OfficeHours, field: collections.OfficeHoursManualUntil, target: testkit.IdSlot, actor: testkit.IdInstructor, setup: seedSlots, body: slotEdit, other: aDate},
		{collection: collections.OfficeHours, field: collections.OfficeHoursPausedAt, actor: testkit.IdInstructor, body: slot, own: "", other: aDate},
		{collection: collections.OfficeHours, field: collections.OfficeHoursAnnouncement, actor: testkit.IdInstructor, body: slot, own: "", other: "Back in 5."},
		{collection: collections.OfficeHours, field: collections.OfficeHoursAnnouncedAt, actor: testkit.IdInstructor, body: slot, own: "", other: aDate},
		{collection: collections.OfficeHours, field: collections.OfficeHoursPausedAt, target: testkit.IdSlot, actor: testkit.IdInstructor, setup: seedSlots, body: slotEdit, other: aDate},
		{collection: collections.OfficeHours, field: collections.OfficeHoursAnnouncement, target: testkit.IdSlot, actor: testkit.IdInstructor, setup: seedSlots, body: slotEdit, other: "Back in 5."},
		{collection: collections.OfficeHours, field: collections.OfficeHoursAnnouncedAt, target: testkit.IdSlot, actor: testkit.IdInstructor, setup: seedSlots, body: slotEdit, other: aDate},

		{collection: collections.StudyGroups, field: collections.StudyGroupOwner, actor: testkit.IdStudent, body: group, own: testkit.IdStudent, other: testkit.IdOtherStudent},
		{collection: collections.StudyGroups, field: collections.StudyGroupMemberCount, actor: testkit.IdStudent, body: group, own: 1, other: 0},
		{collection: collections.StudyGroups, field: collections.StudyGroupActive, actor: testkit.IdStudent, body: group, own: true, other: false},
		{collection: collections.StudyGroups, field: collections.StudyGroupChatRoom, actor: testkit.IdStudent, body: group, own: "", other: testkit.IdRoom, stamped: true},
		// idOtherStudent is an admin of idPublicGroup, not its owner
		{collection: collections.StudyGroups, field: collections.StudyGroupOwner, target: testkit.IdPublicGroup, actor: testkit.IdOtherStudent, setup: seedGroups, body: groupEdit, other: testkit.IdOtherStudent},
		{collection: collections.StudyGroups, field: collections.StudyGroupMemberCount, target: testkit.IdPublicGroup, actor: testkit.IdOtherStudent, setup: seedGroups, body: groupEdit, other: 7},
		{collection: collections.StudyGroups, field: collections.StudyGroupChatRoom, target: testkit.IdPublicGroup, actor: testkit.IdOtherStudent, setup: seedGroups, body: groupEdit, other: ""},

		{collection: collections.ChatMessages, field: collections.ChatMessageSender, actor: testkit.IdStudent, setup: seedRoom, body: message, own: testkit.IdStudent, other: testkit.IdInstructor},
		{collection: collections.ChatMessages, field: collections.ChatMessageEditedAt, actor: testkit.IdStudent, setup: seedRoom, body: message, own: "", other: aDate},
		{collection: collections.ChatMessages, field: collections.ChatMessageDeletedAt, actor: testkit.IdStudent, setup: seedRoom, body: message, own: "", other: aDate},
		{collection: collections.ChatMessages, field: collections.ChatMessageSender, target: idOwnedMsg, actor: testkit.IdInstructor, setup: seedRoom, body: messageEdit, other: testkit.IdStudent},
		{collection: collections.ChatMessages, field: collections.ChatMessageEditedAt, target: idOwnedMsg, actor: testkit.IdInstructor, setup: seedRoom, body: messageEdit, other: aDate, stamped: true},
		{collection: collections.ChatMessages, field: collections.ChatMessageDeletedAt, target: idOwnedMsg, actor: testkit.IdInstructor, setup: seedRoom, body: messageEdit, other: aDate},
		{collection: collections.ChatMessages, field: collections.ChatMessageDeletedBy, actor: testkit.IdStudent, setup: seedRoom, body: message, own: "", other: testkit.IdStudent},
		{collection: collections.ChatMessages, field: collections.ChatMessageRemovedByModerator, actor: testkit.IdStudent, setup: seedRoom, body: message, own: false, other: true},
		{collection: collections.ChatMessages, field: collections.ChatMessageDeletedBy, target: idOwnedMsg, actor: testkit.IdInstructor, setup: seedRoom, body: messageEdit, other: testkit.IdStudent},
		{collection: collections.ChatMessages, field: collections.ChatMessageRemovedByModerator, target: idOwnedMsg, actor: testkit.IdInstructor, setup: seedRoom, body: messageEdit, other: true},
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
	method, url, request, written := http.MethodPost, testkit.RecordsURL(r.collection), "OnRecordCreateRequest", "OnRecordCreate"
	if r.target != "" {
		method, url, request, written = http.MethodPatch, testkit.RecordsURL(r.collection, r.target), "OnRecordUpdateRequest", "OnRecordUpdate"
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
			TestAppFactory: testkit.NewTestApp,
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
	room, err := chat.CreateRoom(app, chat.NewRoom{
		Name: "Algebra I", Type: collections.ChatRoomTypeGroup, CreatedBy: testkit.IdInstructor,
		Participants: []string{testkit.IdStudent, testkit.IdInstructor},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.DB().NewQuery("UPDATE chat_rooms SET id = {:id} WHERE id = {:old}").Bind(map[string]any{"id": testkit.IdRoom, "old": room.Id}).Execute(); err != nil {
		t.Fatal(err)
	}
	if _, err := testkit.SaveRecord(app, collections.ChatMessages, idOwnedMsg, map[string]any{
		"room": testkit.IdRoom, "sender": testkit.IdInstructor, "body": "Welcome to the room.",
	}); err != nil {
		t.Fatal(err)
	}
}

// studentPreferencesId is the id of idStudent's preferences row, the same
// in every test app (each is a copy of one data dir).
func studentPreferencesId(t testing.TB) string {
	t.Helper()
	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	prefs, err := app.FindFirstRecordByData(collections.NotificationPreferences, collections.PreferenceUser, testkit.IdStudent)
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
	app := testkit.NewTestApp(t)
	defer app.Cleanup()

	have := map[string]bool{}
	for _, r := range ownedRows("prefs") {
		have[r.collection+" "+r.op()+" "+r.field] = true
	}
	for collection, fields := range records.ServerOwnedFields() {
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
			URL:    testkit.RecordsURL(collections.StudyGroups),
			Body: bytes.NewBufferString(`{"name":"Calculus crew","visibility":"private","owner":"` + testkit.IdOtherStudent +
				`","active":true}`),
			Headers:        ownedActorAuth(testkit.IdOtherStudent),
			ExpectedStatus: http.StatusOK,
			ExpectedContent: []string{`"owner":"` + testkit.IdOtherStudent + `"`, `"active":true`, `"memberCount":1`,
				`"visibility":"private"`},
			ExpectedEvents: map[string]int{"OnRecordAfterCreateSuccess": 3}, // group, chat room, admin row
		},
		{
			Name:           "the same with another owner names the field",
			Method:         http.MethodPost,
			URL:            testkit.RecordsURL(collections.StudyGroups),
			Body:           bytes.NewBufferString(`{"name":"Calculus crew","visibility":"private","owner":"` + testkit.IdStudent + `","active":true}`),
			Headers:        ownedActorAuth(testkit.IdOtherStudent),
			ExpectedStatus: http.StatusBadRequest,
			ExpectedContent: []string{`"status":400`, `"message":"Failed to create record."`,
				`"data":{"owner":` + serverFieldE + `}`},
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
		{
			Name:           "every wrong field is named at once",
			Method:         http.MethodPost,
			URL:            testkit.RecordsURL(collections.StudyGroups),
			Body:           bytes.NewBufferString(`{"name":"Calculus crew","owner":"` + testkit.IdStudent + `","active":false,"memberCount":9}`),
			Headers:        ownedActorAuth(testkit.IdOtherStudent),
			ExpectedStatus: http.StatusBadRequest,
			ExpectedContent: []string{`"active":` + serverFieldE, `"memberCount":` + serverFieldE,
				`"owner":` + serverFieldE},
			ExpectedEvents: map[string]int{"OnRecordCreateRequest": 1, "OnRecordCreate": 0},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
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
			URL:             testkit.RecordsURL(collections.StudyGroups, testkit.IdPublicGroup),
			Body:            bytes.NewBufferString(`{"owner":"` + testkit.IdOtherStudent + `","memberCount":40}`),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			BeforeTestFunc:  func(t testing.TB, app *tests.TestApp, _ *core.ServeEvent) { testkit.SeedStudyGroupFixtures(t, app) },
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"owner":"` + testkit.IdOtherStudent + `"`, `"memberCount":2`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:            "a superuser schedules a session for an instructor",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.LiveSessions),
			Body:            bytes.NewBufferString(`{"instructor":"` + testkit.IdOtherInstructor + `","title":"Lab","scheduledStart":"` + testkit.SessionStartLater() + `","attendeeCount":7}`),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"instructor":"` + testkit.IdOtherInstructor + `"`, `"attendeeCount":0`},
		},
		{
			Name:            "a superuser makes a student an instructor",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Users, testkit.IdOtherStudent),
			Body:            bytes.NewBufferString(`{"role":"instructor"}`),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			ExpectedStatus:  http.StatusOK,
			ExpectedContent: []string{`"role":"instructor"`},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = testkit.NewTestApp
		s.Test(t)
	}
}
