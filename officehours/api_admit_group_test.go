package officehours_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// idThirdEntry is a third waiting entry of the grouped admits, of
// testkit.IdDroppedStudent.
const idThirdEntry = idDroppedEntry

// threeWaiting saves idEntry, idOtherEntry and idThirdEntry waiting, in
// that order.
var threeWaiting = withEntries(
	waiting(idEntry, testkit.IdStudent, 1),
	waiting(idOtherEntry, testkit.IdOtherStudent, 2),
	waiting(idThirdEntry, testkit.IdDroppedStudent, 3),
)

// TestOfficeHoursAdmitGroup: POST /api/office-hours/{id}/admit-group takes
// several waiting students in together, into one new chat room, and the
// rest of the line moves up at once; any entry that cannot go fails the
// whole group.
func TestOfficeHoursAdmitGroup(t *testing.T) {
	t.Parallel()
	group := slotURL(idOpenSlot, "admit-group")
	ids := func(entryIds ...string) *strings.Reader {
		return strings.NewReader(`{"entryIds":["` + strings.Join(entryIds, `","`) + `"]}`)
	}
	runScenarios(t, []tests.ApiScenario{
		{
			Name:           "the instructor admits the first and the third together",
			Method:         http.MethodPost,
			URL:            group,
			Headers:        testkit.AuthHeader(testkit.Instructor),
			Body:           ids(idEntry, idThirdEntry),
			BeforeTestFunc: threeWaiting,
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"chatRoom":"`, `"items":[{`, `"id":"` + idEntry + `"`, `"id":"` + idThirdEntry + `"`, `"status":"admitted"`,
			},
			NotExpectedContent: []string{`"status":"waiting"`},
			// the two entries, and the second moving up
			ExpectedEvents: map[string]int{"OnRecordUpdate": 3, "OnRecordCreate": 1, "OnRecordEnrich": 2},
			AfterTestFunc: after(
				sharedRoom(testkit.IdInstructor, map[string]string{idEntry: testkit.IdStudent, idThirdEntry: testkit.IdDroppedStudent}),
				queueIs(testkit.IdOtherStudent),
				notices(testkit.IdStudent, collections.TypeOfficeHoursAdmitted, 1),
				notices(testkit.IdDroppedStudent, collections.TypeOfficeHoursAdmitted, 1),
				notices(testkit.IdOtherStudent, collections.TypeOfficeHoursAdmitted, 0),
			),
		},
		{
			Name:    "a TA admits a group from a queue of their course",
			Method:  http.MethodPost,
			URL:     slotURL(idCourseSlot, "admit-group"),
			Headers: testkit.AuthHeader(testkit.TA),
			Body:    ids(idEntry, idOtherEntry),
			BeforeTestFunc: withEntries(inCourseSlot(
				waiting(idEntry, testkit.IdStudent, 1), waiting(idOtherEntry, testkit.IdOtherStudent, 2), waiting(idThirdEntry, testkit.IdDroppedStudent, 3))...),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"admitted"`},
			AfterTestFunc: after(
				sharedRoom(testkit.IdTA, map[string]string{idEntry: testkit.IdStudent, idOtherEntry: testkit.IdOtherStudent}),
				queueOf(idCourseSlot, testkit.IdDroppedStudent),
			),
		},
		{
			Name:            "a TA of another course cannot",
			Method:          http.MethodPost,
			URL:             slotURL(idCourseSlot, "admit-group"),
			Headers:         testkit.AuthHeader(testkit.OtherTA),
			Body:            ids(idEntry, idOtherEntry),
			BeforeTestFunc:  withEntries(inCourseSlot(waiting(idEntry, testkit.IdStudent, 1), waiting(idOtherEntry, testkit.IdOtherStudent, 2))...),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   queueOf(idCourseSlot, testkit.IdStudent, testkit.IdOtherStudent),
		},
		{
			Name:            "a student cannot",
			Method:          http.MethodPost,
			URL:             group,
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            ids(idEntry, idOtherEntry),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"status":403`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "one entry no longer waiting fails the whole group",
			Method:          http.MethodPost,
			URL:             group,
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            ids(idEntry, idOtherEntry),
			BeforeTestFunc:  withEntries(waiting(idEntry, testkit.IdStudent, 1), admitted(idOtherEntry, testkit.IdOtherStudent)),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`, `"entryId":"` + idOtherEntry + `"`, `"status":"admitted"`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc: after(
				queueIs(testkit.IdStudent),
				notices(testkit.IdStudent, collections.TypeOfficeHoursAdmitted, 0),
			),
		},
		{
			Name:            "an entry of another queue fails the group",
			Method:          http.MethodPost,
			URL:             group,
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            ids(idEntry, idOtherEntry),
			BeforeTestFunc:  withEntries(waiting(idEntry, testkit.IdStudent, 1), inCourseSlot(waiting(idOtherEntry, testkit.IdOtherStudent, 1))[0]),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"wrong_slot"`, `"entryId":"` + idOtherEntry + `"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an unknown entry is not found",
			Method:          http.MethodPost,
			URL:             group,
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            ids(idEntry, "nosuchentry0000"),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"message":"Queue entry not found."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a group is at least two",
			Method:          http.MethodPost,
			URL:             group,
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            ids(idEntry),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"entryIds":{"code":"validation_length_out_of_range"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "each entry once",
			Method:          http.MethodPost,
			URL:             group,
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            ids(idEntry, idEntry),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"entryIds":{"code":"validation_duplicate"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}

// sharedRoom checks that the entries (id → student) were admitted into
// one office-hours room whose participants are exactly the admitter and
// those students.
func sharedRoom(admitterId string, entries map[string]string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		want := []string{admitterId}
		roomId := ""
		for entryId, studentId := range entries {
			want = append(want, studentId)
			entry, err := app.FindRecordById(collections.OfficeHoursQueue, entryId)
			if err != nil {
				t.Fatal(err)
			}
			if entry.GetString(collections.QueueStatus) != collections.QueueAdmitted {
				t.Fatalf("entry %s is %s", entryId, entry.GetString(collections.QueueStatus))
			}
			got := entry.GetString(collections.QueueChatRoom)
			if roomId == "" {
				roomId = got
			} else if got != roomId {
				t.Fatalf("entry %s is in room %s, another in %s", entryId, got, roomId)
			}
		}
		room, err := app.FindRecordById(collections.ChatRooms, roomId)
		if err != nil {
			t.Fatalf("no room: %v", err)
		}
		participants := room.GetStringSlice(collections.ChatRoomParticipants)
		slices.Sort(participants)
		slices.Sort(want)
		if room.GetString(collections.ChatRoomType) != collections.ChatRoomTypeOfficeHours || !slices.Equal(participants, want) {
			t.Fatalf("room %s of %v, want an office-hours room of %v", room.GetString(collections.ChatRoomType), participants, want)
		}
	}
}
