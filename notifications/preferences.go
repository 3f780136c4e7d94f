package notifications

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"

	"studyhall/clock"
	"studyhall/collections"
)

// Switch is one entry of the categories or types JSON of preferences: a
// channel that is not named is left to the level above.
type Switch struct {
	InApp *bool `json:"inApp,omitempty"`
	Email *bool `json:"email,omitempty"`
}

// Preferences are one user's notification preferences, read from their
// notification_preferences row and their profile.
type Preferences struct {
	InAppEnabled     bool
	EmailEnabled     bool
	EmailDigest      string
	Categories       map[string]Switch
	Types            map[string]Switch
	QuietHoursStart  string
	QuietHoursEnd    string
	QuietHoursUrgent bool
	// Timezone is the zone quiet hours are read in: the preference's own,
	// or the user's when that is empty.
	Timezone string
}

// DefaultPreferences are the preferences of a user who changed nothing.
func DefaultPreferences() Preferences {
	return Preferences{
		InAppEnabled:     true,
		EmailEnabled:     true,
		EmailDigest:      collections.DigestDaily,
		QuietHoursUrgent: true,
		Timezone:         collections.DefaultTimezone,
	}
}

// DefaultPreferenceFields are DefaultPreferences as the fields of a new
// notification_preferences row; its zone stays empty (the user's own).
func DefaultPreferenceFields() map[string]any {
	p := DefaultPreferences()
	return map[string]any{
		collections.PreferenceInAppEnabled:     p.InAppEnabled,
		collections.PreferenceEmailEnabled:     p.EmailEnabled,
		collections.PreferenceEmailDigest:      p.EmailDigest,
		collections.PreferenceQuietHoursUrgent: p.QuietHoursUrgent,
	}
}

// Channels says which channels a notification goes out on.
type Channels struct {
	InApp bool
	Email bool
}

// ResolveChannels decides, for each channel separately, whether a
// notification of kind reaches a user with preferences p: the channel's
// global switch is a master, under it a type override wins over its
// category, and a category with no entry counts as on. Mandatory kinds
// ignore every opt-out; email-only kinds never go in-app.
func ResolveChannels(p Preferences, kind collections.NotificationKind) Channels {
	if kind.Mandatory {
		return Channels{InApp: !kind.EmailOnly, Email: true}
	}
	inApp := p.InAppEnabled && p.channelOn(kind, collections.ChannelInApp)
	email := p.EmailEnabled && p.channelOn(kind, collections.ChannelEmail)
	return Channels{InApp: inApp && !kind.EmailOnly, Email: email}
}

func (p Preferences) channelOn(kind collections.NotificationKind, channel string) bool {
	if v := p.Types[kind.Type].get(channel); v != nil {
		return *v
	}
	if v := p.Categories[kind.Category].get(channel); v != nil {
		return *v
	}
	return true
}

func (s Switch) get(channel string) *bool {
	if channel == collections.ChannelEmail {
		return s.Email
	}
	return s.InApp
}

// EmailMode is the email decision recorded on a notification: none when the
// email channel is off, immediate for mandatory kinds, otherwise the user's
// digest setting.
func EmailMode(p Preferences, kind collections.NotificationKind, channels Channels) string {
	if !channels.Email {
		return collections.EmailModeNone
	}
	if kind.Mandatory {
		return collections.EmailModeImmediate
	}
	switch p.EmailDigest {
	case collections.DigestOff:
		return collections.EmailModeNone
	case collections.DigestImmediate:
		return collections.EmailModeImmediate
	case collections.DigestWeekly:
		return collections.EmailModeWeekly
	default:
		return collections.EmailModeDaily
	}
}

// Location is the zone of a user's time zone setting; an empty, "Local" or
// unknown name (which validation keeps out) is UTC, never the server's
// zone.
func Location(name string) *time.Location {
	if name == "" || name == "Local" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Hold reports whether an in-app notification of the given priority waits
// for the end of the user's quiet hours at now, and until when. Urgent
// notifications pass when QuietHoursUrgent is on. Broken settings (which
// validation keeps out) never hold anything.
func Hold(p Preferences, priority string, now time.Time) (bool, time.Time) {
	if priority == collections.PriorityUrgent && p.QuietHoursUrgent {
		return false, time.Time{}
	}
	quiet, until, err := QuietHours(p.QuietHoursStart, p.QuietHoursEnd, Location(p.Timezone), now)
	if err != nil || !quiet {
		return false, time.Time{}
	}
	return true, until
}

// ParseSwitches reads the categories or types JSON of preferences; null or
// empty means no entries.
func ParseSwitches(raw []byte) (map[string]Switch, error) {
	switches := map[string]Switch{}
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" {
		return switches, nil
	}
	if err := json.Unmarshal(raw, &switches); err != nil {
		return nil, err
	}
	return switches, nil
}

// ValidateClock checks a quiet-hours bound: "HH:MM" or empty.
func ValidateClock(s string) error {
	if s == "" {
		return nil
	}
	if _, err := clock.Parse(s); err != nil {
		return validation.NewError("validation_invalid_clock", "Must be a time of day as HH:MM, such as 22:00.")
	}
	return nil
}

// ValidateSwitches checks the categories or types JSON of preferences: an
// object whose keys are among known and whose values are objects with
// nothing but the boolean keys inApp and email.
func ValidateSwitches(raw []byte, known []string) error {
	trimmed := strings.TrimSpace(string(raw))
	if trimmed == "" || trimmed == "null" {
		return nil
	}
	var entries map[string]map[string]any
	if err := json.Unmarshal(raw, &entries); err != nil {
		return validation.NewError("validation_invalid_switches",
			`Must be an object such as {"progress": {"inApp": true, "email": false}}.`)
	}
	keys := make([]string, 0, len(entries))
	for key := range entries {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if !slices.Contains(known, key) {
			return validation.NewError("validation_unknown_key",
				fmt.Sprintf("Unknown key %q; expected one of: %s.", key, strings.Join(known, ", ")))
		}
		entry := entries[key]
		if entry == nil {
			return validation.NewError("validation_invalid_switches",
				fmt.Sprintf(`The entry %q must be an object such as {"inApp": true, "email": false}.`, key))
		}
		for channel, value := range entry {
			if channel != collections.ChannelInApp && channel != collections.ChannelEmail {
				return validation.NewError("validation_unknown_channel",
					fmt.Sprintf("Unknown channel %q in %q; expected inApp or email.", channel, key))
			}
			if _, ok := value.(bool); !ok {
				return validation.NewError("validation_invalid_switch",
					fmt.Sprintf("The channel %q of %q must be true or false.", channel, key))
			}
		}
	}
	return nil
}
