package notifications_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/testkit"
)

// Each LMS notice is fired the way a user (or the dashboard, or the job)
// fires it, and the test checks who got what, with which priority, and who
// did not.

func TestTriggersAssessment(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:            "publishing an assessment tells the enrolled students",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Assessments, testkit.IdDraftAssessment),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"published":true}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"published":true`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, testkit.IdStudent, collections.TypeAssessmentCreated, collections.PriorityNormal, testkit.IdDraftAssessment)
				if n.GetString("category") != collections.CategoryAssessment {
					t.Errorf("category %q", n.GetString("category"))
				}
				expectNotNotified(t, app, collections.TypeAssessmentCreated, testkit.IdDraftAssessment, testkit.IdDroppedStudent, testkit.IdOtherStudent, testkit.IdInstructor)
			},
		},
		{
			Name:            "a submission tells the instructor",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Submissions),
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            strings.NewReader(`{"assessment":"` + testkit.IdAssessment3 + `","student":"` + testkit.IdStudent + `","content":"42"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"content":"42"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				submission, err := app.FindFirstRecordByData(collections.Submissions, "assessment", testkit.IdAssessment3)
				if err != nil {
					t.Fatal(err)
				}
				n := expectNotified(t, app, testkit.IdInstructor, collections.TypeAssessmentSubmitted, collections.PriorityNormal, submission.Id)
				if !strings.Contains(n.GetString("message"), "Sam Student") {
					t.Errorf("message %q", n.GetString("message"))
				}
				expectNotNotified(t, app, collections.TypeAssessmentSubmitted, submission.Id, testkit.IdOtherInstructor, testkit.IdStudent)
			},
		},
		{
			Name:            "a grade tells the student",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Submissions, testkit.IdSubmission),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"score":8,"feedback":"Good."}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"score":8`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, testkit.IdStudent, collections.TypeAssessmentGraded, collections.PriorityHigh, testkit.IdSubmission)
				if n.GetString("message") != "Your score: 8 of 10." {
					t.Errorf("message %q", n.GetString("message"))
				}
				expectNotNotified(t, app, collections.TypeAssessmentGraded, testkit.IdSubmission, testkit.IdInstructor, testkit.IdOtherStudent)
			},
		},
		{
			Name:    "48 h before the due time, the students who have not submitted are reminded, once",
			Method:  http.MethodPatch,
			URL:     testkit.RecordsURL(collections.Assessments, testkit.IdAssessment3),
			Headers: testkit.AuthHeader(testkit.Instructor),
			Body:    strings.NewReader(`{"dueAt":"` + time.Now().UTC().Add(47*time.Hour).Format(types.DefaultDateLayout) + `"}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				// the assessment the student already submitted is due soon too
				assessment, _ := app.FindRecordById(collections.Assessments, testkit.IdAssessment)
				assessment.Set("dueAt", time.Now().Add(24*time.Hour))
				if err := app.Save(assessment); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + testkit.IdAssessment3 + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				for range 2 { // the minute job, twice
					if err := notifications.SendAssessmentsDueSoon(app, time.Now()); err != nil {
						t.Fatal(err)
					}
				}
				n := expectNotified(t, app, testkit.IdStudent, collections.TypeAssessmentDueSoon, collections.PriorityHigh, testkit.IdAssessment3)
				if n.GetDateTime("expiresAt").IsZero() {
					t.Error("assessment_due_soon should expire at the due time")
				}
				expectNotNotified(t, app, collections.TypeAssessmentDueSoon, testkit.IdAssessment, testkit.IdStudent)
				expectNotNotified(t, app, collections.TypeAssessmentDueSoon, testkit.IdAssessment3, testkit.IdDroppedStudent, testkit.IdOtherStudent, testkit.IdInstructor)
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = appFactory
		s.Test(t)
	}
}
