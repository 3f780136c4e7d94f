package lms_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// TestLMSVisibility covers what the matrix's single target per collection
// cannot: drafts, dropped students, the public catalogue and expand.
func TestLMSVisibility(t *testing.T) {
	t.Parallel()
	testScenarios(t, []tests.ApiScenario{
		{
			Name:               "a guest sees the published catalogue but no drafts",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.Courses),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"id":"` + testkit.IdCourse + `"`, `"id":"` + testkit.IdOtherCourse + `"`, `"totalItems":2`},
			NotExpectedContent: []string{`"id":"` + testkit.IdDraftCourse + `"`},
			ExpectedEvents:     map[string]int{"OnRecordsListRequest": 1},
		},
		{
			Name:               "an enrolled student does not see an unpublished lesson",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.Lessons),
			Headers:            testkit.AuthHeader(testkit.Student),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"id":"` + testkit.IdLesson + `"`, `"id":"` + testkit.IdLesson3 + `"`, `"totalItems":2`},
			NotExpectedContent: []string{`"id":"` + testkit.IdDraftLesson + `"`},
			ExpectedEvents:     map[string]int{"OnRecordsListRequest": 1},
		},
		{
			Name:            "the instructor sees the unpublished lesson of their course",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.Lessons, testkit.IdDraftLesson),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + testkit.IdDraftLesson + `"`},
			ExpectedEvents:  map[string]int{"OnRecordViewRequest": 1},
		},
		{
			Name:            "a dropped student no longer sees the course's lessons",
			Method:          http.MethodGet,
			URL:             testkit.RecordsURL(collections.Lessons),
			Headers:         map[string]string{"Authorization": testkit.Tokens[testkit.IdDroppedStudent]},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"totalItems":0`},
			ExpectedEvents:  map[string]int{"OnRecordsListRequest": 1},
		},
		{
			Name:            "a dropped student cannot submit work",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Submissions),
			Body:            strings.NewReader(`{"assessment":"` + testkit.IdAssessment3 + `","student":"` + testkit.IdDroppedStudent + `","content":"late"}`),
			Headers:         map[string]string{"Authorization": testkit.Tokens[testkit.IdDroppedStudent]},
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 0},
		},
		{
			Name:               "an enrolled student does not see a draft assessment",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.Assessments, testkit.IdDraftAssessment),
			Headers:            testkit.AuthHeader(testkit.Student),
			ExpectedStatus:     404,
			ExpectedContent:    []string{`"status":404`},
			NotExpectedContent: []string{`Quiz 2`},
			ExpectedEvents:     map[string]int{"OnRecordViewRequest": 0},
		},
		{
			Name:               "the instructor expands enrollments to student names, never emails",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.Enrollments) + "?expand=student,course",
			Headers:            testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"name":"Sam Student"`, `"title":"Algebra I"`},
			NotExpectedContent: []string{`sam.student@studyhall.test`, `"timezone"`, `"allowDirectMessages"`},
			ExpectedEvents:     map[string]int{"OnRecordsListRequest": 1},
		},
		{
			Name:               "another instructor cannot reach enrollments through expand",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.Courses, testkit.IdCourse) + "?expand=enrollments_via_course.student",
			Headers:            testkit.AuthHeader(testkit.OtherInstructor),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"id":"` + testkit.IdCourse + `"`},
			NotExpectedContent: []string{`enrollments_via_course`, `Sam Student`},
			ExpectedEvents:     map[string]int{"OnRecordViewRequest": 1},
		},
		{
			Name:               "a guest's expand of a course's instructor yields nothing",
			Method:             http.MethodGet,
			URL:                testkit.RecordsURL(collections.Courses, testkit.IdCourse) + "?expand=instructor",
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"id":"` + testkit.IdCourse + `"`},
			NotExpectedContent: []string{`Ada Instructor`, `"expand":{"`},
			ExpectedEvents:     map[string]int{"OnRecordViewRequest": 1},
		},
	})
}

// TestLMSBadInput: every bad input is a 400 with a field error, never a 500.
func TestLMSBadInput(t *testing.T) {
	t.Parallel()

	long := strings.Repeat("x", collections.MaxTitleLength+1)
	testScenarios(t, []tests.ApiScenario{
		{
			Name:            "an oversize course title",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Courses),
			Body:            strings.NewReader(`{"title":"` + long + `","instructor":"` + testkit.IdInstructor + `"}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"title":{"code":"validation_max_text_constraint"`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 1, "OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a lesson in an unknown course",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Lessons),
			Body:            strings.NewReader(`{"title":"Ghost","course":"nosuchcourse999"}`),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"course":{"code":"validation_missing_rel_records"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a lesson with a negative order and a title of the wrong type",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Lessons),
			Body:            strings.NewReader(`{"title":["not","text"],"course":"` + testkit.IdCourse + `","order":-1}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"order":{"code":"validation_min_number_constraint"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a body that is not JSON",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Courses),
			Body:            strings.NewReader(`{"title": "unterminated`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"status":400`},
			ExpectedEvents:  map[string]int{"OnRecordCreate": 0},
		},
		{
			Name:            "a course taught by a student",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Courses),
			Body:            strings.NewReader(`{"title":"Fake","instructor":"` + testkit.IdStudent + `"}`),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"instructor":{"code":"validation_not_instructor"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a score above the assessment's maximum",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Submissions, testkit.IdSubmission),
			Body:            strings.NewReader(`{"score":11}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"score":{"code":"validation_max_score"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 0},
		},
		{
			Name:            "a student grading their own work",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Submissions, testkit.IdSubmission),
			Body:            strings.NewReader(`{"score":10}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
		},
		{
			Name:            "a payment in a currency that is not an ISO code",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Payments),
			Body:            strings.NewReader(`{"user":"` + testkit.IdStudent + `","amount":10,"currency":"euro","status":"succeeded"}`),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"currency":{"code":"validation_invalid_format"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
		{
			Name:            "a payment without a payer",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Payments),
			Body:            strings.NewReader(`{"amount":10,"currency":"EUR","status":"succeeded"}`),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			ExpectedStatus:  400,
			ExpectedContent: []string{`"user":{"code":"validation_required"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 0},
		},
	})
}

// TestServerKeptFields: the server stamps times and keeps text plain,
// whatever a client sends.
func TestServerKeptFields(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	before := time.Now().UTC().Add(-time.Second)

	// control characters are removed, newline and tab kept
	course, err := testkit.SaveRecord(app, collections.Courses, "", map[string]any{
		"title": "Bell\x07 and\x00 null\r\n", "description": "line one\nline\ttwo\x1b[31m", "instructor": testkit.IdInstructor,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := course.GetString("title"); got != "Bell and null\n" {
		t.Errorf("title = %q, want control characters stripped", got)
	}
	if got := course.GetString("description"); got != "line one\nline\ttwo[31m" {
		t.Errorf("description = %q", got)
	}

	testScenarios(t, []tests.ApiScenario{
		// a completion time sent by a client is replaced by the server's, and
		// once set it stays
		{
			Name:               "completion is stamped by the server",
			Method:             http.MethodPost,
			URL:                testkit.RecordsURL(collections.LessonProgress),
			Body:               strings.NewReader(`{"lesson":"` + testkit.IdLesson3 + `","student":"` + testkit.IdStudent + `","completedAt":"2001-01-01 00:00:00.000Z"}`),
			Headers:            testkit.AuthHeader(testkit.Student),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"course":"` + testkit.IdCourse + `"`},
			NotExpectedContent: []string{`2001-01-01`},
			ExpectedEvents:     map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				row, err := app.FindFirstRecordByFilter(collections.LessonProgress, "lesson = {:l} && student = {:s}", map[string]any{"l": testkit.IdLesson3, "s": testkit.IdStudent})
				if err != nil {
					t.Fatal(err)
				}
				stamped := row.GetDateTime("completedAt").Time()
				if stamped.Before(before) || stamped.After(time.Now().Add(time.Second)) {
					t.Fatalf("completedAt = %v, want the server's now", stamped)
				}
			},
		},
		{
			Name:            "a client can neither clear nor move a completion",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LessonProgress, testkit.IdProgress),
			Body:            strings.NewReader(`{"completedAt":"","videoCompletedAt":"2030-01-01 00:00:00.000Z"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"completedAt":"2026-01-02 03:04:05.000Z"`, `"videoCompletedAt":"2026-01-02 03:04:06.000Z"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				row, err := app.FindRecordById(collections.LessonProgress, testkit.IdProgress)
				if err != nil {
					t.Fatal(err)
				}
				row.Set("completedAt", "2026-01-02 03:04:05.000Z")
				row.Set("videoCompletedAt", "2026-01-02 03:04:06.000Z")
				if err := app.Save(row); err != nil {
					t.Fatal(err)
				}
			},
		},
		// grading stamps gradedAt; afterwards the student cannot resubmit
		{
			Name:               "grading stamps gradedAt and locks the submission",
			Method:             http.MethodPatch,
			URL:                testkit.RecordsURL(collections.Submissions, testkit.IdSubmission),
			Body:               strings.NewReader(`{"score":9,"feedback":"Well argued."}`),
			Headers:            testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:     200,
			ExpectedContent:    []string{`"score":9`, `"feedback":"Well argued."`},
			NotExpectedContent: []string{`"gradedAt":""`},
			ExpectedEvents:     map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				graded, err := app.FindRecordById(collections.Submissions, testkit.IdSubmission)
				if err != nil {
					t.Fatal(err)
				}
				if at := graded.GetDateTime("gradedAt").Time(); at.Before(before) {
					t.Fatalf("gradedAt = %v, want the server's now", at)
				}
			},
		},
		{
			Name:            "a score of zero is a grade",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Submissions, testkit.IdSubmission),
			Body:            strings.NewReader(`{"score":0}`),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"score":0`, `"gradedAt":"20`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
		},
		{
			Name:            "a graded submission cannot be changed by the student",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Submissions, testkit.IdSubmission),
			Body:            strings.NewReader(`{"content":"changed after grading"}`),
			Headers:         testkit.AuthHeader(testkit.Student),
			ExpectedStatus:  404,
			ExpectedContent: []string{`"status":404`},
			ExpectedEvents:  map[string]int{"OnRecordUpdate": 0},
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				row, err := app.FindRecordById(collections.Submissions, testkit.IdSubmission)
				if err != nil {
					t.Fatal(err)
				}
				row.Set("score", 7)
				if err := app.Save(row); err != nil {
					t.Fatal(err)
				}
			},
		},
	})
}

// TestPaymentOutlivesPayer: deleting an account keeps its payments for the
// accounts, with the payer emptied, and removes the rest of their data.
func TestPaymentOutlivesPayer(t *testing.T) {
	t.Parallel()

	app := testkit.NewTestApp(t)
	defer app.Cleanup()

	user, err := app.FindRecordById(collections.Users, testkit.IdStudent)
	if err != nil {
		t.Fatal(err)
	}
	if err := app.Delete(user); err != nil {
		t.Fatal(err)
	}
	payment, err := app.FindRecordById(collections.Payments, testkit.IdPayment)
	if err != nil {
		t.Fatalf("payment deleted with its payer: %v", err)
	}
	if payment.GetString("user") != "" || payment.GetString("receiptNumber") == "" {
		t.Fatalf("payment after deletion: user %q receipt %q", payment.GetString("user"), payment.GetString("receiptNumber"))
	}
	for _, c := range []string{collections.Enrollments, collections.LessonProgress, collections.Submissions} {
		if n := testkit.CountRecords(t, app, c, "student = '"+testkit.IdStudent+"'"); n != 0 {
			t.Errorf("%s of the deleted student: %d left", c, n)
		}
	}
}
