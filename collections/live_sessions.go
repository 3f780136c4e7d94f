package collections

// Collection names of live sessions.
const (
	LiveSessions = "live_sessions"
	// LiveSessionAttendees holds one row per (session, user), kept over
	// rejoins so that attendance time accumulates.
	LiveSessionAttendees = "live_session_attendees"
)

// Fields of live_sessions.
const (
	LiveSessionInstructor      = "instructor"
	LiveSessionCourse          = "course"
	LiveSessionTitle           = "title"
	LiveSessionDescription     = "description"
	LiveSessionScheduledStart  = "scheduledStart"
	LiveSessionDurationMinutes = "durationMinutes"
	LiveSessionCapacity        = "capacity"
	LiveSessionStatus          = "status"
	LiveSessionVisibility      = "visibility"
	LiveSessionMeetingURL      = "meetingUrl"
	LiveSessionRecordingURL    = "recordingUrl"
	LiveSessionStartedAt       = "startedAt"
	LiveSessionEndedAt         = "endedAt"
	LiveSessionAttendeeCount   = "attendeeCount"
	LiveSessionChatRoom        = "chatRoom"
	// LiveSessionReminderSentFor is the scheduledStart the starting-soon
	// reminder went out for (hidden): a rescheduled session reminds again.
	LiveSessionReminderSentFor = "reminderSentFor"
)

// LiveSessionServerFields change only through the session routes and jobs.
// An edit through the records API re-reads them inside its transaction, so
// a copy loaded before a join or a start never writes back a stale value.
var LiveSessionServerFields = []string{
	LiveSessionStatus,
	LiveSessionStartedAt,
	LiveSessionEndedAt,
	LiveSessionAttendeeCount,
	LiveSessionChatRoom,
	LiveSessionReminderSentFor,
}

// Live session statuses: scheduled → live → ended, or scheduled → cancelled.
const (
	LiveSessionScheduled = "scheduled"
	LiveSessionLive      = "live"
	LiveSessionEnded     = "ended"
	LiveSessionCancelled = "cancelled"
)

// LiveSessionStatuses lists every status, the first being the default.
var LiveSessionStatuses = []string{LiveSessionScheduled, LiveSessionLive, LiveSessionEnded, LiveSessionCancelled}

// Live session visibilities.
const (
	// LiveSessionVisibilityCourse: the owner and the course's enrolled
	// (not dropped) students.
	LiveSessionVisibilityCourse = "course"
	// LiveSessionVisibilityPublic: every signed-in user.
	LiveSessionVisibilityPublic = "public"
)

// LiveSessionVisibilities lists every visibility.
var LiveSessionVisibilities = []string{LiveSessionVisibilityCourse, LiveSessionVisibilityPublic}

// Defaults and limits of live sessions.
const (
	DefaultSessionDurationMinutes = 60
	DefaultSessionCapacity        = 100
	MaxSessionDurationMinutes     = 24 * 60
	MaxSessionCapacity            = 10000
)

// Fields of live_session_attendees.
const (
	AttendeeSession = "session"
	AttendeeUser    = "user"
	// AttendeeJoinedAt is when the current (or last) stay began.
	AttendeeJoinedAt = "joinedAt"
	// AttendeeLeftAt is when the last stay ended; empty while active.
	AttendeeLeftAt = "leftAt"
	AttendeeActive = "active"
	// AttendeeAttendedSeconds adds up every stay, counted from the moment
	// the session went live.
	AttendeeAttendedSeconds = "attendedSeconds"
)
