package notifications

import (
	"errors"
	"time"

	"studyhall/clock"
)

// QuietHours reports whether now falls inside the daily quiet window
// [start, end) read on the wall clock of loc, and if so the instant the
// window ends.
//
// start and end are "HH:MM"; both empty means no quiet hours. A window
// whose end is not after its start runs overnight (22:00–07:00 covers
// 23:30 and 06:59). A window that starts and ends at the same minute is
// empty: it never holds anything back, so a typo can never hold
// notifications forever. Membership is decided on the local wall clock, so
// DST changes shorten or lengthen the window rather than shift it; an end
// that falls into a DST gap (02:30 on a spring-forward night) ends the
// window at the transition, the first instant whose wall clock is past it.
func QuietHours(start, end string, loc *time.Location, now time.Time) (bool, time.Time, error) {
	if start == "" && end == "" {
		return false, time.Time{}, nil
	}
	if start == "" || end == "" {
		return false, time.Time{}, errors.New("quiet hours need both a start and an end")
	}
	startMin, err := clock.Parse(start)
	if err != nil {
		return false, time.Time{}, err
	}
	endMin, err := clock.Parse(end)
	if err != nil {
		return false, time.Time{}, err
	}
	if loc == nil {
		loc = time.UTC
	}
	// "24:00" is midnight, the same minute as "00:00"
	startMin, endMin = startMin%clock.MinutesPerDay, endMin%clock.MinutesPerDay
	if startMin == endMin {
		return false, time.Time{}, nil
	}

	local := now.In(loc)
	minute := local.Hour()*60 + local.Minute()
	year, month, day := local.Date()
	var inside bool
	endDay := day
	if startMin < endMin {
		inside = minute >= startMin && minute < endMin
	} else {
		inside = minute >= startMin || minute < endMin
		if minute >= startMin {
			endDay = day + 1
		}
	}
	if !inside {
		return false, time.Time{}, nil
	}

	endAt := time.Date(year, month, endDay, endMin/60, endMin%60, 0, 0, loc)
	if shown := endAt.Hour()*60 + endAt.Minute(); shown != endMin {
		// the end does not exist that day (DST gap) and time.Date moved it
		// to one side of the gap: the window ends when the clock jumps
		zoneStart, zoneEnd := endAt.ZoneBounds()
		if shown < endMin {
			endAt = zoneEnd
		} else {
			endAt = zoneStart
		}
	}
	return true, endAt, nil
}
