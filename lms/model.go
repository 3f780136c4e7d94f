package lms

import (
	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/records"
)

var (
	_ core.RecordProxy = (*User)(nil)
	_ core.RecordProxy = (*Course)(nil)
	_ core.RecordProxy = (*Enrollment)(nil)
	_ core.RecordProxy = (*Lesson)(nil)
	_ core.RecordProxy = (*LessonProgress)(nil)
	_ core.RecordProxy = (*Assessment)(nil)
	_ core.RecordProxy = (*Submission)(nil)
	_ core.RecordProxy = (*Payment)(nil)
)

// ---------------------------------------------------------------------
// User

// User is a record proxy of users.
type User struct {
	core.BaseRecordProxy
}

// FindUser is the user with id; its error is sql.ErrNoRows when there is
// none.
func FindUser(app core.App, id string) (*User, error) {
	return records.FindProxy[User](app, collections.Users, dbx.HashExp{collections.FieldId: id})
}

// Name is the name other users see.
func (u *User) Name() string { return u.GetString(collections.UserName) }

// Role is student or instructor (collections.Roles).
func (u *User) Role() string { return u.GetString(collections.UserRole) }

// SetRole sets the user's role; only superusers change it through the API.
func (u *User) SetRole(role string) { u.Set(collections.UserRole, role) }

// IsInstructor reports whether the user may teach a course.
func (u *User) IsInstructor() bool { return u.Role() == collections.RoleInstructor }

// Timezone is the IANA name of the user's zone.
func (u *User) Timezone() string { return u.GetString(collections.UserTimezone) }

// SetTimezone sets the IANA name of the user's zone.
func (u *User) SetTimezone(name string) { u.Set(collections.UserTimezone, name) }

// AllowDirectMessages reports whether other users may open a direct chat
// with the user.
func (u *User) AllowDirectMessages() bool { return u.GetBool(collections.UserAllowDirectMessages) }

// SetAllowDirectMessages sets whether others may message the user directly.
func (u *User) SetAllowDirectMessages(allow bool) { u.Set(collections.UserAllowDirectMessages, allow) }

// ---------------------------------------------------------------------
// Course

// Course is a record proxy of courses.
type Course struct {
	core.BaseRecordProxy
}

// FindCourse is the course with id; its error is sql.ErrNoRows when there
// is none.
func FindCourse(app core.App, id string) (*Course, error) {
	return records.FindProxy[Course](app, collections.Courses, dbx.HashExp{collections.FieldId: id})
}

// Title is the course's title.
func (c *Course) Title() string { return c.GetString(collections.CourseTitle) }

// Instructor is the id of the user who teaches the course.
func (c *Course) Instructor() string { return c.GetString(collections.CourseInstructor) }

// Published reports whether the course is in the public catalogue.
func (c *Course) Published() bool { return c.GetBool(collections.CoursePublished) }

// ---------------------------------------------------------------------
// Enrollment

// Enrollment is a record proxy of enrollments: one student in one course.
type Enrollment struct {
	core.BaseRecordProxy
}

// Course is the id of the enrollment's course.
func (en *Enrollment) Course() string { return en.GetString(collections.EnrollmentCourse) }

// Student is the id of the enrolled student.
func (en *Enrollment) Student() string { return en.GetString(collections.EnrollmentStudent) }

// Status is active, completed or dropped (collections.EnrollmentStatuses).
func (en *Enrollment) Status() string { return en.GetString(collections.EnrollmentStatus) }

// SetStatus sets the enrollment's status.
func (en *Enrollment) SetStatus(status string) { en.Set(collections.EnrollmentStatus, status) }

// ---------------------------------------------------------------------
// Lesson

// Lesson is a record proxy of lessons.
type Lesson struct {
	core.BaseRecordProxy
}

// FindLesson is the lesson with id; its error is sql.ErrNoRows when there
// is none.
func FindLesson(app core.App, id string) (*Lesson, error) {
	return records.FindProxy[Lesson](app, collections.Lessons, dbx.HashExp{collections.FieldId: id})
}

// Course is the id of the lesson's course.
func (l *Lesson) Course() string { return l.GetString(collections.LessonCourse) }

// Title is the lesson's title.
func (l *Lesson) Title() string { return l.GetString(collections.LessonTitle) }

// ---------------------------------------------------------------------
// LessonProgress

// LessonProgress is a record proxy of lesson_progress: how far one
// student got in one lesson.
type LessonProgress struct {
	core.BaseRecordProxy
}

// Lesson is the id of the lesson.
func (p *LessonProgress) Lesson() string { return p.GetString(collections.ProgressLesson) }

// Student is the id of the student.
func (p *LessonProgress) Student() string { return p.GetString(collections.ProgressStudent) }

// Course is the id of the lesson's course, kept by the server so that a
// course's progress is one indexed query.
func (p *LessonProgress) Course() string { return p.GetString(collections.ProgressCourse) }

// SetCourse sets the id of the lesson's course.
func (p *LessonProgress) SetCourse(courseId string) { p.Set(collections.ProgressCourse, courseId) }

// CompletedAt is when the student completed the lesson; zero until then.
func (p *LessonProgress) CompletedAt() types.DateTime {
	return p.GetDateTime(collections.ProgressCompletedAt)
}

// VideoCompletedAt is when the student finished the lesson's video; zero
// until then.
func (p *LessonProgress) VideoCompletedAt() types.DateTime {
	return p.GetDateTime(collections.ProgressVideoCompletedAt)
}

// ---------------------------------------------------------------------
// Assessment

// Assessment is a record proxy of assessments.
type Assessment struct {
	core.BaseRecordProxy
}

// FindAssessment is the assessment with id; its error is sql.ErrNoRows
// when there is none.
func FindAssessment(app core.App, id string) (*Assessment, error) {
	return records.FindProxy[Assessment](app, collections.Assessments, dbx.HashExp{collections.FieldId: id})
}

// Course is the id of the assessment's course.
func (a *Assessment) Course() string { return a.GetString(collections.AssessmentCourse) }

// Title is the assessment's title.
func (a *Assessment) Title() string { return a.GetString(collections.AssessmentTitle) }

// MaxScore is the highest score a submission may get; 0 means no limit.
func (a *Assessment) MaxScore() float64 { return a.GetFloat(collections.AssessmentMaxScore) }

// ---------------------------------------------------------------------
// Submission

// Submission is a record proxy of submissions: one student's work for one
// assessment, and its grade.
type Submission struct {
	core.BaseRecordProxy
}

// Assessment is the id of the assessment.
func (s *Submission) Assessment() string { return s.GetString(collections.SubmissionAssessment) }

// Student is the id of the student who submitted.
func (s *Submission) Student() string { return s.GetString(collections.SubmissionStudent) }

// Score is the grade; see GradedAt for whether there is one.
func (s *Submission) Score() float64 { return s.GetFloat(collections.SubmissionScore) }

// SubmittedAt is the server's time of the latest submitted content.
func (s *Submission) SubmittedAt() types.DateTime {
	return s.GetDateTime(collections.SubmissionSubmittedAt)
}

// SetSubmittedAt sets the time of the latest submitted content.
func (s *Submission) SetSubmittedAt(at types.DateTime) {
	s.Set(collections.SubmissionSubmittedAt, at)
}

// GradedAt is the server's time of the latest score; zero until graded.
func (s *Submission) GradedAt() types.DateTime { return s.GetDateTime(collections.SubmissionGradedAt) }

// SetGradedAt sets the time of the latest score.
func (s *Submission) SetGradedAt(at types.DateTime) { s.Set(collections.SubmissionGradedAt, at) }

// ---------------------------------------------------------------------
// Payment

// Payment is a record proxy of payments.
type Payment struct {
	core.BaseRecordProxy
}

// User is the id of the payer; empty once their account is deleted.
func (p *Payment) User() string { return p.GetString(collections.PaymentUser) }

// Course is the id of the course paid for, if any.
func (p *Payment) Course() string { return p.GetString(collections.PaymentCourse) }

// ReceiptNumber is the payment's human-readable receipt number.
func (p *Payment) ReceiptNumber() string { return p.GetString(collections.PaymentReceiptNumber) }

// SetReceiptNumber sets the payment's receipt number.
func (p *Payment) SetReceiptNumber(number string) { p.Set(collections.PaymentReceiptNumber, number) }
