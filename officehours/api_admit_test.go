package officehours_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestOfficeHoursAdmit: POST /api/office-hours/queue/{entryId}/admit lets
// the instructor take the student in, opens (or reopens) the pair's chat
// room, moves everyone behind up and tells the student.
func TestOfficeHoursAdmit(t *testing.T) {
	t.Parallel()
	runScenarios(t, []tests.ApiScenario{
		{
			Name:           "the instructor admits the head of the queue into a new chat room",
			Method:         http.MethodPost,
			URL:            entryURL(idEntry, "admit"),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: twoWaiting,
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"id":"` + idEntry + `"`, `"status":"admitted"`, `"position":0,`, `"estimatedWaitSeconds":0,`,
			},
			NotExpectedContent: []string{`"chatRoom":""`, `"admittedAt":""`},
			// the admitted entry, the room, and the student behind it
			ExpectedEvents: map[string]int{"OnRecordUpdate": 2, "OnRecordCreate": 1, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				visitRoomOf(idEntry, ""),
				queueIs(testkit.IdOtherStudent),
				notices(testkit.IdStudent, collections.TypeOfficeHoursAdmitted, 1),
				admittedNoticeOpensChat(idEntry),
			),
		},
		{
			Name:           "a student admitted again meets the instructor in the pair's earlier room",
			Method:         http.MethodPost,
			URL:            entryURL(idEntry, "admit"),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: before(withVisitRoom, withEntries(waiting(idEntry, testkit.IdStudent, 1))),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"status":"admitted"`, `"chatRoom":"` + idVisitRoom + `"`,
			},
			ExpectedEvents: map[string]int{"OnRecordUpdate": 2, "OnRecordCreate": 0, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				visitRoomOf(idEntry, idVisitRoom),
				queueIs(),
				notices(testkit.IdStudent, collections.TypeOfficeHoursAdmitted, 1),
			),
		},
		{
			Name:           "a TA admits from a queue of their course, into a room of the two",
			Method:         http.MethodPost,
			URL:            entryURL(idEntry, "admit"),
			Headers:        testkit.AuthHeader(testkit.TA),
			BeforeTestFunc: withEntries(inCourseSlot(waiting(idEntry, testkit.IdStudent, 1), waiting(idOtherEntry, testkit.IdOtherStudent, 2))...),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"id":"` + idEntry + `"`, `"status":"admitted"`, `"position":0,`,
			},
			ExpectedEvents: map[string]int{"OnRecordUpdate": 2, "OnRecordCreate": 1, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				sharedRoom(testkit.IdTA, map[string]string{idEntry: testkit.IdStudent}),
				queueOf(idCourseSlot, testkit.IdOtherStudent),
				noticeSays(testkit.IdStudent, collections.TypeOfficeHoursAdmitted, "Your office hours visit has started. Open the chat to talk with Tom Helper."),
				admittedNoticeOpensChat(idEntry),
			),
		},
		{
			Name:               "the instructor admitting after a TA's visit opens a room of their own",
			Method:             http.MethodPost,
			URL:                entryURL(idEntry, "admit"),
			Headers:            testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:     before(withTAVisitRoom, withEntries(inCourseSlot(waiting(idEntry, testkit.IdStudent, 1))...)),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"status":"admitted"`},
			NotExpectedContent: []string{`"chatRoom":"` + idTAVisitRoom + `"`},
			ExpectedEvents:     map[string]int{"OnRecordUpdate": 1, "OnRecordCreate": 1, "OnRecordEnrich": 1},
			AfterTestFunc:      sharedRoom(testkit.IdInstructor, map[string]string{idEntry: testkit.IdStudent}),
		},
		{
			Name:            "a TA of another course does not see the entry",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "admit"),
			Headers:         testkit.AuthHeader(testkit.OtherTA),
			BeforeTestFunc:  withEntries(inCourseSlot(waiting(idEntry, testkit.IdStudent, 1))...),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"message":"Queue entry not found."`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   queueOf(idCourseSlot, testkit.IdStudent),
		},
		{
			Name:            "nor does a TA in a slot without a course",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "admit"),
			Headers:         testkit.AuthHeader(testkit.TA),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"message":"Queue entry not found."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a student cannot admit",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "admit"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"message":"Only the instructor or a teaching assistant can admit a student."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "another instructor does not see the entry",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "admit"),
			Headers:         testkit.AuthHeader(testkit.OtherInstructor),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"message":"Queue entry not found."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a missing entry is not found",
			Method:          http.MethodPost,
			URL:             entryURL("nosuchentry0000", "admit"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"message":"Queue entry not found."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an admitted entry cannot be admitted twice",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "admit"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc:  withEntries(admitted(idEntry, testkit.IdStudent)),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`, `"status":"admitted"`, `"message":"Only a waiting entry can be admitted."`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   notices(testkit.IdStudent, collections.TypeOfficeHoursAdmitted, 0),
		},
		{
			Name:            "a guest must sign in",
			Method:          http.MethodPost,
			URL:             entryURL(idEntry, "admit"),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  401,
			ExpectedContent: []string{`"message":"The request requires valid record authorization token."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}

// visitRoomOf checks that the entry's chat room is an office-hours room
// of exactly IdInstructor and IdStudent, and is wantId unless that is "".
func visitRoomOf(entryId, wantId string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		entry, err := app.FindRecordById(collections.OfficeHoursQueue, entryId)
		if err != nil {
			t.Fatal(err)
		}
		roomId := entry.GetString(collections.QueueChatRoom)
		if wantId != "" && roomId != wantId {
			t.Fatalf("the visit is in room %q, want %q", roomId, wantId)
		}
		room, err := app.FindRecordById(collections.ChatRooms, roomId)
		if err != nil {
			t.Fatalf("admit opened no chat room: %v", err)
		}
		participants := room.GetStringSlice(collections.ChatRoomParticipants)
		slices.Sort(participants)
		if room.GetString(collections.ChatRoomType) != collections.ChatRoomTypeOfficeHours || !slices.Equal(participants, []string{testkit.IdInstructor, testkit.IdStudent}) {
			t.Fatalf("chat room %s with %v", room.GetString(collections.ChatRoomType), participants)
		}
	}
}

// idTAVisitRoom is the room of an earlier visit of testkit.IdStudent
// with testkit.IdTA in idCourseSlot.
const idTAVisitRoom = "ohroomtavisit01"

// withTAVisitRoom is a BeforeTestFunc that saves idTAVisitRoom and the
// completed visit held in it.
func withTAVisitRoom(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
	t.Helper()
	if _, err := testkit.SaveRecord(app, collections.ChatRooms, idTAVisitRoom, map[string]any{
		collections.ChatRoomName:         "Office hours: Tom Helper & Sam Student",
		collections.ChatRoomType:         collections.ChatRoomTypeOfficeHours,
		collections.ChatRoomCreatedBy:    testkit.IdTA,
		collections.ChatRoomParticipants: []string{testkit.IdTA, testkit.IdStudent},
	}); err != nil {
		t.Fatal(err)
	}
	withEntries(inCourseSlot(entryFixture{id: idEarlierVisit, student: testkit.IdStudent, status: collections.QueueCompleted, fields: map[string]any{
		collections.QueueAdmittedAt:  types.NowDateTime().Add(-2 * time.Hour),
		collections.QueueCompletedAt: types.NowDateTime().Add(-2 * time.Hour),
		collections.QueueChatRoom:    idTAVisitRoom,
	}})...)(t, app, e)
}

// admittedNoticeOpensChat checks that the admitted notice of the entry's
// student links to the entry's chat room.
func admittedNoticeOpensChat(entryId string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, res *http.Response) {
		t.Helper()
		entry, err := app.FindRecordById(collections.OfficeHoursQueue, entryId)
		if err != nil {
			t.Fatal(err)
		}
		noticeLinks(entry.GetString(collections.QueueStudent), collections.TypeOfficeHoursAdmitted, "/chat/"+entry.GetString(collections.QueueChatRoom))(t, app, res)
	}
}
