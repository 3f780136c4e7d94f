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
	NotificationUser              = "user"
	NotificationType              = "type"
	NotificationCategory          = "category"
	NotificationPriority          = "priority"
	NotificationTitle             = "title"
	NotificationMessage           = "message"
	NotificationData              = "data"
	NotificationActionURL         = "actionUrl"
	NotificationActionText        = "actionText"
	NotificationReadAt            = "readAt"
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

// TypeOfficeHoursAnnouncement is a staff announcement to an office-hours
// queue, sent to everyone waiting in it (issue 17).
const TypeOfficeHoursAnnouncement = "office_hours_announcement"

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
}

// NotificationCatalog is SPEC's trigger catalog, in SPEC's order (with
// office_hours_announcement after the other office-hours kinds), plus the
// test kind at the end.
var NotificationCatalog = []NotificationKind{
	{Type: TypeLessonCompleted, Category: CategoryProgress, Priority: PriorityNormal},
	{Type: TypeCourseProgressMilestone, Category: CategoryProgress, Priority: PriorityLow},
	{Type: TypeVideoCompleted, Category: CategoryProgress, Priority: PriorityLow},
	{Type: TypeCourseCompleted, Category: CategoryProgress, Priority: PriorityHigh},
	{Type: TypeWeeklyProgressSummary, Category: CategoryProgress, Priority: PriorityLow},
	{Type: TypeEnrollmentConfirmed, Category: CategoryCourse, Priority: PriorityHigh},
	{Type: TypeNewEnrollment, Category: CategoryCourse, Priority: PriorityNormal},
	{Type: TypeNewLesson, Category: CategoryCourse, Priority: PriorityNormal},
	{Type: TypeCoursePublished, Category: CategoryCourse, Priority: PriorityNormal},
	{Type: TypeLiveSessionCreated, Category: CategoryCourse, Priority: PriorityNormal},
	{Type: TypeLiveSessionUpdated, Category: CategoryCourse, Priority: PriorityNormal},
	{Type: TypeLiveSessionStartingSoon, Category: CategoryCourse, Priority: PriorityUrgent},
	{Type: TypeLiveSessionStarted, Category: CategoryCourse, Priority: PriorityHigh},
	{Type: TypeLiveSessionCancelled, Category: CategoryCourse, Priority: PriorityHigh},
	{Type: TypeLiveSessionDeleted, Category: CategoryCourse, Priority: PriorityHigh},
	{Type: TypeAssessmentCreated, Category: CategoryAssessment, Priority: PriorityNormal},
	{Type: TypeAssessmentDueSoon, Category: CategoryAssessment, Priority: PriorityHigh},
	{Type: TypeAssessmentSubmitted, Category: CategoryAssessment, Priority: PriorityNormal},
	{Type: TypeAssessmentGraded, Category: CategoryAssessment, Priority: PriorityHigh},
	{Type: TypeStudyGroupInvite, Category: CategoryCommunity, Priority: PriorityNormal},
	{Type: TypeStudyGroupMemberJoined, Category: CategoryCommunity, Priority: PriorityLow},
	{Type: TypeStudyGroupRoleChanged, Category: CategoryCommunity, Priority: PriorityNormal},
	{Type: TypeDirectMessage, Category: CategoryCommunity, Priority: PriorityNormal},
	{Type: TypeOfficeHoursStudentJoined, Category: CategoryCommunity, Priority: PriorityNormal},
	{Type: TypeOfficeHoursAdmitted, Category: CategoryCommunity, Priority: PriorityHigh},
	{Type: TypeOfficeHoursCompleted, Category: CategoryCommunity, Priority: PriorityNormal},
	{Type: TypeOfficeHoursCancelled, Category: CategoryCommunity, Priority: PriorityNormal},
	{Type: TypeOfficeHoursAnnouncement, Category: CategoryCommunity, Priority: PriorityNormal},
	{Type: TypePaymentReceipt, Category: CategorySystem, Priority: PriorityHigh, Mandatory: true},
	{Type: TypeRefundConfirmation, Category: CategorySystem, Priority: PriorityHigh, Mandatory: true},
	{Type: TypePasswordChanged, Category: CategorySystem, Priority: PriorityUrgent, Mandatory: true},
	{Type: TypeAccountDeleted, Category: CategorySystem, Priority: PriorityUrgent, Mandatory: true, EmailOnly: true},
	{Type: TypeTest, Category: CategorySystem, Priority: PriorityNormal},
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
