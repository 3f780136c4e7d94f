// Package lms is the learning platform's core records: accounts, courses,
// enrollments, lessons and progress, assessments and submissions, payments.
// Their notifications are the notifications package's triggers.
package lms

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// Register keeps the LMS core consistent: accounts, who may teach a
// course, the server-kept times of progress, submissions and grades, and
// payment receipts.
func Register(app core.App) {
	bindUsers(app)
	bindCourses(app)
	bindEnrollments(app)
	bindLessonProgress(app)
	bindSubmissions(app)
	bindPayments(app)
}

func bindCourses(app core.App) {
	app.OnRecordValidate(collections.Courses).BindFunc(func(e *core.RecordEvent) error {
		instructorId := e.Record.GetString(collections.CourseInstructor)
		if instructorId != "" {
			instructor, err := e.App.FindRecordById(collections.Users, instructorId)
			if err == nil && instructor.GetString(collections.UserRole) != collections.RoleInstructor {
				return validation.Errors{collections.CourseInstructor: validation.NewError(
					"validation_not_instructor", "Only a user with the instructor role can teach a course.")}
			}
		}
		return e.Next()
	})
}

func bindEnrollments(app core.App) {
	app.OnRecordCreate(collections.Enrollments).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.EnrollmentStatus) == "" {
			e.Record.Set(collections.EnrollmentStatus, collections.EnrollmentActive)
		}
		return e.Next()
	})
}

func bindLessonProgress(app core.App) {
	// the progress row names its course, so that course progress is one
	// indexed query
	setCourse := func(e *core.RecordEvent) error {
		lesson, err := e.App.FindRecordById(collections.Lessons, e.Record.GetString(collections.ProgressLesson))
		if err == nil {
			e.Record.Set(collections.ProgressCourse, lesson.GetString(collections.LessonCourse))
		}
		return e.Next()
	}
	app.OnRecordCreate(collections.LessonProgress).BindFunc(setCourse)
	app.OnRecordUpdate(collections.LessonProgress).BindFunc(setCourse)

	// a student marks a lesson or its video complete; the time is the
	// server's and, once set, stays
	stamp := func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() {
			keepFirstStamp(e.Record, collections.ProgressCompletedAt)
			keepFirstStamp(e.Record, collections.ProgressVideoCompletedAt)
		}
		return e.Next()
	}
	app.OnRecordCreateRequest(collections.LessonProgress).BindFunc(stamp)
	app.OnRecordUpdateRequest(collections.LessonProgress).BindFunc(stamp)
}

// keepFirstStamp makes a date field a one-way switch set by the server: a
// client that sets it gets the server's current time, and a value once set
// is never moved or cleared by a client.
func keepFirstStamp(record *core.Record, field string) {
	var original types.DateTime
	if !record.IsNew() {
		original = record.Original().GetDateTime(field)
	}
	switch {
	case !original.IsZero():
		record.Set(field, original)
	case !record.GetDateTime(field).IsZero():
		record.Set(field, types.NowDateTime())
	}
}

func bindSubmissions(app core.App) {
	// submittedAt is the server's time of the latest submitted content and
	// gradedAt that of the latest score; a score of 0 is a grade too, so
	// what counts is that the request sets the field, not that it changed
	app.OnRecordCreateRequest(collections.Submissions).BindFunc(func(e *core.RecordRequestEvent) error {
		if !e.HasSuperuserAuth() || e.Record.GetDateTime(collections.SubmissionSubmittedAt).IsZero() {
			e.Record.Set(collections.SubmissionSubmittedAt, types.NowDateTime())
		}
		return stampSubmission(e)
	})
	app.OnRecordUpdateRequest(collections.Submissions).BindFunc(stampSubmission)
	// a score set by code (a webhook, a job) is a grade as well
	app.OnRecordUpdate(collections.Submissions).BindFunc(func(e *core.RecordEvent) error {
		original := e.Record.Original()
		if e.Record.Get(collections.SubmissionScore) != original.Get(collections.SubmissionScore) &&
			e.Record.GetDateTime(collections.SubmissionGradedAt).Equal(original.GetDateTime(collections.SubmissionGradedAt)) {
			e.Record.Set(collections.SubmissionGradedAt, types.NowDateTime())
		}
		return e.Next()
	})

	app.OnRecordValidate(collections.Submissions).BindFunc(func(e *core.RecordEvent) error {
		assessment, err := e.App.FindRecordById(collections.Assessments, e.Record.GetString(collections.SubmissionAssessment))
		if err == nil {
			maxScore := assessment.GetFloat(collections.AssessmentMaxScore)
			if maxScore > 0 && e.Record.GetFloat(collections.SubmissionScore) > maxScore {
				return validation.Errors{collections.SubmissionScore: validation.NewError(
					"validation_max_score", fmt.Sprintf("Must be no more than the assessment's maximum score of %g.", maxScore))}
			}
		}
		return e.Next()
	})
}

func bindPayments(app core.App) {
	app.OnRecordCreate(collections.Payments).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.PaymentReceiptNumber) == "" {
			e.Record.Set(collections.PaymentReceiptNumber, newReceiptNumber(time.Now()))
		}
		return e.Next()
	})
	app.OnRecordValidate(collections.Payments).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.IsNew() && e.Record.GetString(collections.PaymentUser) == "" {
			return validation.Errors{collections.PaymentUser: validation.NewError(
				"validation_required", "Cannot be blank.")}
		}
		return e.Next()
	})
}

// newReceiptNumber is a human-readable, unguessable receipt number such as
// R-20261125-7KQ2M9XD.
func newReceiptNumber(now time.Time) string {
	const alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	var b strings.Builder
	b.WriteString("R-")
	b.WriteString(now.UTC().Format("20060102"))
	b.WriteByte('-')
	random := make([]byte, 8)
	rand.Read(random)
	for _, r := range random {
		b.WriteByte(alphabet[int(r)%len(alphabet)])
	}
	return b.String()
}

// stampSubmission sets gradedAt when a request sets a score and, on update,
// submittedAt when it sets new content.
func stampSubmission(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	if _, scored := info.Body[collections.SubmissionScore]; scored {
		e.Record.Set(collections.SubmissionGradedAt, types.NowDateTime())
	}
	if _, resubmitted := info.Body[collections.SubmissionContent]; resubmitted && !e.Record.IsNew() {
		e.Record.Set(collections.SubmissionSubmittedAt, types.NowDateTime())
	}
	return e.Next()
}
