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

// Each LMS trigger is fired the way a user (or the dashboard, or the job)
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

func TestTriggersProgress(t *testing.T) {
	t.Parallel()

	now := types.NowDateTime().String()
	scenarios := []tests.ApiScenario{
		{
			Name:            "finishing a lesson and its video tells the student, and the instructor the 25% and 50% milestones",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.LessonProgress, testkit.IdProgress),
			Headers:         testkit.AuthHeader(testkit.Student),
			Body:            strings.NewReader(`{"completedAt":"` + now + `","videoCompletedAt":"` + now + `"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"completedAt":"2`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotified(t, app, testkit.IdStudent, collections.TypeLessonCompleted, collections.PriorityNormal, testkit.IdLesson)
				expectNotified(t, app, testkit.IdStudent, collections.TypeVideoCompleted, collections.PriorityLow, testkit.IdLesson)
				milestones := notificationsOf(t, app, testkit.IdInstructor, collections.TypeCourseProgressMilestone, testkit.IdCourse)
				if len(milestones) != 2 || milestones[0].GetString("priority") != "low" {
					t.Fatalf("%d milestones, want 25 and 50", len(milestones))
				}
				expectNotNotified(t, app, collections.TypeCourseProgressMilestone, testkit.IdCourse, testkit.IdStudent, testkit.IdOtherInstructor)
				expectNotNotified(t, app, collections.TypeCourseCompleted, testkit.IdCourse, testkit.IdStudent, testkit.IdInstructor)
				expectNotNotified(t, app, collections.TypeLessonCompleted, testkit.IdLesson, testkit.IdInstructor, testkit.IdOtherStudent)
			},
		},
		{
			Name:    "completing the last lesson completes the course, for the student and the instructor",
			Method:  http.MethodPost,
			URL:     testkit.RecordsURL(collections.LessonProgress),
			Headers: testkit.AuthHeader(testkit.Student),
			Body:    strings.NewReader(`{"lesson":"` + testkit.IdLesson3 + `","student":"` + testkit.IdStudent + `","completedAt":"` + now + `"}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				progress, _ := app.FindRecordById(collections.LessonProgress, testkit.IdProgress)
				progress.Set("completedAt", types.NowDateTime())
				if err := app.Save(progress); err != nil {
					t.Fatal(err)
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"lesson":"` + testkit.IdLesson3 + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotified(t, app, testkit.IdStudent, collections.TypeCourseCompleted, collections.PriorityHigh, testkit.IdCourse)
				expectNotified(t, app, testkit.IdInstructor, collections.TypeCourseCompleted, collections.PriorityHigh, testkit.IdCourse)
				milestones := notificationsOf(t, app, testkit.IdInstructor, collections.TypeCourseProgressMilestone, testkit.IdCourse)
				if len(milestones) != 4 {
					t.Fatalf("%d milestones, want 25, 50, 75 and 100, once each", len(milestones))
				}
				expectNotNotified(t, app, collections.TypeCourseCompleted, testkit.IdCourse, testkit.IdOtherStudent, testkit.IdOtherInstructor)
			},
		},
		{
			Name:    "the weekly summary goes out on Monday 08:00 in each student's zone, once",
			Method:  http.MethodGet,
			URL:     "/api/notifications/unread-count",
			Headers: testkit.AuthHeader(testkit.Student),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				newYork, _ := time.LoadLocation("America/New_York")
				monday := time.Date(2026, 11, 30, 8, 3, 0, 0, newYork)
				for _, at := range []time.Time{monday.Add(-time.Hour), monday, monday.Add(time.Minute), monday.Add(time.Hour)} {
					if err := notifications.SendWeeklySummaries(app, at); err != nil {
						t.Fatal(err)
					}
				}
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"count":`},
			ExpectedEvents:  map[string]int{"*": 0},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, testkit.IdStudent, collections.TypeWeeklyProgressSummary, collections.PriorityLow)
				if n.GetString("dedupeKey") != "weekly_progress_summary:2026-W49" {
					t.Errorf("dedupeKey %q", n.GetString("dedupeKey"))
				}
				expectNotNotified(t, app, collections.TypeWeeklyProgressSummary, "", testkit.IdDroppedStudent, testkit.IdOtherStudent, testkit.IdInstructor)
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
			URL:     testkit.RecordsURL(collections.Payments),
			Headers: testkit.AuthHeader(testkit.Superuser),
			Body:    strings.NewReader(`{"user":"` + testkit.IdOtherStudent + `","course":"` + testkit.IdOtherCourse + `","amount":25,"currency":"EUR","status":"succeeded"}`),
			BeforeTestFunc: func(t testing.TB, app *tests.TestApp, e *core.ServeEvent) {
				setPreferences(t, app, testkit.IdOtherStudent, map[string]any{
					"inAppEnabled": false, "emailEnabled": false,
					"categories": map[string]any{"system": map[string]any{"inApp": false, "email": false}},
				})
			},
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"succeeded"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterCreateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				payment, err := app.FindFirstRecordByData(collections.Payments, "user", testkit.IdOtherStudent)
				if err != nil {
					t.Fatal(err)
				}
				n := expectNotified(t, app, testkit.IdOtherStudent, collections.TypePaymentReceipt, collections.PriorityHigh, payment.Id)
				if n.GetString("emailMode") != collections.EmailModeImmediate || !strings.Contains(n.GetString("title"), "25.00 EUR") {
					t.Errorf("receipt %v", n.PublicExport())
				}
				expectNotNotified(t, app, collections.TypePaymentReceipt, payment.Id, testkit.IdOtherInstructor, testkit.IdStudent)
			},
		},
		{
			Name:            "a refund is confirmed to the payer",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Payments, testkit.IdPayment),
			Headers:         testkit.AuthHeader(testkit.Superuser),
			Body:            strings.NewReader(`{"status":"refunded"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"status":"refunded"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotified(t, app, testkit.IdStudent, collections.TypeRefundConfirmation, collections.PriorityHigh, testkit.IdPayment)
				expectNotNotified(t, app, collections.TypeRefundConfirmation, testkit.IdPayment, testkit.IdInstructor)
			},
		},
		{
			Name:            "a password change tells the user, urgently",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Users, testkit.IdOtherStudent),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			Body:            strings.NewReader(`{"oldPassword":"password123","password":"new-password-456","passwordConfirm":"new-password-456"}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"id":"` + testkit.IdOtherStudent + `"`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				n := expectNotified(t, app, testkit.IdOtherStudent, collections.TypePasswordChanged, collections.PriorityUrgent)
				if n.GetString("emailMode") != collections.EmailModeImmediate {
					t.Errorf("emailMode %q", n.GetString("emailMode"))
				}
				expectNotNotified(t, app, collections.TypePasswordChanged, "", testkit.IdStudent)
			},
		},
		{
			Name:            "a profile edit is not a password change",
			Method:          http.MethodPatch,
			URL:             testkit.RecordsURL(collections.Users, testkit.IdOtherStudent),
			Headers:         testkit.AuthHeader(testkit.OtherStudent),
			Body:            strings.NewReader(`{"name":"Olive O."}`),
			ExpectedStatus:  200,
			ExpectedContent: []string{`"name":"Olive O."`},
			ExpectedEvents:  map[string]int{"OnRecordAfterUpdateSuccess": 1},
			AfterTestFunc: func(t testing.TB, app *tests.TestApp, res *http.Response) {
				expectNotNotified(t, app, collections.TypePasswordChanged, "", testkit.IdOtherStudent)
			},
		},
		{
			Name:           "deleting an account leaves an email-only notice with the address",
			Method:         http.MethodDelete,
			URL:            testkit.RecordsURL(collections.Users, testkit.IdOtherStudent),
			Headers:        testkit.AuthHeader(testkit.OtherStudent),
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
				if n := testkit.CountRecords(t, app, collections.Notifications, "type = 'account_deleted'"); n != 0 {
					t.Errorf("%d in-app account_deleted notifications", n)
				}
				for _, c := range []string{collections.Notifications, collections.NotificationPreferences} {
					if n := testkit.CountRecords(t, app, c, "user = '"+testkit.IdOtherStudent+"'"); n != 0 {
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
