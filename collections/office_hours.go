package collections

// Collection names of office hours.
const (
	// OfficeHours holds instructors' weekly slots.
	OfficeHours = "office_hours"
	// OfficeHoursQueue holds one row per student visit request, written
	// by the server only.
	OfficeHoursQueue = "office_hours_queue"
)

// Fields of office_hours.
const (
	OfficeHoursInstructor  = "instructor"
	OfficeHoursCourse      = "course"
	OfficeHoursDayOfWeek   = "dayOfWeek"
	OfficeHoursStartTime   = "startTime"
	OfficeHoursEndTime     = "endTime"
	OfficeHoursTimezone    = "timezone"
	OfficeHoursLocation    = "location"
	OfficeHoursMeetingURL  = "meetingUrl"
	OfficeHoursDescription = "description"
	OfficeHoursActive      = "active"
	// OfficeHoursManualState is a manual open or close in effect until
	// OfficeHoursManualUntil; server-kept (the open and close routes).
	OfficeHoursManualState = "manualState"
	OfficeHoursManualUntil = "manualUntil"
	// OfficeHoursPausedAt is when the staff paused the queue (empty while
	// it runs): a paused queue takes no joins and keeps its line.
	// Server-kept (the pause and resume routes).
	OfficeHoursPausedAt = "pausedAt"
	// OfficeHoursAnnouncement is the staff's latest announcement to the
	// queue, posted at OfficeHoursAnnouncedAt. Server-kept (the announce
	// route); cleared with the pause when the slot closes.
	OfficeHoursAnnouncement = "announcement"
	OfficeHoursAnnouncedAt  = "announcedAt"
	// OfficeHoursMaxVisitsPerDay limits the visits of one student per day
	// (in the slot's zone) in the slot; 0 is no limit.
	OfficeHoursMaxVisitsPerDay = "maxVisitsPerDay"
	// OfficeHoursIsOpen is not stored: every read of a slot carries
	// whether it takes queue joins at that moment.
	OfficeHoursIsOpen = "isOpen"
)

// Manual states of a slot; "" is none.
const (
	OfficeHoursManualOpen   = "open"
	OfficeHoursManualClosed = "closed"
)

// OfficeHoursManualStates lists every manual state.
var OfficeHoursManualStates = []string{OfficeHoursManualOpen, OfficeHoursManualClosed}

// Fields of office_hours_queue.
const (
	QueueOfficeHours          = "officeHours"
	QueueInstructor           = "instructor"
	QueueStudent              = "student"
	QueueQuestion             = "question"
	QueueStatus               = "status"
	QueuePosition             = "position"
	QueueEstimatedWaitSeconds = "estimatedWaitSeconds"
	QueueJoinedAt             = "joinedAt"
	QueueAdmittedAt           = "admittedAt"
	QueueCompletedAt          = "completedAt"
	QueueCancelledAt          = "cancelledAt"
	QueueDurationSeconds      = "durationSeconds"
	// QueueInstructorNotes is seen by the student only once
	// QueueNotesShared is set.
	QueueInstructorNotes = "instructorNotes"
	QueueNotesShared     = "notesShared"
	QueueChatRoom        = "chatRoom"
	// QueueCancelledBy is the user who cancelled the entry: the student,
	// or the instructor (by hand or by closing the slot).
	QueueCancelledBy = "cancelledBy"
)

// Queue entry statuses.
const (
	QueueWaiting   = "waiting"
	QueueAdmitted  = "admitted"
	QueueCompleted = "completed"
	QueueCancelled = "cancelled"
)

// QueueStatuses lists every queue entry status, the first being the
// status of a new entry.
var QueueStatuses = []string{QueueWaiting, QueueAdmitted, QueueCompleted, QueueCancelled}

// Text limits of office hours.
const (
	MaxQuestionLength        = 500
	MaxInstructorNotesLength = 5000
	MaxLocationLength        = 200
	MaxAnnouncementLength    = 280
	// MaxVisitsPerDayLimit is the highest daily visit limit a slot takes.
	MaxVisitsPerDayLimit = 100
	// MaxGroupAdmit is how many entries one grouped admit takes at most.
	MaxGroupAdmit = 20
)
