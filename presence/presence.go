// Package presence is who is online, away, busy or offline. This file
// decides it from plain inputs, knowing nothing of PocketBase: how many
// realtime connections a user holds, when they were last seen and last
// active, and the status they chose by hand. The tracker (tracker.go)
// feeds it from connections, heartbeats and manual statuses, and stores
// what it decides in each user's presence row, which subscribers see.
package presence

import (
	"time"
)

// Statuses others see.
const (
	Online  = "online"
	Away    = "away"
	Busy    = "busy"
	Offline = "offline"
)

// Manual statuses a user may choose; ManualNone is automatic presence.
const (
	ManualNone      = ""
	ManualAway      = "away"
	ManualBusy      = "busy"
	ManualInvisible = "invisible"
)

// Statuses lists what a presence record's status can be.
var Statuses = []string{Online, Away, Busy, Offline}

// ManualStatuses lists what a presence record's manualStatus can be, but
// the empty automatic one.
var ManualStatuses = []string{ManualAway, ManualBusy, ManualInvisible}

// Config holds the time limits of presence.
type Config struct {
	// OfflineAfter is how long a user with no open connection stays as
	// they were since they were last seen: a page reload or the SDK's
	// periodic reconnect must not flash them offline.
	OfflineAfter time.Duration
	// AwayAfter is how long without activity makes a connected user away.
	AwayAfter time.Duration
	// SweepEvery is how often the time-driven changes are looked for.
	SweepEvery time.Duration
}

// DefaultConfig is SPEC's: offline 90 s after the last connection and
// heartbeat, away after 5 minutes without activity, swept every 2 s so
// that a change reaches subscribers well within 3 s.
var DefaultConfig = Config{
	OfflineAfter: 90 * time.Second,
	AwayAfter:    5 * time.Minute,
	SweepEvery:   2 * time.Second,
}

// State is what the server knows of one user's presence.
type State struct {
	// Connections is the number of open authenticated realtime
	// connections of the user: tabs and devices together.
	Connections int
	// LastSeen is the last connect, disconnect or heartbeat.
	LastSeen time.Time
	// LastActive is the last connect or heartbeat that reported activity.
	LastActive time.Time
	// Manual is the status the user chose, ManualNone for automatic.
	Manual string
}

// Resolve is the status others see for s at now.
func Resolve(s State, now time.Time, cfg Config) string {
	if s.Manual == ManualInvisible {
		return Offline
	}
	connected := s.Connections > 0 || (!s.LastSeen.IsZero() && now.Sub(s.LastSeen) < cfg.OfflineAfter)
	if !connected {
		return Offline
	}
	switch s.Manual {
	case ManualAway:
		return Away
	case ManualBusy:
		return Busy
	}
	if s.LastActive.IsZero() || now.Sub(s.LastActive) >= cfg.AwayAfter {
		return Away
	}
	return Online
}

// IsManual reports whether status is a manual status a user may choose
// (online included, which clears the manual one).
func IsManual(status string) bool {
	switch status {
	case Online, ManualAway, ManualBusy, ManualInvisible:
		return true
	}
	return false
}
