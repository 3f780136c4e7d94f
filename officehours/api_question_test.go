package officehours_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestOfficeHoursEditQuestion: POST /api/office-hours/queue/{entryId}/question
// lets the waiting student, and only them, change their question; the
// entry keeps its place.
func TestOfficeHoursEditQuestion(t *testing.T) {
	t.Parallel()
	edit := entryURL(idEntry, "question")
	body := func(question string) *strings.Reader { return strings.NewReader(`{"question":"` + question + `"}`) }
	runScenarios(t, []tests.ApiScenario{
		{
			Name:            "the waiting student edits their question, cleaned to plain text",
			Method:          http.MethodPost,
			URL:             edit,
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            body(`  Recursion\u0000, actually.  `),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  200,
			ExpectedContent: []string{`"question":"Recursion, actually."`, `"status":"waiting"`, `"position":1,`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 1, "OnRecordAfterUpdateSuccess": 1, "OnRecordEnrich": 1},
			AfterTestFunc: after(
				entryQuestion(idEntry, "Recursion, actually."),
				queueIs(testkit.IdStudent, testkit.IdOtherStudent),
			),
		},
		{
			Name:            "an empty question clears it",
			Method:          http.MethodPost,
			URL:             edit,
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            body(""),
			BeforeTestFunc:  withEntries(entryFixture{id: idEntry, student: testkit.IdStudent, status: collections.QueueWaiting, position: 1, fields: map[string]any{collections.QueueQuestion: "Old"}}),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"question":""`},
			AfterTestFunc:   entryQuestion(idEntry, ""),
		},
		{
			Name:            "the instructor cannot edit it",
			Method:          http.MethodPost,
			URL:             edit,
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            body("Changed"),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  403,
			ExpectedContent: []string{`"message":"Only the student can edit their question."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "nor can a TA of the course",
			Method:          http.MethodPost,
			URL:             edit,
			Headers:         testkit.AuthHeader(testkit.TA),
			Body:            body("Changed"),
			BeforeTestFunc:  withEntries(inCourseSlot(waiting(idEntry, testkit.IdStudent, 1))...),
			ExpectedStatus:  403,
			ExpectedContent: []string{`"message":"Only the student can edit their question."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "another student does not see the entry",
			Method:          http.MethodPost,
			URL:             edit,
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			Body:            body("Changed"),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  404,
			ExpectedContent: []string{`"message":"Queue entry not found."`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "an admitted entry's question stays",
			Method:          http.MethodPost,
			URL:             edit,
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            body("Changed"),
			BeforeTestFunc:  withEntries(admitted(idEntry, testkit.IdStudent)),
			ExpectedStatus:  409,
			ExpectedContent: []string{`"code":"invalid_status"`, `"status":"admitted"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "a question is at most 500 characters",
			Method:          http.MethodPost,
			URL:             edit,
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            body(strings.Repeat("x", collections.MaxQuestionLength+1)),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"question":{"code":"validation_length_too_long"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
		{
			Name:            "the question must be given",
			Method:          http.MethodPost,
			URL:             edit,
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            strings.NewReader(`{}`),
			BeforeTestFunc:  twoWaiting,
			ExpectedStatus:  400,
			ExpectedContent: []string{`"question":{"code":"validation_not_nil_required"`},
			ExpectedEvents:  map[string]int{"*": 0},
		},
	})
}

// entryQuestion checks an entry's stored question.
func entryQuestion(entryId, want string) func(testing.TB, *tests.TestApp, *http.Response) {
	return func(t testing.TB, app *tests.TestApp, _ *http.Response) {
		t.Helper()
		entry, err := app.FindRecordById(collections.OfficeHoursQueue, entryId)
		if err != nil {
			t.Fatal(err)
		}
		if got := entry.GetString(collections.QueueQuestion); got != want {
			t.Errorf("entry %s asks %q, want %q", entryId, got, want)
		}
	}
}
