// Package collections names every collection, field, status and role of
// studyhall, so that no such string is written twice anywhere else.
package collections

// Collection names.
const (
	Users       = "users"
	Superusers  = "_superusers"
	Courses     = "courses"
	Enrollments = "enrollments"
	Lessons     = "lessons"
	// LessonProgress holds one row per (lesson, student).
	LessonProgress = "lesson_progress"
	Assessments    = "assessments"
	Submissions    = "submissions"
	Payments       = "payments"
)

// Fields shared by many collections.
const (
	FieldId      = "id"
	FieldCreated = "created"
	FieldUpdated = "updated"
)

// Fields of users.
const (
	UserEmail               = "email"
	UserEmailVisibility     = "emailVisibility"
	UserName                = "name"
	UserAvatar              = "avatar"
	UserRole                = "role"
	UserTimezone            = "timezone"
	UserAllowDirectMessages = "allowDirectMessages"
)

// Roles a user can have; only superusers change them.
const (
	RoleStudent    = "student"
	RoleInstructor = "instructor"
)

// Roles lists every role, the first being the default.
var Roles = []string{RoleStudent, RoleInstructor}

// DefaultTimezone is the zone of a user who has not chosen one.
const DefaultTimezone = "UTC"

// Fields of courses.
const (
	CourseTitle       = "title"
	CourseDescription = "description"
	CourseInstructor  = "instructor"
	CoursePublished   = "published"
)

// Fields of enrollments.
const (
	EnrollmentCourse  = "course"
	EnrollmentStudent = "student"
	EnrollmentStatus  = "status"
)

// Enrollment statuses.
const (
	EnrollmentActive    = "active"
	EnrollmentCompleted = "completed"
	EnrollmentDropped   = "dropped"
)

// EnrollmentStatuses lists every enrollment status, the first being the default.
var EnrollmentStatuses = []string{EnrollmentActive, EnrollmentCompleted, EnrollmentDropped}

// Fields of lessons.
const (
	LessonCourse    = "course"
	LessonTitle     = "title"
	LessonContent   = "content"
	LessonOrder     = "order"
	LessonPublished = "published"
	LessonHasVideo  = "hasVideo"
)

// Fields of lesson_progress.
const (
	ProgressLesson           = "lesson"
	ProgressStudent          = "student"
	ProgressCourse           = "course"
	ProgressVideoCompletedAt = "videoCompletedAt"
	ProgressCompletedAt      = "completedAt"
)

// Fields of assessments.
const (
	AssessmentCourse      = "course"
	AssessmentTitle       = "title"
	AssessmentDescription = "description"
	AssessmentDueAt       = "dueAt"
	AssessmentPublished   = "published"
	AssessmentMaxScore    = "maxScore"
)

// Fields of submissions.
const (
	SubmissionAssessment  = "assessment"
	SubmissionStudent     = "student"
	SubmissionContent     = "content"
	SubmissionSubmittedAt = "submittedAt"
	SubmissionScore       = "score"
	SubmissionGradedAt    = "gradedAt"
	SubmissionFeedback    = "feedback"
)

// Fields of payments.
const (
	PaymentUser          = "user"
	PaymentCourse        = "course"
	PaymentAmount        = "amount"
	PaymentCurrency      = "currency"
	PaymentStatus        = "status"
	PaymentReceiptNumber = "receiptNumber"
)

// Payment statuses.
const (
	PaymentSucceeded = "succeeded"
	PaymentRefunded  = "refunded"
)

// PaymentStatuses lists every payment status.
var PaymentStatuses = []string{PaymentSucceeded, PaymentRefunded}

// Text limits shared by the schema and the hooks.
const (
	MaxNameLength        = 100
	MaxTitleLength       = 200
	MaxDescriptionLength = 5000
	MaxContentLength     = 100000
	MaxFeedbackLength    = 5000
	// MaxURLLength bounds a meeting or recording link.
	MaxURLLength = 2000
)
