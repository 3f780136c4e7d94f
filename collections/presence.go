package collections

// Presence is one row per user: the status others see.
const Presence = "presence"

// Fields of presence.
const (
	PresenceUser         = "user"
	PresenceStatus       = "status"
	PresenceManualStatus = "manualStatus"
	PresenceActivity     = "activity"
	PresenceLastSeen     = "lastSeen"
)

// MaxActivityLength bounds a presence activity such as "In session: Algebra".
const MaxActivityLength = 100
