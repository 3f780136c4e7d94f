package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// The small LMS core that the notification triggers stand on: courses,
// enrollments, lessons, lesson progress, assessments, submissions and
// payments.
//
// Who sees what:
//   - published courses are a public catalogue; an instructor also sees
//     their own drafts;
//   - students see their own enrollments, progress, submissions and
//     payments; instructors see those of their own courses;
//   - lessons and assessments are seen by the course's instructor and, once
//     both they and the course are published, by students enrolled in it
//     (a dropped enrollment no longer counts);
//   - payments are written by superusers (or a payment webhook) only.
//
// Server-kept fields (submittedAt, gradedAt, completion times, the progress
// row's course) are set by hooks; the rules below keep students from
// writing grades and instructors from rewriting a student's work.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}

		// --- courses
		courses := core.NewBaseCollection(collections.Courses)
		courses.ListRule = rule("published = true || instructor = @request.auth.id")
		courses.ViewRule = rule("published = true || instructor = @request.auth.id")
		courses.CreateRule = rule("@request.auth.role = 'instructor' && instructor = @request.auth.id")
		courses.UpdateRule = rule("instructor = @request.auth.id && (@request.body.instructor:isset = false || @request.body.instructor = @request.auth.id)")
		courses.DeleteRule = rule("instructor = @request.auth.id")
		courses.Fields.Add(
			&core.TextField{Name: collections.CourseTitle, Required: true, Max: collections.MaxTitleLength, Presentable: true},
			&core.TextField{Name: collections.CourseDescription, Max: collections.MaxDescriptionLength},
			relation(collections.CourseInstructor, users.Id, true, true),
			&core.BoolField{Name: collections.CoursePublished},
		)
		addTimestamps(courses)
		courses.AddIndex("idx_courses_instructor", false, "instructor", "")
		if err := app.Save(courses); err != nil {
			return err
		}

		// --- enrollments
		enrollments := core.NewBaseCollection(collections.Enrollments)
		enrollments.ListRule = rule("student = @request.auth.id || course.instructor = @request.auth.id")
		enrollments.ViewRule = rule("student = @request.auth.id || course.instructor = @request.auth.id")
		enrollments.CreateRule = rule("@request.auth.id != '' && student = @request.auth.id && course.published = true && course.instructor != @request.auth.id && (@request.body.status:isset = false || @request.body.status = 'active')")
		enrollments.UpdateRule = rule("@request.body.course:isset = false && @request.body.student:isset = false && (course.instructor = @request.auth.id || (student = @request.auth.id && status != 'completed' && (@request.body.status:isset = false || @request.body.status = 'active' || @request.body.status = 'dropped')))")
		enrollments.DeleteRule = superusersOnly
		enrollments.Fields.Add(
			relation(collections.EnrollmentCourse, courses.Id, true, true),
			relation(collections.EnrollmentStudent, users.Id, true, true),
			&core.SelectField{Name: collections.EnrollmentStatus, Values: collections.EnrollmentStatuses, MaxSelect: 1},
		)
		addTimestamps(enrollments)
		enrollments.AddIndex("idx_enrollments_course_student", true, "course, student", "")
		enrollments.AddIndex("idx_enrollments_student", false, "student", "")
		if err := app.Save(enrollments); err != nil {
			return err
		}

		// --- lessons
		lessons := core.NewBaseCollection(collections.Lessons)
		lessonsRead := "course.instructor = @request.auth.id || (published = true && course.published = true && " + enrolledIn("course") + ")"
		lessons.ListRule = rule(lessonsRead)
		lessons.ViewRule = rule(lessonsRead)
		lessons.CreateRule = rule("course.instructor = @request.auth.id")
		lessons.UpdateRule = rule("course.instructor = @request.auth.id && @request.body.course:isset = false")
		lessons.DeleteRule = rule("course.instructor = @request.auth.id")
		lessons.Fields.Add(
			relation(collections.LessonCourse, courses.Id, true, true),
			&core.TextField{Name: collections.LessonTitle, Required: true, Max: collections.MaxTitleLength, Presentable: true},
			&core.TextField{Name: collections.LessonContent, Max: collections.MaxContentLength},
			&core.NumberField{Name: collections.LessonOrder, OnlyInt: true, Min: types.Pointer(0.0)},
			&core.BoolField{Name: collections.LessonPublished},
			&core.BoolField{Name: collections.LessonHasVideo},
		)
		addTimestamps(lessons)
		lessons.AddIndex("idx_lessons_course_order", false, "course, `order`", "")
		if err := app.Save(lessons); err != nil {
			return err
		}

		// --- lesson_progress
		progress := core.NewBaseCollection(collections.LessonProgress)
		progressRead := "student = @request.auth.id || lesson.course.instructor = @request.auth.id"
		progress.ListRule = rule(progressRead)
		progress.ViewRule = rule(progressRead)
		progress.CreateRule = rule("student = @request.auth.id && lesson.published = true && " + enrolledIn("lesson.course"))
		progress.UpdateRule = rule("student = @request.auth.id && @request.body.lesson:isset = false && @request.body.student:isset = false && @request.body.course:isset = false")
		progress.DeleteRule = superusersOnly
		progress.Fields.Add(
			relation(collections.ProgressLesson, lessons.Id, true, true),
			relation(collections.ProgressStudent, users.Id, true, true),
			relation(collections.ProgressCourse, courses.Id, false, true),
			&core.DateField{Name: collections.ProgressVideoCompletedAt},
			&core.DateField{Name: collections.ProgressCompletedAt},
		)
		addTimestamps(progress)
		progress.AddIndex("idx_lesson_progress_lesson_student", true, "lesson, student", "")
		progress.AddIndex("idx_lesson_progress_course_student", false, "course, student", "")
		if err := app.Save(progress); err != nil {
			return err
		}

		// --- assessments
		assessments := core.NewBaseCollection(collections.Assessments)
		assessmentsRead := "course.instructor = @request.auth.id || (published = true && course.published = true && " + enrolledIn("course") + ")"
		assessments.ListRule = rule(assessmentsRead)
		assessments.ViewRule = rule(assessmentsRead)
		assessments.CreateRule = rule("course.instructor = @request.auth.id")
		assessments.UpdateRule = rule("course.instructor = @request.auth.id && @request.body.course:isset = false")
		assessments.DeleteRule = rule("course.instructor = @request.auth.id")
		assessments.Fields.Add(
			relation(collections.AssessmentCourse, courses.Id, true, true),
			&core.TextField{Name: collections.AssessmentTitle, Required: true, Max: collections.MaxTitleLength, Presentable: true},
			&core.TextField{Name: collections.AssessmentDescription, Max: collections.MaxDescriptionLength},
			&core.DateField{Name: collections.AssessmentDueAt},
			&core.BoolField{Name: collections.AssessmentPublished},
			&core.NumberField{Name: collections.AssessmentMaxScore, Min: types.Pointer(0.0)},
		)
		addTimestamps(assessments)
		assessments.AddIndex("idx_assessments_course", false, "course", "")
		assessments.AddIndex("idx_assessments_due", false, "dueAt", "")
		if err := app.Save(assessments); err != nil {
			return err
		}

		// --- submissions
		submissions := core.NewBaseCollection(collections.Submissions)
		submissionsRead := "student = @request.auth.id || assessment.course.instructor = @request.auth.id"
		gradeUntouched := "@request.body.score:isset = false && @request.body.gradedAt:isset = false && @request.body.feedback:isset = false"
		submissions.ListRule = rule(submissionsRead)
		submissions.ViewRule = rule(submissionsRead)
		submissions.CreateRule = rule("student = @request.auth.id && assessment.published = true && " + enrolledIn("assessment.course") + " && " + gradeUntouched)
		submissions.UpdateRule = rule("@request.body.assessment:isset = false && @request.body.student:isset = false && @request.body.submittedAt:isset = false && (" +
			"(student = @request.auth.id && gradedAt = '' && " + gradeUntouched + ") || " +
			"(assessment.course.instructor = @request.auth.id && @request.body.content:isset = false))")
		submissions.DeleteRule = superusersOnly
		submissions.Fields.Add(
			relation(collections.SubmissionAssessment, assessments.Id, true, true),
			relation(collections.SubmissionStudent, users.Id, true, true),
			&core.TextField{Name: collections.SubmissionContent, Max: collections.MaxContentLength},
			&core.DateField{Name: collections.SubmissionSubmittedAt},
			&core.NumberField{Name: collections.SubmissionScore, Min: types.Pointer(0.0)},
			&core.DateField{Name: collections.SubmissionGradedAt},
			&core.TextField{Name: collections.SubmissionFeedback, Max: collections.MaxFeedbackLength},
		)
		addTimestamps(submissions)
		submissions.AddIndex("idx_submissions_assessment_student", true, "assessment, student", "")
		submissions.AddIndex("idx_submissions_student", false, "student", "")
		if err := app.Save(submissions); err != nil {
			return err
		}

		// --- payments: kept when a user or course is deleted (accounting),
		// with the relation emptied
		payments := core.NewBaseCollection(collections.Payments)
		paymentsRead := "user = @request.auth.id || course.instructor = @request.auth.id"
		payments.ListRule = rule(paymentsRead)
		payments.ViewRule = rule(paymentsRead)
		payments.CreateRule = superusersOnly
		payments.UpdateRule = superusersOnly
		payments.DeleteRule = superusersOnly
		payments.Fields.Add(
			relation(collections.PaymentUser, users.Id, false, false),
			relation(collections.PaymentCourse, courses.Id, false, false),
			&core.NumberField{Name: collections.PaymentAmount, Required: true, Min: types.Pointer(0.01)},
			&core.TextField{Name: collections.PaymentCurrency, Required: true, Pattern: `^[A-Z]{3}$`},
			&core.SelectField{Name: collections.PaymentStatus, Required: true, Values: collections.PaymentStatuses, MaxSelect: 1},
			&core.TextField{Name: collections.PaymentReceiptNumber, Max: 64},
		)
		addTimestamps(payments)
		payments.AddIndex("idx_payments_user", false, "user", "")
		payments.AddIndex("idx_payments_receipt", true, "receiptNumber", "receiptNumber != ''")
		return app.Save(payments)
	}, func(app core.App) error {
		return deleteCollections(app,
			collections.Payments,
			collections.Submissions,
			collections.Assessments,
			collections.LessonProgress,
			collections.Lessons,
			collections.Enrollments,
			collections.Courses,
		)
	})
}
