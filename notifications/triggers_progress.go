package notifications

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/records"
)

// The notices of progress: video_completed, lesson_completed, the
// instructor's course_progress_milestone, course_completed, and the minute
// job of weekly_progress_summary.

func notifyProgress(app core.App, progress, before *core.Record) error {
	video := stamped(progress, before, collections.ProgressVideoCompletedAt)
	completed := stamped(progress, before, collections.ProgressCompletedAt)
	if !video && !completed {
		return nil // most saves of progress: nothing to tell, no lesson to read
	}
	lesson, err := app.FindRecordById(collections.Lessons, progress.GetString(collections.ProgressLesson))
	if err != nil {
		return err
	}
	studentId := progress.GetString(collections.ProgressStudent)
	courseId := lesson.GetString(collections.LessonCourse)
	lessonTitle := lesson.GetString(collections.LessonTitle)
	data := map[string]any{"courseId": courseId, "lessonId": lesson.Id}

	if video {
		err := send(app, Notification{
			Type:              collections.TypeVideoCompleted,
			Recipients:        []string{studentId},
			Title:             "Video finished: " + lessonTitle,
			Message:           "You watched the whole video of " + lessonTitle + ".",
			Data:              data,
			ActionURL:         "/courses/" + courseId + "/lessons/" + lesson.Id,
			DedupeKey:         Key(collections.TypeVideoCompleted, lesson.Id),
			RelatedCollection: collections.Lessons,
			RelatedId:         lesson.Id,
		})
		if err != nil {
			return err
		}
	}
	if !completed {
		return nil
	}
	err = send(app, Notification{
		Type:              collections.TypeLessonCompleted,
		Recipients:        []string{studentId},
		Title:             "Lesson completed: " + lessonTitle,
		Message:           "Well done! On to the next one.",
		Data:              data,
		ActionURL:         "/courses/" + courseId,
		DedupeKey:         Key(collections.TypeLessonCompleted, lesson.Id),
		RelatedCollection: collections.Lessons,
		RelatedId:         lesson.Id,
	})
	if err != nil {
		return err
	}
	return notifyCourseProgress(app, courseId, studentId)
}

// courseProgress is the share of a course's published lessons a student has
// completed, in percent (0 when the course has none).
func courseProgress(app core.App, courseId, studentId string) (int, error) {
	var counts struct {
		Total     int `db:"total"`
		Completed int `db:"completed"`
	}
	err := app.DB().NewQuery(`SELECT
			(SELECT COUNT(*) FROM ` + collections.Lessons + ` l WHERE l.course = {:course} AND l.published = TRUE) AS total,
			(SELECT COUNT(*) FROM ` + collections.LessonProgress + ` p JOIN ` + collections.Lessons + ` l ON l.id = p.lesson
				WHERE l.course = {:course} AND l.published = TRUE AND p.student = {:student} AND p.completedAt != '') AS completed`).
		Bind(dbx.Params{"course": courseId, "student": studentId}).One(&counts)
	if err != nil || counts.Total == 0 {
		return 0, err
	}
	return counts.Completed * 100 / counts.Total, nil
}

// notifyCourseProgress tells the instructor each milestone (25/50/75/100%)
// a student passes, once each, and the student and instructor when the
// course is complete.
func notifyCourseProgress(app core.App, courseId, studentId string) error {
	percent, err := courseProgress(app, courseId, studentId)
	if err != nil {
		return err
	}
	course, err := app.FindRecordById(collections.Courses, courseId)
	if err != nil {
		return err
	}
	courseTitle := course.GetString(collections.CourseTitle)
	instructorId := course.GetString(collections.CourseInstructor)
	studentName := userName(app, studentId)
	for _, milestone := range collections.CourseMilestones {
		if percent < milestone {
			break
		}
		err := send(app, Notification{
			Type:              collections.TypeCourseProgressMilestone,
			Recipients:        []string{instructorId},
			Title:             fmt.Sprintf("%s reached %d%% of %s", studentName, milestone, courseTitle),
			Message:           fmt.Sprintf("%s has completed %d%% of the lessons of %s.", studentName, milestone, courseTitle),
			Data:              map[string]any{"courseId": courseId, "studentId": studentId, "milestone": milestone},
			ActionURL:         "/courses/" + courseId + "/students/" + studentId,
			DedupeKey:         Key(collections.TypeCourseProgressMilestone, courseId, studentId, strconv.Itoa(milestone)),
			RelatedCollection: collections.Courses,
			RelatedId:         courseId,
		})
		if err != nil {
			return err
		}
	}
	if percent < 100 {
		return nil
	}
	completed := map[string]any{"courseId": courseId, "studentId": studentId}
	err = send(app, Notification{
		Type:              collections.TypeCourseCompleted,
		Recipients:        []string{studentId},
		Title:             "You completed " + courseTitle,
		Message:           "Congratulations! You have completed every lesson of " + courseTitle + ".",
		Data:              completed,
		ActionURL:         "/courses/" + courseId,
		DedupeKey:         Key(collections.TypeCourseCompleted, courseId, studentId),
		RelatedCollection: collections.Courses,
		RelatedId:         courseId,
	})
	if err != nil {
		return err
	}
	return send(app, Notification{
		Type:              collections.TypeCourseCompleted,
		Recipients:        []string{instructorId},
		Title:             studentName + " completed " + courseTitle,
		Message:           studentName + " has completed every lesson of " + courseTitle + ".",
		Data:              completed,
		ActionURL:         "/courses/" + courseId + "/students/" + studentId,
		DedupeKey:         Key(collections.TypeCourseCompleted, courseId, studentId),
		RelatedCollection: collections.Courses,
		RelatedId:         courseId,
	})
}

// weeklySummaryHour is the local hour on Monday of weekly_progress_summary;
// a summary missed at that hour (the server was down) is caught up at the
// next run within weeklySummaryCatchUp, once.
const (
	weeklySummaryHour    = 8
	weeklySummaryCatchUp = 48 * time.Hour
)

// weeklySummariesKey is where the app store keeps the summaries this
// process already sent or found sent (student id -> ISO week), so that the
// minute job asks the database again only for students still due.
const weeklySummariesKey = "studyhall.notifications.weeklySummaries"

type sentWeeks struct {
	mu   sync.Mutex
	week map[string]string
}

// SendWeeklySummaries sends weekly_progress_summary to each student with a
// current enrollment once per ISO week, due on Monday 08:00 in the
// student's zone (their preferences' zone, else their own). A run at any
// time up to weeklySummaryCatchUp after that sends what is still due, so a
// summary missed while the server was down goes out once when it is back;
// the dedupe key keeps a second run or a second process from sending it
// twice. It is a minute job.
func SendWeeklySummaries(app core.App, now time.Time) error {
	type student struct {
		Id       string `db:"id"`
		Timezone string `db:"timezone"`
	}
	var students []student
	err := app.DB().NewQuery(`SELECT DISTINCT u.id AS id,
			COALESCE(NULLIF(p.timezone, ''), u.timezone) AS timezone
		FROM ` + collections.Users + ` u
		JOIN ` + collections.Enrollments + ` e ON e.student = u.id AND e.status = {:active}
		LEFT JOIN ` + collections.NotificationPreferences + ` p ON p.user = u.id`).
		Bind(dbx.Params{"active": collections.EnrollmentActive}).All(&students)
	if err != nil {
		return fmt.Errorf("find students: %w", err)
	}
	sent := app.Store().GetOrSet(weeklySummariesKey, func() any {
		return &sentWeeks{week: map[string]string{}}
	}).(*sentWeeks)
	for _, s := range students {
		due, ok := weeklySummaryDue(now, Location(s.Timezone))
		if !ok {
			continue
		}
		year, week := due.ISOWeek()
		weekKey := fmt.Sprintf("%d-W%02d", year, week)
		sent.mu.Lock()
		done := sent.week[s.Id] == weekKey
		sent.mu.Unlock()
		if done {
			continue
		}
		if err := sendWeeklySummary(app, s.Id, due, weekKey); err != nil {
			return err
		}
		sent.mu.Lock()
		sent.week[s.Id] = weekKey
		sent.mu.Unlock()
	}
	return nil
}

// weeklySummaryDue is the Monday 08:00 in loc of the summary due at now,
// and whether it is still to be sent (at most weeklySummaryCatchUp late).
func weeklySummaryDue(now time.Time, loc *time.Location) (time.Time, bool) {
	local := now.In(loc)
	daysSinceMonday := (int(local.Weekday()) + 6) % 7
	y, m, d := local.AddDate(0, 0, -daysSinceMonday).Date()
	due := time.Date(y, m, d, weeklySummaryHour, 0, 0, 0, loc)
	if local.Before(due) {
		due = due.AddDate(0, 0, -7)
	}
	return due, now.Sub(due) < weeklySummaryCatchUp
}

// sendWeeklySummary tells a student what they completed in the seven days
// before due, the week's summary time.
func sendWeeklySummary(app core.App, studentId string, due time.Time, weekKey string) error {
	since := records.FormatTime(due.Add(-7 * 24 * time.Hour))
	var completed int
	err := app.DB().Select("COUNT(*)").From(collections.LessonProgress).
		Where(dbx.HashExp{collections.ProgressStudent: studentId}).
		AndWhere(dbx.NewExp("[[completedAt]] >= {:since} AND [[completedAt]] < {:due}",
			dbx.Params{"since": since, "due": records.FormatTime(due)})).
		Row(&completed)
	if err != nil {
		return err
	}
	message := "No lessons completed this week. A few minutes today keeps you on track."
	switch completed {
	case 0:
	case 1:
		message = "You completed 1 lesson this week. Keep going!"
	default:
		message = fmt.Sprintf("You completed %d lessons this week. Keep going!", completed)
	}
	return send(app, Notification{
		Type:       collections.TypeWeeklyProgressSummary,
		Recipients: []string{studentId},
		Title:      "Your week in studyhall",
		Message:    message,
		Data:       map[string]any{"week": weekKey, "lessonsCompleted": completed},
		ActionURL:  "/courses",
		ActionText: "See your courses",
		DedupeKey:  Key(collections.TypeWeeklyProgressSummary, weekKey),
	})
}
