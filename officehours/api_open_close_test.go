package officehours_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/officehours"
	"studyhall/testkit"
)

// TestOfficeHoursOpenClose: POST /api/office-hours/{id}/open and .../close,
// the manual routes: only the owner opens an active slot or closes it, and
// closing cancels every waiting entry and tells each student.
func TestOfficeHoursOpenClose(t *testing.T) {
	t.Parallel()
	threeWaiting := withEntries(waiting(idEntry, testkit.IdStudent, 1), waiting(idOtherEntry, testkit.IdOtherStudent, 2),
		waiting(idDroppedEntry, testkit.IdDroppedStudent, 3))
	runScenarios(t, []tests.ApiScenario{
		{
			Name:           "the owner opens a slot closed by hand",
			Method:         http.MethodPost,
			URL:            slotURL(idClosedSlot, "open"),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"id":"` + idClosedSlot + `"`, `"manualState":"open"`, `"isOpen":true`,
			},
			NotExpectedContent: []string{`"manualUntil":""`},
			ExpectedEvents:     map[string]int{"OnRecordUpdate": 1, "OnRecordAfterUpdateSuccess": 1, "OnRecordEnrich": 1},
		},
		{
			Name:           "the owner closes an open slot, which cancels its waiting entries",
			Method:         http.MethodPost,
			URL:            slotURL(idOpenSlot, "close"),
			Headers:        testkit.AuthHeader(testkit.Instructor),
			BeforeTestFunc: threeWaiting,
			ExpectedStatus: 200,
			ExpectedContent: []string{
				`"id":"` + idOpenSlot + `"`, `"manualState":"closed"`, `"isOpen":false`,
			},
			// the slot and its three entries
			ExpectedEvents: map[string]int{"OnRecordUpdate": 4, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				func(t testing.TB, app *tests.TestApp, _ *http.Response) {
					filter := "officeHours = '" + idOpenSlot + "' && status = 'cancelled' && cancelledBy = '" + testkit.IdInstructor + "' && position = 0"
					if n := testkit.CountRecords(t, app, collections.OfficeHoursQueue, filter); n != 3 {
						t.Fatalf("close cancelled %d of 3 waiting entries", n)
					}
					// joins are refused until the next occurrence
					slot, err := app.FindRecordById(collections.OfficeHours, idOpenSlot)
					if err != nil {
						t.Fatal(err)
					}
					if officehours.SlotIsOpen(slot, time.Now()) {
						t.Fatal("the slot still takes joins after close")
					}
				},
				notices(testkit.IdStudent, collections.TypeOfficeHoursCancelled, 1),
				notices(testkit.IdOtherStudent, collections.TypeOfficeHoursCancelled, 1),
				notices(testkit.IdDroppedStudent, collections.TypeOfficeHoursCancelled, 1),
			),
		},
		{
			Name:            "an inactive slot is activated before it is opened",
			Method:          http.MethodPost,
			URL:             slotURL(testkit.IdInactiveSlot, "open"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"slot_inactive"`, `"message":"Activate these office hours before opening them."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a student cannot open a slot",
			Method:          http.MethodPost,
			URL:             slotURL(idClosedSlot, "open"),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"message":"Only the instructor and teaching assistants of these office hours can do that."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "nor can another instructor",
			Method:          http.MethodPost,
			URL:             slotURL(idClosedSlot, "open"),
			Headers:         testkit.AuthHeader(testkit.OtherInstructor),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"message":"Only the instructor and teaching assistants of these office hours can do that."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a student cannot close a slot",
			Method:          http.MethodPost,
			URL:             slotURL(idOpenSlot, "close"),
			Headers:         testkit.AuthHeader(testkit.Student),
			BeforeTestFunc:  threeWaiting,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"message":"Only the instructor and teaching assistants of these office hours can do that."`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc:   queueIs(testkit.IdStudent, testkit.IdOtherStudent, testkit.IdDroppedStudent),
		},
		{
			Name:            "a guest must sign in",
			Method:          http.MethodPost,
			URL:             slotURL(idOpenSlot, "close"),
			ExpectedStatus:  401,
			ExpectedContent: []string{`"message":"The request requires valid record authorization token."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a missing slot is not found",
			Method:          http.MethodPost,
			URL:             slotURL("nosuchslot00000", "open"),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"message":"Office hours not found."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}
