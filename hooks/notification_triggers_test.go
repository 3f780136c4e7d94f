package hooks_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tests"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/hooks"
)

// Each LMS trigger is fired the way a user (or the dashboard, or the job)
// fires it, and the test checks who got what, with which priority, and who
// did not.

func TestTriggersCourse(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:            "enrolling confirms to the student and tells the instructor",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.Enrollments),
			Headers:         authHeader(otherStudent),
			Body:            strings.NewReader(`{"course":"` + idCourse + `","student":"` + idOtherStudent + `"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"student":"` + idOtherStudent + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				enrollment, err := app.FindFirstRecordByData(collections.Enrollments, "student", idOtherStudent)
				if err != nil {
					t.Fatal(err)
				}
				confirmed := expectNotified(t, app, idOtherStudent, collections.TypeEnrollmentConfirmed, collections.PriorityHigh, enrollment.Id)
				if confirmed.GetString("category") != collections.CategoryCourse || !strings.Contains(confirmed.GetString("title"), "Algebra I") {
					t.Errorf("enrollment_confirmed %v", confirmed.PublicExport())
				}
				expectNotified(t, app, idInstructor, collections.TypeNewEnrollment, collections.PriorityNormal, enrollment.Id)
				expectNotNotified(t, app, collections.TypeNewEnrollment, enrollment.Id, idOtherInstructor, idOtherStudent, idStudent)
				expectNotNotified(t, app, collections.TypeEnrollmentConfirmed, enrollment.Id, idInstructor, idStudent)
			},
		},
		{
			Name:            "publishing a lesson tells the enrolled students, once",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.Lessons, idDraftLesson),
			Headers:         authHeader(instructor),
			Body:            strings.NewReader(`{"published":true}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"published":true`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, idStudent, collections.TypeNewLesson, collections.PriorityNormal, idDraftLesson)
				if n.GetString("actionUrl") != "/courses/"+idCourse+"/lessons/"+idDraftLesson {
					t.Errorf("actionUrl %q", n.GetString("actionUrl"))
				}
				expectNotNotified(t, app, collections.TypeNewLesson, idDraftLesson, idDroppedStudent, idOtherStudent, idInstructor)

				// unpublished and published again (a double click, a dashboard
				// toggle): still one
				lesson, _ := app.FindRecordById(collections.Lessons, idDraftLesson)
				for _, published := range []bool{false, true} {
					lesson.Set("published", published)
					if err := app.Save(lesson); err != nil {
						t.Fatal(err)
					}
				}
				expectNotified(t, app, idStudent, collections.TypeNewLesson, collections.PriorityNormal, idDraftLesson)
			},
		},
		{
			Name:    "publishing a course tells its instructor and the students already enrolled",
			Method:  http.MethodPatch,
			URL:     recordsURL(collections.Courses, idDraftCourse),
			Headers: authHeader(instructor),
			Body:    strings.NewReader(`{"published":true}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				// enrolled from the dashboard while the course was a draft
				if _, err := saveRecord(app, collections.Enrollments, "enrdraftcourse1",
					map[string]any{"course": idDraftCourse, "student": idStudent}); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"published":true`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotified(t, app, idInstructor, collections.TypeCoursePublished, collections.PriorityNormal, idDraftCourse)
				expectNotified(t, app, idStudent, collections.TypeCoursePublished, collections.PriorityNormal, idDraftCourse)
				expectNotNotified(t, app, collections.TypeCoursePublished, idDraftCourse, idOtherStudent, idDroppedStudent, idOtherInstructor)
			},
		},
		{
			Name:            "saving a lesson of a draft course tells nobody",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.Lessons),
			Headers:         authHeader(instructor),
			Body:            strings.NewReader(`{"course":"` + idDraftCourse + `","title":"Angles","published":true}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"title":"Angles"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				if n := countRecords(t, app, collections.Notifications, "type = 'new_lesson' && data.courseId = '"+idDraftCourse+"'"); n != 0 {
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

func TestTriggersAssessment(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:            "publishing an assessment tells the enrolled students",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.Assessments, idDraftAssessment),
			Headers:         authHeader(instructor),
			Body:            strings.NewReader(`{"published":true}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"published":true`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, idStudent, collections.TypeAssessmentCreated, collections.PriorityNormal, idDraftAssessment)
				if n.GetString("category") != collections.CategoryAssessment {
					t.Errorf("category %q", n.GetString("category"))
				}
				expectNotNotified(t, app, collections.TypeAssessmentCreated, idDraftAssessment, idDroppedStudent, idOtherStudent, idInstructor)
			},
		},
		{
			Name:            "a submission tells the instructor",
			Method:          http.MethodPost,
			URL:             recordsURL(collections.Submissions),
			Headers:         authHeader(student),
			Body:            strings.NewReader(`{"assessment":"` + idAssessment3 + `","student":"` + idStudent + `","content":"42"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"content":"42"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				submission, err := app.FindFirstRecordByData(collections.Submissions, "assessment", idAssessment3)
				if err != nil {
					t.Fatal(err)
				}
				n := expectNotified(t, app, idInstructor, collections.TypeAssessmentSubmitted, collections.PriorityNormal, submission.Id)
				if !strings.Contains(n.GetString("message"), "Sam Student") {
					t.Errorf("message %q", n.GetString("message"))
				}
				expectNotNotified(t, app, collections.TypeAssessmentSubmitted, submission.Id, idOtherInstructor, idStudent)
			},
		},
		{
			Name:            "a grade tells the student",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.Submissions, idSubmission),
			Headers:         authHeader(instructor),
			Body:            strings.NewReader(`{"score":8,"feedback":"Good."}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"score":8`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, idStudent, collections.TypeAssessmentGraded, collections.PriorityHigh, idSubmission)
				if n.GetString("message") != "Your score: 8 of 10." {
					t.Errorf("message %q", n.GetString("message"))
				}
				expectNotNotified(t, app, collections.TypeAssessmentGraded, idSubmission, idInstructor, idOtherStudent)
			},
		},
		{
			Name:    "48 h before the due time, the students who have not submitted are reminded, once",
			Method:  http.MethodPatch,
			URL:     recordsURL(collections.Assessments, idAssessment3),
			Headers: authHeader(instructor),
			Body:    strings.NewReader(`{"dueAt":"` + time.Now().UTC().Add(47*time.Hour).Format(types.DefaultDateLayout) + `"}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				// the assessment the student already submitted is due soon too
				assessment, _ := app.FindRecordById(collections.Assessments, idAssessment)
				assessment.Set("dueAt", time.Now().Add(24*time.Hour))
				if err := app.Save(assessment); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + idAssessment3 + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				for range 2 { // the minute job, twice
					if err := hooks.SendAssessmentsDueSoon(app, time.Now()); err != nil {
						t.Fatal(err)
					}
				}
				n := expectNotified(t, app, idStudent, collections.TypeAssessmentDueSoon, collections.PriorityHigh, idAssessment3)
				if n.GetDateTime("expiresAt").IsZero() {
					t.Error("assessment_due_soon should expire at the due time")
				}
				expectNotNotified(t, app, collections.TypeAssessmentDueSoon, idAssessment, idStudent)
				expectNotNotified(t, app, collections.TypeAssessmentDueSoon, idAssessment3, idDroppedStudent, idOtherStudent, idInstructor)
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = appFactory
		s.Test(t)
	}
}

func TestTriggersProgress(t *testing.T) {
	t.Parallel()

	now := types.NowDateTime().String()
	scenarios := []tests.ApiScenario{
		{
			Name:            "finishing a lesson and its video tells the student, and the instructor the 25% and 50% milestones",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.LessonProgress, idProgress),
			Headers:         authHeader(student),
			Body:            strings.NewReader(`{"completedAt":"` + now + `","videoCompletedAt":"` + now + `"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"completedAt":"2`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotified(t, app, idStudent, collections.TypeLessonCompleted, collections.PriorityNormal, idLesson)
				expectNotified(t, app, idStudent, collections.TypeVideoCompleted, collections.PriorityLow, idLesson)
				milestones := notificationsOf(t, app, idInstructor, collections.TypeCourseProgressMilestone, idCourse)
				if len(milestones) != 2 || milestones[0].GetString("priority") != "low" {
					t.Fatalf("%d milestones, want 25 and 50", len(milestones))
				}
				expectNotNotified(t, app, collections.TypeCourseProgressMilestone, idCourse, idStudent, idOtherInstructor)
				expectNotNotified(t, app, collections.TypeCourseCompleted, idCourse, idStudent, idInstructor)
				expectNotNotified(t, app, collections.TypeLessonCompleted, idLesson, idInstructor, idOtherStudent)
			},
		},
		{
			Name:    "completing the last lesson completes the course, for the student and the instructor",
			Method:  http.MethodPost,
			URL:     recordsURL(collections.LessonProgress),
			Headers: authHeader(student),
			Body:    strings.NewReader(`{"lesson":"` + idLesson3 + `","student":"` + idStudent + `","completedAt":"` + now + `"}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				progress, _ := app.FindRecordById(collections.LessonProgress, idProgress)
				progress.Set("completedAt", types.NowDateTime())
				if err := app.Save(progress); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"lesson":"` + idLesson3 + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotified(t, app, idStudent, collections.TypeCourseCompleted, collections.PriorityHigh, idCourse)
				expectNotified(t, app, idInstructor, collections.TypeCourseCompleted, collections.PriorityHigh, idCourse)
				milestones := notificationsOf(t, app, idInstructor, collections.TypeCourseProgressMilestone, idCourse)
				if len(milestones) != 4 {
					t.Fatalf("%d milestones, want 25, 50, 75 and 100, once each", len(milestones))
				}
				expectNotNotified(t, app, collections.TypeCourseCompleted, idCourse, idOtherStudent, idOtherInstructor)
			},
		},
		{
			Name:    "the weekly summary goes out on Monday 08:00 in each student's zone, once",
			Method:  http.MethodGet,
			URL:     "/api/notifications/unread-count",
			Headers: authHeader(student),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				newYork, _ := time.LoadLocation("America/New_York")
				monday := time.Date(2026, 11, 30, 8, 3, 0, 0, newYork)
				for _, at := range []time.Time{monday.Add(-time.Hour), monday, monday.Add(time.Minute), monday.Add(time.Hour)} {
					if err := hooks.SendWeeklySummaries(app, at); err != nil {
						t.Fatal(err)
					}
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, idStudent, collections.TypeWeeklyProgressSummary, collections.PriorityLow)
				if n.GetString("dedupeKey") != "weekly_progress_summary:2026-W49" {
					t.Errorf("dedupeKey %q", n.GetString("dedupeKey"))
				}
				expectNotNotified(t, app, collections.TypeWeeklyProgressSummary, "", idDroppedStudent, idOtherStudent, idInstructor)
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = appFactory
		s.Test(t)
	}
}

func TestTriggersSystem(t *testing.T) {
	t.Parallel()

	scenarios := []tests.ApiScenario{
		{
			Name:    "a payment sends a receipt, even to a user who turned everything off",
			Method:  http.MethodPost,
			URL:     recordsURL(collections.Payments),
			Headers: authHeader(superuser),
			Body:    strings.NewReader(`{"user":"` + idOtherStudent + `","course":"` + idOtherCourse + `","amount":25,"currency":"EUR","status":"succeeded"}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				setPreferences(t, app, idOtherStudent, map[string]any{
					"inAppEnabled": false, "emailEnabled": false,
					"categories": map[string]any{"system": map[string]any{"inApp": false, "email": false}},
				})
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"succeeded"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				payment, err := app.FindFirstRecordByData(collections.Payments, "user", idOtherStudent)
				if err != nil {
					t.Fatal(err)
				}
				n := expectNotified(t, app, idOtherStudent, collections.TypePaymentReceipt, collections.PriorityHigh, payment.Id)
				if n.GetString("emailMode") != collections.EmailModeImmediate || !strings.Contains(n.GetString("title"), "25.00 EUR") {
					t.Errorf("receipt %v", n.PublicExport())
				}
				expectNotNotified(t, app, collections.TypePaymentReceipt, payment.Id, idOtherInstructor, idStudent)
			},
		},
		{
			Name:            "a refund is confirmed to the payer",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.Payments, idPayment),
			Headers:         authHeader(superuser),
			Body:            strings.NewReader(`{"status":"refunded"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"refunded"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotified(t, app, idStudent, collections.TypeRefundConfirmation, collections.PriorityHigh, idPayment)
				expectNotNotified(t, app, collections.TypeRefundConfirmation, idPayment, idInstructor)
			},
		},
		{
			Name:            "a password change tells the user, urgently",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.Users, idOtherStudent),
			Headers:         authHeader(otherStudent),
			Body:            strings.NewReader(`{"oldPassword":"password123","password":"new-password-456","passwordConfirm":"new-password-456"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + idOtherStudent + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, idOtherStudent, collections.TypePasswordChanged, collections.PriorityUrgent)
				if n.GetString("emailMode") != collections.EmailModeImmediate {
					t.Errorf("emailMode %q", n.GetString("emailMode"))
				}
				expectNotNotified(t, app, collections.TypePasswordChanged, "", idStudent)
			},
		},
		{
			Name:            "a profile edit is not a password change",
			Method:          http.MethodPatch,
			URL:             recordsURL(collections.Users, idOtherStudent),
			Headers:         authHeader(otherStudent),
			Body:            strings.NewReader(`{"name":"Olive O."}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"name":"Olive O."`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotNotified(t, app, collections.TypePasswordChanged, "", idOtherStudent)
			},
		},
		{
			Name:           "deleting an account leaves an email-only notice with the address",
			Method:         http.MethodDelete,
			URL:            recordsURL(collections.Users, idOtherStudent),
			Headers:        authHeader(otherStudent),
			ExpectedStatus: 204,
			ExpectedEvents: map[string]int{"OnRecordAfterDeleteSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				notices, err := app.FindAllRecords(collections.NotificationEmails)
				if err != nil {
					t.Fatal(err)
				}
				if len(notices) != 1 {
					t.Fatalf("%d email notices, want 1", len(notices))
				}
				notice := notices[0]
				if notice.GetString("email") != "olive.other@studyhall.test" || notice.GetString("type") != collections.TypeAccountDeleted ||
					notice.GetString("emailMode") != collections.EmailModeImmediate || notice.GetString("priority") != collections.PriorityUrgent ||
					notice.GetString("user") != "" {
					t.Errorf("notice %v", notice.PublicExport())
				}
				if n := countRecords(t, app, collections.Notifications, "type = 'account_deleted'"); n != 0 {
					t.Errorf("%d in-app account_deleted notifications", n)
				}
				for _, c := range []string{collections.Notifications, collections.NotificationPreferences} {
					if n := countRecords(t, app, c, "user = '"+idOtherStudent+"'"); n != 0 {
						t.Errorf("%d %s rows left", n, c)
					}
				}
			},
		},
	}
	for _, s := range scenarios {
		s.TestAppFactory = appFactory
		s.Test(t)
	}
}
