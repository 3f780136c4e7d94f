package notifications_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"

	"studyhall/collections"
	"studyhall/testkit"
)

// Each LMS notice is fired the way a user (or the dashboard, or the job)
// fires it, and the test checks who got what, with which priority, and who
// did not.

func TestTriggersCourse(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:            "enrolling confirms to the student and tells the instructor",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Enrollments),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			Body:            strings.NewReader(`{"course":"` + testkit.IdCourse + `","student":"` + testkit.IdOtherStudent + `"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"student":"` + testkit.IdOtherStudent + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				enrollment, err := app.FindFirstRecordByData(collections.Enrollments, "student", testkit.IdOtherStudent)
				if err != nil {
					t.Fatal(err)
				}
				confirmed := expectNotified(t, app, testkit.IdOtherStudent, collections.TypeEnrollmentConfirmed, collections.PriorityHigh, enrollment.Id)
				if confirmed.GetString("category") != collections.CategoryCourse || !strings.Contains(confirmed.GetString("title"), "Algebra I") {
					t.Errorf("enrollment_confirmed %v", confirmed.PublicExport())
				}
				expectNotified(t, app, testkit.IdInstructor, collections.TypeNewEnrollment, collections.PriorityNormal, enrollment.Id)
				expectNotNotified(t, app, collections.TypeNewEnrollment, enrollment.Id, testkit.IdOtherInstructor, testkit.IdOtherStudent, testkit.IdStudent)
				expectNotNotified(t, app, collections.TypeEnrollmentConfirmed, enrollment.Id, testkit.IdInstructor, testkit.IdStudent)
			},
		},
		{
			Name:            "publishing a lesson tells the enrolled students, once",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Lessons, testkit.IdDraftLesson),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"published":true}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"published":true`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, testkit.IdStudent, collections.TypeNewLesson, collections.PriorityNormal, testkit.IdDraftLesson)
				if n.GetString("actionUrl") != "/courses/"+testkit.IdCourse+"/lessons/"+testkit.IdDraftLesson {
					t.Errorf("actionUrl %q", n.GetString("actionUrl"))
				}
				expectNotNotified(t, app, collections.TypeNewLesson, testkit.IdDraftLesson, testkit.IdDroppedStudent, testkit.IdOtherStudent, testkit.IdInstructor)

				// unpublished and published again (a double click, a dashboard
				// toggle): still one
				lesson, _ := app.FindRecordById(collections.Lessons, testkit.IdDraftLesson)
				for _, published := range []bool{false, true} {
					lesson.Set("published", published)
					if err := app.Save(lesson); err != nil {
						t.Fatal(err)
					}
				}
				expectNotified(t, app, testkit.IdStudent, collections.TypeNewLesson, collections.PriorityNormal, testkit.IdDraftLesson)
			},
		},
		{
			Name:    "publishing a course tells its instructor and the students already enrolled",
			Method:  http.MethodPatch,
			URL:     testkit.RecordsURL(collections.Courses, testkit.IdDraftCourse),
			Headers: testkit.AuthHeader(testkit.Instructor),
			Body:    strings.NewReader(`{"published":true}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				// enrolled from the dashboard while the course was a draft
				if _, err := testkit.SaveRecord(app, collections.Enrollments, "enrdraftcourse1",
					map[string]any{"course": testkit.IdDraftCourse, "student": testkit.IdStudent}); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"published":true`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotified(t, app, testkit.IdInstructor, collections.TypeCoursePublished, collections.PriorityNormal, testkit.IdDraftCourse)
				expectNotified(t, app, testkit.IdStudent, collections.TypeCoursePublished, collections.PriorityNormal, testkit.IdDraftCourse)
				expectNotNotified(t, app, collections.TypeCoursePublished, testkit.IdDraftCourse, testkit.IdOtherStudent, testkit.IdDroppedStudent, testkit.IdOtherInstructor)
			},
		},
		{
			Name:            "saving a lesson of a draft course tells nobody",
			Method:          http.MethodPost,
			URL:             testkit.RecordsURL(collections.Lessons),
			Headers:         testkit.AuthHeader(testkit.Instructor),
			Body:            strings.NewReader(`{"course":"` + testkit.IdDraftCourse + `","title":"Angles","published":true}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"title":"Angles"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := testkit.CountRecords(t, app, collections.Notifications, "type = 'new_lesson' && data.courseId = '"+testkit.IdDraftCourse+"'"); n != 0 {
					t.Errorf("%d new_lesson notifications for a draft course", n)
				}
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = appFactory
		s.Test(t)
	}
}
