// Package lms is the learning platform's core records: accounts, courses,
// enrollments, lessons and progress, assessments and submissions, payments.
// Their notifications are the notifications package's triggers.
//
// register.go binds it all; users.go keeps the accounts; this file the
// course records; model.go holds their typed proxies and finders.
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
	"studyhall/records"
)

// ---------------------------------------------------------------------
// courses and enrollments

func bindCourses(app core.App) {
	app.OnRecordValidate(collections.Courses).BindFunc(func(e *core.RecordEvent) error {
		course := records.Proxy[Course](e.Record)
		if course.Instructor() != "" {
			instructor, err := FindUser(e.App, course.Instructor())
			if err == nil && !instructor.IsInstructor() {
				return validation.Errors{collections.CourseInstructor: validation.NewError(
					"validation_not_instructor", "Only a user with the instructor role can teach a course.")}
			}
		}
		return e.Next()
	})
}

func bindEnrollments(app core.App) {
	app.OnRecordCreate(collections.Enrollments).BindFunc(func(e *core.RecordEvent) error {
		enrollment := records.Proxy[Enrollment](e.Record)
		if enrollment.Status() == "" {
			enrollment.SetStatus(collections.EnrollmentActive)
		}
		return e.Next()
	})
}

// ---------------------------------------------------------------------
// lesson progress

func bindLessonProgress(app core.App) {
	// the progress row names its course, so that course progress is one
	// indexed query
	setCourse := func(e *core.RecordEvent) error {
		progress := records.Proxy[LessonProgress](e.Record)
		if lesson, err := FindLesson(e.App, progress.Lesson()); err == nil {
			progress.SetCourse(lesson.Course())
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

// ---------------------------------------------------------------------
// submissions

func bindSubmissions(app core.App) {
	// submittedAt is the server's time of the latest submitted content and
	// gradedAt that of the latest score; a score of 0 is a grade too, so
	// what counts is that the request sets the field, not that it changed
	app.OnRecordCreateRequest(collections.Submissions).BindFunc(func(e *core.RecordRequestEvent) error {
		submission := records.Proxy[Submission](e.Record)
		if !e.HasSuperuserAuth() || submission.SubmittedAt().IsZero() {
			submission.SetSubmittedAt(types.NowDateTime())
		}
		return stampSubmission(e)
	})
	app.OnRecordUpdateRequest(collections.Submissions).BindFunc(stampSubmission)
	// a score set by code (a webhook, a job) is a grade as well
	app.OnRecordUpdate(collections.Submissions).BindFunc(func(e *core.RecordEvent) error {
		submission := records.Proxy[Submission](e.Record)
		original := records.Proxy[Submission](e.Record.Original())
		if submission.Score() != original.Score() && submission.GradedAt().Equal(original.GradedAt()) {
			submission.SetGradedAt(types.NowDateTime())
		}
		return e.Next()
	})

	app.OnRecordValidate(collections.Submissions).BindFunc(func(e *core.RecordEvent) error {
		submission := records.Proxy[Submission](e.Record)
		if assessment, err := FindAssessment(e.App, submission.Assessment()); err == nil {
			maxScore := assessment.MaxScore()
			if maxScore > 0 && submission.Score() > maxScore {
				return validation.Errors{collections.SubmissionScore: validation.NewError(
					"validation_max_score", fmt.Sprintf("Must be no more than the assessment's maximum score of %g.", maxScore))}
			}
		}
		return e.Next()
	})
}

// stampSubmission sets gradedAt when a request sets a score and, on update,
// submittedAt when it sets new content.
func stampSubmission(e *core.RecordRequestEvent) error {
	info, err := e.RequestInfo()
	if err != nil {
		return err
	}
	submission := records.Proxy[Submission](e.Record)
	if _, scored := info.Body[collections.SubmissionScore]; scored {
		submission.SetGradedAt(types.NowDateTime())
	}
	if _, resubmitted := info.Body[collections.SubmissionContent]; resubmitted && !submission.IsNew() {
		submission.SetSubmittedAt(types.NowDateTime())
	}
	return e.Next()
}

// ---------------------------------------------------------------------
// payments

func bindPayments(app core.App) {
	app.OnRecordCreate(collections.Payments).BindFunc(func(e *core.RecordEvent) error {
		payment := records.Proxy[Payment](e.Record)
		if payment.ReceiptNumber() == "" {
			payment.SetReceiptNumber(newReceiptNumber(time.Now()))
		}
		return e.Next()
	})
	app.OnRecordValidate(collections.Payments).BindFunc(func(e *core.RecordEvent) error {
		if payment := records.Proxy[Payment](e.Record); payment.IsNew() && payment.User() == "" {
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
