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

// TestWeeklySummaryCatchUp: a summary missed at Monday 08:00 (the server
// was down) goes out once at the next run, also after a restart, and not
// once it is more than two days late.
func TestWeeklySummaryCatchUp(t *testing.T) {
	t.Parallel()
	newYork, _ := time.LoadLocation("America/New_York")
	monday := time.Date(2026, 11, 30, 8, 0, 0, 0, newYork)
	run := func(app core.App, at time.Time) {
		t.Helper()
		if err := notifications.SendWeeklySummaries(app, at); err != nil {
			t.Fatal(err)
		}
	}

	app := testkit.NewTestApp(t)
	defer app.Cleanup()
	run(app, monday.Add(-time.Hour)) // the last run before the outage
	if n := len(notificationsOf(t, app, testkit.IdStudent, collections.TypeWeeklyProgressSummary)); n != 0 {
		t.Fatalf("%d summaries before Monday 08:00", n)
	}
	back := monday.Add(5 * time.Hour) // back at 13:00
	run(app, back)
	run(app, back.Add(time.Minute))
	// a restart forgets what this process sent: the dedupe key still holds
	app.Store().Remove("studyhall.notifications.weeklySummaries")
	run(app, back.Add(2*time.Minute))
	n := expectNotified(t, app, testkit.IdStudent, collections.TypeWeeklyProgressSummary, collections.PriorityLow)
	if n.GetString("dedupeKey") != "weekly_progress_summary:2026-W49" {
		t.Errorf("dedupeKey %q", n.GetString("dedupeKey"))
	}

	late := testkit.NewTestApp(t)
	defer late.Cleanup()
	run(late, monday.Add(49*time.Hour)) // back on Wednesday 09:00
	if n := len(notificationsOf(t, late, testkit.IdStudent, collections.TypeWeeklyProgressSummary)); n != 0 {
		t.Fatalf("%d summaries more than two days late", n)
	}
}
