// Package clock reads and writes wall-clock times of day ("HH:MM"), the one
// format that office-hours slots and quiet hours share.
package clock

import (
	"errors"
	"fmt"
)

// MinutesPerDay is the largest clock value: "24:00", the end of a day.
const MinutesPerDay = 24 * 60

// ErrInvalid is returned for a wall-clock time that is not HH:MM between
// 00:00 and 24:00.
var ErrInvalid = errors.New("invalid clock time, want HH:MM between 00:00 and 24:00")

// Parse reads an "HH:MM" wall-clock time (two ASCII digits each) as minutes
// since midnight. "24:00" is accepted as the end of the day (1440), so that
// a slot or a quiet window can run to midnight.
func Parse(s string) (int, error) {
	if len(s) != 5 || s[2] != ':' {
		return 0, fmt.Errorf("%q: %w", s, ErrInvalid)
	}
	for _, d := range []byte{s[0], s[1], s[3], s[4]} {
		if d < '0' || d > '9' {
			return 0, fmt.Errorf("%q: %w", s, ErrInvalid)
		}
	}
	hours := int(s[0]-'0')*10 + int(s[1]-'0')
	minutes := int(s[3]-'0')*10 + int(s[4]-'0')
	if minutes > 59 || hours > 24 || (hours == 24 && minutes != 0) {
		return 0, fmt.Errorf("%q: %w", s, ErrInvalid)
	}
	return hours*60 + minutes, nil
}

// Format writes minutes since midnight as "HH:MM".
func Format(minutes int) string {
	return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60)
}
