package notifications

import (
	"fmt"
	"strconv"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/records"
)

// bindNotificationTriggers fires the LMS-core notification types from model
// hooks, so that API calls, dashboard edits and code all count. Each fires
// inside the transaction that saves its cause (inTransaction): the cause
// and its notifications commit together, and a retried or repeated save
// yields one notification per dedupe key.
func bindNotificationTriggers(app core.App) {
	app.OnRecordCreateExecute(collections.Enrollments).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error { return notifyEnrollment(txApp, e.Record) })
	})

	onSave := func(collection string, fire func(txApp core.App, record, before *core.Record) error) {
		handler := func(e *core.RecordEvent) error {
			var before *core.Record
			if !e.Record.IsNew() {
				before = e.Record.Original()
			}
			return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error { return fire(txApp, e.Record, before) })
		}
		app.OnRecordCreateExecute(collection).BindFunc(handler)
		app.OnRecordUpdateExecute(collection).BindFunc(handler)
	}
	onSave(collections.Courses, notifyCoursePublished)
	onSave(collections.Lessons, notifyNewLesson)
	onSave(collections.Assessments, notifyAssessmentCreated)
	onSave(collections.LessonProgress, notifyProgress)
	onSave(collections.Submissions, notifySubmission)
	onSave(collections.Payments, notifyPayment)

	app.OnRecordUpdateExecute(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		before := e.Record.Original().GetString("password:hash")
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			if e.Record.GetString("password:hash") == before {
				return nil
			}
			return send(txApp, Notification{
				Type:       collections.TypePasswordChanged,
				Recipients: []string{e.Record.Id},
				Title:      "Your password was changed",
				Message:    "If this was not you, reset your password now and contact support.",
				Data:       map[string]any{"changedAt": time.Now().UTC().Format(time.RFC3339)},
			})
		})
	})

	// account_deleted is email only, recorded before the user row goes
	// (notification_emails keeps the address) in the same transaction
	app.OnRecordDeleteExecute(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			err := send(txApp, Notification{
				Type:       collections.TypeAccountDeleted,
				Recipients: []string{e.Record.Id},
				Title:      "Your studyhall account was deleted",
				Message:    "Your account and its data have been deleted. If this was not you, contact support.",
				DedupeKey:  Key(collections.TypeAccountDeleted, e.Record.Id),
			})
			if err != nil {
				return err
			}
			return dropNotificationsOf(txApp, e.Record.Id)
		}, nil)
	})

	app.Cron().MustAdd("notificationsAssessmentDueSoon", "* * * * *", func() {
		if err := SendAssessmentsDueSoon(app, time.Now()); err != nil {
			app.Logger().Error("notifications: assessment_due_soon", "error", err)
		}
	})
	app.Cron().MustAdd("notificationsWeeklySummary", "* * * * *", func() {
		if err := SendWeeklySummaries(app, time.Now()); err != nil {
			app.Logger().Error("notifications: weekly_progress_summary", "error", err)
		}
	})
}

// dropNotificationsOf removes a leaving user's preferences, inbox, held and
// pending email-only notifications in bulk (no per-row hooks or realtime
// events: their only reader is gone), and detaches the account_deleted
// row, which keeps the address for the email worker.
func dropNotificationsOf(app core.App, userId string) error {
	owned := dbx.HashExp{collections.NotificationUser: userId}
	for _, table := range []string{collections.NotificationPreferences, collections.Notifications, collections.NotificationHolds} {
		if _, err := app.DB().Delete(table, owned).Execute(); err != nil {
			return err
		}
	}
	_, err := app.DB().Delete(collections.NotificationEmails, dbx.And(owned,
		dbx.Not(dbx.HashExp{collections.NotificationType: collections.TypeAccountDeleted}))).Execute()
	if err != nil {
		return err
	}
	_, err = app.DB().Update(collections.NotificationEmails, dbx.Params{collections.NotificationUser: ""}, owned).Execute()
	return err
}

func send(app core.App, n Notification) error {
	_, err := Send(app, n)
	return err
}

// became reports whether a bool field turned on with this save.
func became(record, before *core.Record, field string) bool {
	return record.GetBool(field) && (before == nil || !before.GetBool(field))
}

// stamped reports whether a date field was set with this save.
func stamped(record, before *core.Record, field string) bool {
	return !record.GetDateTime(field).IsZero() && (before == nil || before.GetDateTime(field).IsZero())
}

// ActiveStudents lists the students with a current (not dropped)
// enrollment in a course.
func ActiveStudents(app core.App, courseId string) ([]string, error) {
	var ids []string
	err := app.DB().Select(collections.EnrollmentStudent).From(collections.Enrollments).
		Where(dbx.HashExp{collections.EnrollmentCourse: courseId}).
		AndWhere(dbx.Not(dbx.HashExp{collections.EnrollmentStatus: collections.EnrollmentDropped})).
		Column(&ids)
	return ids, err
}

// ---------------------------------------------------------------------
// course

func notifyEnrollment(app core.App, enrollment *core.Record) error {
	course, err := app.FindRecordById(collections.Courses, enrollment.GetString(collections.EnrollmentCourse))
	if err != nil {
		return err
	}
	studentId := enrollment.GetString(collections.EnrollmentStudent)
	title := course.GetString(collections.CourseTitle)
	data := map[string]any{"courseId": course.Id, "enrollmentId": enrollment.Id}
	err = send(app, Notification{
		Type:              collections.TypeEnrollmentConfirmed,
		Recipients:        []string{studentId},
		Title:             "You are enrolled in " + title,
		Message:           "Welcome to " + title + ". Your first lesson is waiting.",
		Data:              data,
		ActionURL:         "/courses/" + course.Id,
		ActionText:        "Open the course",
		DedupeKey:         Key(collections.TypeEnrollmentConfirmed, enrollment.Id),
		RelatedCollection: collections.Enrollments,
		RelatedId:         enrollment.Id,
	})
	if err != nil {
		return err
	}
	studentName := userName(app, studentId)
	return send(app, Notification{
		Type:              collections.TypeNewEnrollment,
		Recipients:        []string{course.GetString(collections.CourseInstructor)},
		Title:             "New student in " + title,
		Message:           studentName + " enrolled in " + title + ".",
		Data:              data,
		ActionURL:         "/courses/" + course.Id,
		DedupeKey:         Key(collections.TypeNewEnrollment, enrollment.Id),
		RelatedCollection: collections.Enrollments,
		RelatedId:         enrollment.Id,
	})
}

func notifyCoursePublished(app core.App, course, before *core.Record) error {
	if !became(course, before, collections.CoursePublished) {
		return nil
	}
	students, err := ActiveStudents(app, course.Id)
	if err != nil {
		return err
	}
	title := course.GetString(collections.CourseTitle)
	return send(app, Notification{
		Type:              collections.TypeCoursePublished,
		Recipients:        append([]string{course.GetString(collections.CourseInstructor)}, students...),
		Title:             title + " is published",
		Message:           title + " is now open to students.",
		Data:              map[string]any{"courseId": course.Id},
		ActionURL:         "/courses/" + course.Id,
		ActionText:        "Open the course",
		DedupeKey:         Key(collections.TypeCoursePublished, course.Id),
		RelatedCollection: collections.Courses,
		RelatedId:         course.Id,
	})
}

// publishedCourse is the course of a lesson or assessment when students can
// see it, or nil.
func publishedCourse(app core.App, courseId string) (*core.Record, error) {
	course, err := app.FindRecordById(collections.Courses, courseId)
	if err != nil {
		return nil, err
	}
	if !course.GetBool(collections.CoursePublished) {
		return nil, nil
	}
	return course, nil
}

func notifyNewLesson(app core.App, lesson, before *core.Record) error {
	if !became(lesson, before, collections.LessonPublished) {
		return nil
	}
	course, err := publishedCourse(app, lesson.GetString(collections.LessonCourse))
	if err != nil || course == nil {
		return err
	}
	students, err := ActiveStudents(app, course.Id)
	if err != nil {
		return err
	}
	return send(app, Notification{
		Type:              collections.TypeNewLesson,
		Recipients:        students,
		Title:             "New lesson: " + lesson.GetString(collections.LessonTitle),
		Message:           "A new lesson is available in " + course.GetString(collections.CourseTitle) + ".",
		Data:              map[string]any{"courseId": course.Id, "lessonId": lesson.Id},
		ActionURL:         "/courses/" + course.Id + "/lessons/" + lesson.Id,
		ActionText:        "Start the lesson",
		DedupeKey:         Key(collections.TypeNewLesson, lesson.Id),
		RelatedCollection: collections.Lessons,
		RelatedId:         lesson.Id,
	})
}

// ---------------------------------------------------------------------
// assessment

func notifyAssessmentCreated(app core.App, assessment, before *core.Record) error {
	if !became(assessment, before, collections.AssessmentPublished) {
		return nil
	}
	course, err := publishedCourse(app, assessment.GetString(collections.AssessmentCourse))
	if err != nil || course == nil {
		return err
	}
	students, err := ActiveStudents(app, course.Id)
	if err != nil {
		return err
	}
	data := map[string]any{"courseId": course.Id, "assessmentId": assessment.Id}
	if dueAt := assessment.GetDateTime(collections.AssessmentDueAt); !dueAt.IsZero() {
		data["dueAt"] = dueAt.String()
	}
	return send(app, Notification{
		Type:              collections.TypeAssessmentCreated,
		Recipients:        students,
		Title:             "New assessment: " + assessment.GetString(collections.AssessmentTitle),
		Message:           "A new assessment is open in " + course.GetString(collections.CourseTitle) + ".",
		Data:              data,
		ActionURL:         "/courses/" + course.Id + "/assessments/" + assessment.Id,
		ActionText:        "Open the assessment",
		DedupeKey:         Key(collections.TypeAssessmentCreated, assessment.Id),
		RelatedCollection: collections.Assessments,
		RelatedId:         assessment.Id,
	})
}

func notifySubmission(app core.App, submission, before *core.Record) error {
	assessment, err := app.FindRecordById(collections.Assessments, submission.GetString(collections.SubmissionAssessment))
	if err != nil {
		return err
	}
	course, err := app.FindRecordById(collections.Courses, assessment.GetString(collections.AssessmentCourse))
	if err != nil {
		return err
	}
	studentId := submission.GetString(collections.SubmissionStudent)
	assessmentTitle := assessment.GetString(collections.AssessmentTitle)
	data := map[string]any{"courseId": course.Id, "assessmentId": assessment.Id, "submissionId": submission.Id}

	if before == nil {
		err := send(app, Notification{
			Type:              collections.TypeAssessmentSubmitted,
			Recipients:        []string{course.GetString(collections.CourseInstructor)},
			Title:             "New submission for " + assessmentTitle,
			Message:           userName(app, studentId) + " submitted " + assessmentTitle + ".",
			Data:              data,
			ActionURL:         "/courses/" + course.Id + "/assessments/" + assessment.Id + "/submissions/" + submission.Id,
			ActionText:        "Grade it",
			DedupeKey:         Key(collections.TypeAssessmentSubmitted, submission.Id),
			RelatedCollection: collections.Submissions,
			RelatedId:         submission.Id,
		})
		if err != nil {
			return err
		}
	}

	gradedAt := submission.GetDateTime(collections.SubmissionGradedAt)
	if before == nil || gradedAt.IsZero() || gradedAt.Equal(before.GetDateTime(collections.SubmissionGradedAt)) {
		return nil
	}
	score := submission.GetFloat(collections.SubmissionScore)
	data["score"] = score
	message := fmt.Sprintf("Your score: %s", strconv.FormatFloat(score, 'f', -1, 64))
	if maxScore := assessment.GetFloat(collections.AssessmentMaxScore); maxScore > 0 {
		data["maxScore"] = maxScore
		message += " of " + strconv.FormatFloat(maxScore, 'f', -1, 64)
	}
	return send(app, Notification{
		Type:              collections.TypeAssessmentGraded,
		Recipients:        []string{studentId},
		Title:             assessmentTitle + " was graded",
		Message:           message + ".",
		Data:              data,
		ActionURL:         "/courses/" + course.Id + "/assessments/" + assessment.Id,
		ActionText:        "See the feedback",
		DedupeKey:         Key(collections.TypeAssessmentGraded, submission.Id, gradedAt.String()),
		RelatedCollection: collections.Submissions,
		RelatedId:         submission.Id,
	})
}

// dueSoonWindow is how long before dueAt assessment_due_soon fires.
const dueSoonWindow = 48 * time.Hour

// SendAssessmentsDueSoon notifies, once per assessment, each active
// student who has not submitted a published assessment of a published
// course due within 48 hours of now; it is a minute job. The notification
// expires at the due time.
func SendAssessmentsDueSoon(app core.App, now time.Time) error {
	type due struct {
		Id     string `db:"id"`
		Title  string `db:"title"`
		DueAt  string `db:"dueAt"`
		Course string `db:"course"`
	}
	var assessments []due
	err := app.DB().NewQuery(`SELECT a.id AS id, a.title AS title, a.dueAt AS dueAt, a.course AS course
		FROM ` + collections.Assessments + ` a JOIN ` + collections.Courses + ` c ON c.id = a.course
		WHERE a.published = TRUE AND c.published = TRUE AND a.dueAt > {:now} AND a.dueAt <= {:until}`).
		Bind(dbx.Params{
			"now":   records.FormatTime(now),
			"until": records.FormatTime(now.Add(dueSoonWindow)),
		}).All(&assessments)
	if err != nil {
		return fmt.Errorf("find assessments due soon: %w", err)
	}
	for _, a := range assessments {
		// those already reminded are left out here, so that the minute job
		// costs one query per due assessment once everyone has been told
		dedupeKey := Key(collections.TypeAssessmentDueSoon, a.Id)
		var students []string
		err := app.DB().NewQuery(`SELECT e.student FROM ` + collections.Enrollments + ` e
			WHERE e.course = {:course} AND e.status != {:dropped}
			AND NOT EXISTS (SELECT 1 FROM ` + collections.Submissions + ` s
				WHERE s.assessment = {:assessment} AND s.student = e.student AND s.submittedAt != '')
			AND NOT EXISTS (SELECT 1 FROM ` + collections.Notifications + ` n
				WHERE n.user = e.student AND n.dedupeKey = {:dedupeKey})
			AND NOT EXISTS (SELECT 1 FROM ` + collections.NotificationHolds + ` h
				WHERE h.user = e.student AND h.dedupeKey = {:dedupeKey})
			AND NOT EXISTS (SELECT 1 FROM ` + collections.NotificationEmails + ` m
				WHERE m.user = e.student AND m.dedupeKey = {:dedupeKey})`).
			Bind(dbx.Params{
				"course": a.Course, "dropped": collections.EnrollmentDropped,
				"assessment": a.Id, "dedupeKey": dedupeKey,
			}).
			Column(&students)
		if err != nil {
			return fmt.Errorf("find students of %s: %w", a.Id, err)
		}
		if len(students) == 0 {
			continue
		}
		dueAt, _ := time.Parse(types.DefaultDateLayout, a.DueAt)
		err = send(app, Notification{
			Type:              collections.TypeAssessmentDueSoon,
			Recipients:        students,
			Title:             a.Title + " is due soon",
			Message:           "Submit it before " + dueAt.UTC().Format("Mon 2 Jan 15:04 MST") + ".",
			Data:              map[string]any{"courseId": a.Course, "assessmentId": a.Id, "dueAt": a.DueAt},
			ActionURL:         "/courses/" + a.Course + "/assessments/" + a.Id,
			ActionText:        "Submit now",
			DedupeKey:         dedupeKey,
			RelatedCollection: collections.Assessments,
			RelatedId:         a.Id,
			ExpiresAt:         dueAt,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------------
// progress

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
// the job catches up within the first ten minutes of it.
const (
	weeklySummaryHour       = 8
	weeklySummaryCatchUpMin = 10
)

// SendWeeklySummaries sends weekly_progress_summary to each student with a
// current enrollment whose local time (their preferences' zone, else their
// own) is Monday 08:00 to 08:09 at now, once per ISO week; it is a minute
// job.
func SendWeeklySummaries(app core.App, now time.Time) error {
	// Monday 08:00 somewhere on Earth (UTC-12 to UTC+14) falls between
	// Sunday 18:00 and Monday 20:10 UTC; outside that, there is nothing to do
	sinceSunday := now.UTC().Sub(startOfWeekUTC(now)) // since Sunday 00:00 UTC
	if sinceSunday < 17*time.Hour || sinceSunday > 45*time.Hour {
		return nil
	}

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
	for _, s := range students {
		loc, err := time.LoadLocation(s.Timezone)
		if err != nil || s.Timezone == "" {
			loc = time.UTC
		}
		local := now.In(loc)
		if local.Weekday() != time.Monday || local.Hour() != weeklySummaryHour || local.Minute() >= weeklySummaryCatchUpMin {
			continue
		}
		if err := sendWeeklySummary(app, s.Id, local); err != nil {
			return err
		}
	}
	return nil
}

// startOfWeekUTC is the Sunday 00:00 UTC at or before t.
func startOfWeekUTC(t time.Time) time.Time {
	t = t.UTC()
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return day.AddDate(0, 0, -int(day.Weekday()))
}

func sendWeeklySummary(app core.App, studentId string, local time.Time) error {
	year, week := local.ISOWeek()
	since := records.FormatTime(local.Add(-7 * 24 * time.Hour))
	var completed int
	err := app.DB().Select("COUNT(*)").From(collections.LessonProgress).
		Where(dbx.HashExp{collections.ProgressStudent: studentId}).
		AndWhere(dbx.NewExp("[[completedAt]] >= {:since}", dbx.Params{"since": since})).
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
	weekKey := fmt.Sprintf("%d-W%02d", year, week)
	return send(app, Notification{
		Type:       collections.TypeWeeklyProgressSummary,
		Recipients: []string{studentId},
		Title:      "Your week in studyhall",
		Message:    message,
		Data:       map[string]any{"week": weekKey, "lessonsCompleted": completed},
		ActionURL:  "/",
		DedupeKey:  Key(collections.TypeWeeklyProgressSummary, weekKey),
	})
}

// ---------------------------------------------------------------------
// system

func notifyPayment(app core.App, payment, before *core.Record) error {
	status := payment.GetString(collections.PaymentStatus)
	if before != nil && before.GetString(collections.PaymentStatus) == status {
		return nil
	}
	userId := payment.GetString(collections.PaymentUser)
	if userId == "" {
		return nil
	}
	amount := strconv.FormatFloat(payment.GetFloat(collections.PaymentAmount), 'f', 2, 64) + " " +
		payment.GetString(collections.PaymentCurrency)
	receipt := payment.GetString(collections.PaymentReceiptNumber)
	data := map[string]any{
		"paymentId":     payment.Id,
		"courseId":      payment.GetString(collections.PaymentCourse),
		"amount":        payment.GetFloat(collections.PaymentAmount),
		"currency":      payment.GetString(collections.PaymentCurrency),
		"receiptNumber": receipt,
	}
	switch status {
	case collections.PaymentSucceeded:
		return send(app, Notification{
			Type:              collections.TypePaymentReceipt,
			Recipients:        []string{userId},
			Title:             "Payment received: " + amount,
			Message:           "Thank you for your payment. Receipt " + receipt + ".",
			Data:              data,
			ActionURL:         "/payments/" + payment.Id,
			ActionText:        "View the receipt",
			DedupeKey:         Key(collections.TypePaymentReceipt, payment.Id),
			RelatedCollection: collections.Payments,
			RelatedId:         payment.Id,
		})
	case collections.PaymentRefunded:
		return send(app, Notification{
			Type:              collections.TypeRefundConfirmation,
			Recipients:        []string{userId},
			Title:             "Refund issued: " + amount,
			Message:           "Your payment " + receipt + " was refunded.",
			Data:              data,
			ActionURL:         "/payments/" + payment.Id,
			DedupeKey:         Key(collections.TypeRefundConfirmation, payment.Id),
			RelatedCollection: collections.Payments,
			RelatedId:         payment.Id,
		})
	}
	return nil
}

// userName is a user's display name, or "A student" when unknown.
func userName(app core.App, userId string) string {
	user, err := app.FindRecordById(collections.Users, userId)
	if err != nil || user.GetString(collections.UserName) == "" {
		return "A student"
	}
	return user.GetString(collections.UserName)
}
