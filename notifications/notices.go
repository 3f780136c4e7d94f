package notifications

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/records"
)

// bindNotices fires the notices of the LMS core (courses, assessments,
// progress, the system) from model hooks, so that API calls, dashboard
// edits and code all count. Each fires inside the transaction that saves
// its cause (records.InTransaction): the cause and its notifications commit
// together, and a retried or repeated save yields one notification per
// dedupe key. The notices of each area are in triggers_<area>.go; the
// minute jobs (assessment_due_soon, the weekly summary) are bound in
// jobs.go.
func bindNotices(app core.App) {
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
		before := e.Record.Original().GetString(passwordHashField)
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return notifyPasswordChanged(txApp, e.Record, before)
		})
	})

	// account_deleted is recorded before the user row goes, in the same
	// transaction
	app.OnRecordDeleteExecute(collections.Users).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			return notifyAccountDeleted(txApp, e.Record)
		}, nil)
	})
}

// send is Send for the notices, which need only its error.
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

// userName is a user's display name, or "A student" when unknown.
func userName(app core.App, userId string) string {
	user, err := app.FindRecordById(collections.Users, userId)
	if err != nil || user.GetString(collections.UserName) == "" {
		return "A student"
	}
	return user.GetString(collections.UserName)
}
