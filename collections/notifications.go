package collections

// Collection names of the notification engine.
const (
	Notifications = "notifications"
	// NotificationPreferences holds one row per user.
	NotificationPreferences = "notification_preferences"
	// NotificationHolds keeps in-app notifications held back by quiet hours
	// (superusers only) until they are released into Notifications.
	NotificationHolds = "notification_holds"
	// NotificationEmails keeps email-only notifications (superusers only):
	// those whose in-app channel is off and account_deleted, whose user no
	// longer exists. The email worker sends them.
	NotificationEmails = "notification_emails"
)

// Fields of notifications. NotificationHolds and NotificationEmails carry
// the same payload fields.
const (
	NotificationUser       = "user"
	NotificationType       = "type"
	NotificationCategory   = "category"
	NotificationPriority   = "priority"
	NotificationTitle      = "title"
	NotificationMessage    = "message"
	NotificationData       = "data"
	NotificationActionURL  = "actionUrl"
	NotificationActionText = "actionText"
	NotificationReadAt     = "readAt"
	// NotificationSeenAt is when the user first saw it listed (the bell
	// opened on it); the badge counts the unseen ones.
	NotificationSeenAt            = "seenAt"
	NotificationArchivedAt        = "archivedAt"
	NotificationExpiresAt         = "expiresAt"
	NotificationDedupeKey         = "dedupeKey"
	NotificationRelatedCollection = "relatedCollection"
	NotificationRelatedId         = "relatedId"
	// NotificationEmailMode is the email decision taken when the
	// notification was created: one of EmailModes.
	NotificationEmailMode = "emailMode"
	// NotificationEmailedAt is set by the email worker once sent.
	NotificationEmailedAt = "emailedAt"
)

// Fields of notification_holds besides the payload.
const (
	// HoldReleaseAt is when the quiet-hours window that holds it ends.
	HoldReleaseAt = "releaseAt"
)

// Fields of notification_emails besides the payload.
const (
	// NotificationEmailAddress is the address to write to, kept because the
	// user may be gone (account_deleted).
	NotificationEmailAddress = "email"
	NotificationEmailName    = "name"
)

// Email decisions recorded on each notification.
const (
	EmailModeNone      = "none"
	EmailModeImmediate = "immediate"
	EmailModeDaily     = "daily"
	EmailModeWeekly    = "weekly"
)

// EmailModes lists every email decision.
var EmailModes = []string{EmailModeNone, EmailModeImmediate, EmailModeDaily, EmailModeWeekly}

// Fields of notification_preferences.
const (
	PreferenceUser             = "user"
	PreferenceInAppEnabled     = "inAppEnabled"
	PreferenceEmailEnabled     = "emailEnabled"
	PreferenceEmailDigest      = "emailDigest"
	PreferenceCategories       = "categories"
	PreferenceTypes            = "types"
	PreferenceQuietHoursStart  = "quietHoursStart"
	PreferenceQuietHoursEnd    = "quietHoursEnd"
	PreferenceQuietHoursUrgent = "quietHoursUrgent"
	PreferenceTimezone         = "timezone"
)

// Channel keys inside the categories and types JSON of preferences.
const (
	ChannelInApp = "inApp"
	ChannelEmail = "email"
)

// Email digest settings.
const (
	DigestOff       = "off"
	DigestImmediate = "immediate"
	DigestDaily     = "daily"
	DigestWeekly    = "weekly"
)

// EmailDigests lists every digest setting; DigestDaily is the default.
var EmailDigests = []string{DigestOff, DigestImmediate, DigestDaily, DigestWeekly}

// Notification categories.
const (
	CategoryProgress   = "progress"
	CategoryCourse     = "course"
	CategoryAssessment = "assessment"
	CategoryCommunity  = "community"
	CategorySystem     = "system"
)

// NotificationCategories lists every category.
var NotificationCategories = []string{CategoryProgress, CategoryCourse, CategoryAssessment, CategoryCommunity, CategorySystem}

// Notification priorities, lowest first.
const (
	PriorityLow    = "low"
	PriorityNormal = "normal"
	PriorityHigh   = "high"
	PriorityUrgent = "urgent"
)

// NotificationPriorities lists every priority, lowest first.
var NotificationPriorities = []string{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Notification types: SPEC's trigger catalog plus test.
const (
	TypeLessonCompleted          = "lesson_completed"
	TypeCourseProgressMilestone  = "course_progress_milestone"
	TypeVideoCompleted           = "video_completed"
	TypeCourseCompleted          = "course_completed"
	TypeWeeklyProgressSummary    = "weekly_progress_summary"
	TypeEnrollmentConfirmed      = "enrollment_confirmed"
	TypeNewEnrollment            = "new_enrollment"
	TypeNewLesson                = "new_lesson"
	TypeCoursePublished          = "course_published"
	TypeLiveSessionCreated       = "live_session_created"
	TypeLiveSessionUpdated       = "live_session_updated"
	TypeLiveSessionStartingSoon  = "live_session_starting_soon"
	TypeLiveSessionStarted       = "live_session_started"
	TypeLiveSessionCancelled     = "live_session_cancelled"
	TypeLiveSessionDeleted       = "live_session_deleted"
	TypeAssessmentCreated        = "assessment_created"
	TypeAssessmentDueSoon        = "assessment_due_soon"
	TypeAssessmentSubmitted      = "assessment_submitted"
	TypeAssessmentGraded         = "assessment_graded"
	TypeStudyGroupInvite         = "study_group_invite"
	TypeStudyGroupMemberJoined   = "study_group_member_joined"
	TypeStudyGroupRoleChanged    = "study_group_role_changed"
	TypeDirectMessage            = "direct_message"
	TypeOfficeHoursStudentJoined = "office_hours_student_joined"
	TypeOfficeHoursAdmitted      = "office_hours_admitted"
	TypeOfficeHoursCompleted     = "office_hours_completed"
	TypeOfficeHoursCancelled     = "office_hours_cancelled"
	TypePaymentReceipt           = "payment_receipt"
	TypeRefundConfirmation       = "refund_confirmation"
	TypePasswordChanged          = "password_changed"
	TypeAccountDeleted           = "account_deleted"
	// TypeTest is what POST /api/notifications/test sends.
	TypeTest = "test"
)

// Notification types of later milestones.
const (
	// TypeLiveSessionWaitlistPromoted: a seat came free and the first
	// user on the session's waitlist was seated in it.
	TypeLiveSessionWaitlistPromoted = "live_session_waitlist_promoted"
	// TypeOfficeHoursAnnouncement is a staff announcement to an
	// office-hours queue, sent to everyone waiting in it.
	TypeOfficeHoursAnnouncement = "office_hours_announcement"
)

// NotificationKind is one row of the trigger catalog.
type NotificationKind struct {
	Type     string
	Category string
	// Priority is the default priority; a trigger may raise it (a direct
	// message from an instructor is high).
	Priority string
	// Mandatory kinds ignore opt-outs on every channel.
	Mandatory bool
	// EmailOnly kinds never become in-app notifications.
	EmailOnly bool
	// Label names the kind to people (the preferences page lists it).
	Label string
	// Description says, in one sentence, when it is sent.
	Description string
}

// NotificationCatalog is SPEC's trigger catalog, in SPEC's order, with
// the kinds of later milestones beside their domain's (the waitlist
// promotion after the live session kinds, the announcement after the
// office-hours kinds), plus the test kind at the end.
var NotificationCatalog = []NotificationKind{
	{Type: TypeLessonCompleted, Category: CategoryProgress, Priority: PriorityNormal,
		Label: "Lesson completed", Description: "When you complete a lesson."},
	{Type: TypeCourseProgressMilestone, Category: CategoryProgress, Priority: PriorityLow,
		Label: "Student milestones", Description: "When a student of your course passes 25, 50, 75 or 100% of it."},
	{Type: TypeVideoCompleted, Category: CategoryProgress, Priority: PriorityLow,
		Label: "Video finished", Description: "When you finish watching a lesson video."},
	{Type: TypeCourseCompleted, Category: CategoryProgress, Priority: PriorityHigh,
		Label: "Course completed", Description: "When a course is completed: yours, or a student's in your course."},
	{Type: TypeWeeklyProgressSummary, Category: CategoryProgress, Priority: PriorityLow,
		Label: "Weekly summary", Description: "Your week in lessons, on Monday morning."},
	{Type: TypeEnrollmentConfirmed, Category: CategoryCourse, Priority: PriorityHigh,
		Label: "Enrollment confirmed", Description: "When you are enrolled in a course."},
	{Type: TypeNewEnrollment, Category: CategoryCourse, Priority: PriorityNormal,
		Label: "New student", Description: "When a student enrolls in your course."},
	{Type: TypeNewLesson, Category: CategoryCourse, Priority: PriorityNormal,
		Label: "New lesson", Description: "When a lesson is published in your course."},
	{Type: TypeCoursePublished, Category: CategoryCourse, Priority: PriorityNormal,
		Label: "Course published", Description: "When a course you teach or take is published."},
	{Type: TypeLiveSessionCreated, Category: CategoryCourse, Priority: PriorityNormal,
		Label: "Session scheduled", Description: "When a live session is scheduled in your course."},
	{Type: TypeLiveSessionUpdated, Category: CategoryCourse, Priority: PriorityNormal,
		Label: "Session changed", Description: "When the time, title or link of a session changes."},
	{Type: TypeLiveSessionStartingSoon, Category: CategoryCourse, Priority: PriorityUrgent,
		Label: "Session starting soon", Description: "15 minutes before a session starts."},
	{Type: TypeLiveSessionStarted, Category: CategoryCourse, Priority: PriorityHigh,
		Label: "Session started", Description: "When a session goes live."},
	{Type: TypeLiveSessionCancelled, Category: CategoryCourse, Priority: PriorityHigh,
		Label: "Session cancelled", Description: "When a session is cancelled."},
	{Type: TypeLiveSessionDeleted, Category: CategoryCourse, Priority: PriorityHigh,
		Label: "Session removed", Description: "When a scheduled session is removed."},
	{Type: TypeLiveSessionWaitlistPromoted, Category: CategoryCourse, Priority: PriorityHigh,
		Label: "Seat from the waitlist", Description: "When a seat frees in a full session you wait for, and it is yours."},
	{Type: TypeAssessmentCreated, Category: CategoryAssessment, Priority: PriorityNormal,
		Label: "New assessment", Description: "When an assessment is published in your course."},
	{Type: TypeAssessmentDueSoon, Category: CategoryAssessment, Priority: PriorityHigh,
		Label: "Assessment due soon", Description: "48 hours before an assessment you have not submitted is due."},
	{Type: TypeAssessmentSubmitted, Category: CategoryAssessment, Priority: PriorityNormal,
		Label: "Submission received", Description: "When a student submits work in your course."},
	{Type: TypeAssessmentGraded, Category: CategoryAssessment, Priority: PriorityHigh,
		Label: "Assessment graded", Description: "When your work is graded."},
	{Type: TypeStudyGroupInvite, Category: CategoryCommunity, Priority: PriorityNormal,
		Label: "Study group invitation", Description: "When someone invites you to a study group."},
	{Type: TypeStudyGroupMemberJoined, Category: CategoryCommunity, Priority: PriorityLow,
		Label: "New group member", Description: "When someone joins one of your study groups."},
	{Type: TypeStudyGroupRoleChanged, Category: CategoryCommunity, Priority: PriorityNormal,
		Label: "Group role changed", Description: "When you become, or stop being, a group admin."},
	{Type: TypeDirectMessage, Category: CategoryCommunity, Priority: PriorityNormal,
		Label: "Direct message", Description: "When someone writes to you while you are away from the chat."},
	{Type: TypeOfficeHoursStudentJoined, Category: CategoryCommunity, Priority: PriorityNormal,
		Label: "Student in your queue", Description: "When a student joins your office hours queue."},
	{Type: TypeOfficeHoursAdmitted, Category: CategoryCommunity, Priority: PriorityHigh,
		Label: "Your turn in office hours", Description: "When the instructor admits you."},
	{Type: TypeOfficeHoursCompleted, Category: CategoryCommunity, Priority: PriorityNormal,
		Label: "Office hours visit complete", Description: "When your visit ends, with its length."},
	{Type: TypeOfficeHoursCancelled, Category: CategoryCommunity, Priority: PriorityNormal,
		Label: "Office hours place cancelled", Description: "When your place in a queue is cancelled or the slot closes."},
	{Type: TypeOfficeHoursAnnouncement, Category: CategoryCommunity, Priority: PriorityNormal,
		Label: "Office-hours announcement", Description: "When staff post an announcement to a queue you wait in."},
	{Type: TypePaymentReceipt, Category: CategorySystem, Priority: PriorityHigh, Mandatory: true,
		Label: "Payment receipt", Description: "When a payment succeeds."},
	{Type: TypeRefundConfirmation, Category: CategorySystem, Priority: PriorityHigh, Mandatory: true,
		Label: "Refund confirmation", Description: "When a payment is refunded."},
	{Type: TypePasswordChanged, Category: CategorySystem, Priority: PriorityUrgent, Mandatory: true,
		Label: "Password changed", Description: "When your password changes."},
	{Type: TypeAccountDeleted, Category: CategorySystem, Priority: PriorityUrgent, Mandatory: true, EmailOnly: true,
		Label: "Account deleted", Description: "By email only, when your account is deleted."},
	{Type: TypeTest, Category: CategorySystem, Priority: PriorityNormal,
		Label: "Test notification", Description: "What \"Send me a test notification\" sends."},
}

// NotificationTypes lists every type of the catalog, in its order.
func NotificationTypes() []string {
	types := make([]string, len(NotificationCatalog))
	for i, kind := range NotificationCatalog {
		types[i] = kind.Type
	}
	return types
}

// LookupNotificationKind finds the catalog row of a type.
func LookupNotificationKind(notificationType string) (NotificationKind, bool) {
	for _, kind := range NotificationCatalog {
		if kind.Type == notificationType {
			return kind, true
		}
	}
	return NotificationKind{}, false
}

// Text limits of notifications.
const (
	MaxNotificationTitleLength   = 200
	MaxNotificationMessageLength = 2000
	MaxActionTextLength          = 100
	MaxActionURLLength           = 2000
	MaxDedupeKeyLength           = 255
)

// CourseMilestones are the percentages of course_progress_milestone.
var CourseMilestones = []int{25, 50, 75, 100}
