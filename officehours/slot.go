// Package officehours is instructors' virtual office hours: weekly slots,
// opening and closing them, the queue students join and watch move, and the
// visit's chat room. Its arithmetic lives in plain functions with plain
// inputs, tested without a server (slot.go, queue.go): when a weekly slot
// is open in its own time zone (DST and week wrap included), how long a
// manual open or close lasts, whether two slots overlap, and the positions
// and estimated waits of a queue.
package officehours

import (
	"errors"
	"fmt"
	"time"

	"studyhall/clock"
	"studyhall/collections"
)

// Slot is one weekly occurrence in wall-clock time: Weekday from Start to
// End (minutes since midnight, Start < End) in Location.
type Slot struct {
	Weekday  time.Weekday
	Start    int
	End      int
	Location *time.Location
}

// NewSlot builds a Slot from the stored form of an office_hours record.
func NewSlot(dayOfWeek int, start, end, timezone string) (Slot, error) {
	if dayOfWeek < 0 || dayOfWeek > 6 {
		return Slot{}, fmt.Errorf("day of week %d: want 0 (Sunday) to 6", dayOfWeek)
	}
	startMin, err := clock.Parse(start)
	if err != nil {
		return Slot{}, err
	}
	endMin, err := clock.Parse(end)
	if err != nil {
		return Slot{}, err
	}
	// "Local" would mean the server's own clock, which is never what an
	// instructor means
	if timezone == "" || timezone == "Local" {
		return Slot{}, fmt.Errorf("time zone %q: want an IANA name", timezone)
	}
	loc, err := time.LoadLocation(timezone)
	if err != nil {
		return Slot{}, fmt.Errorf("time zone %q: %w", timezone, err)
	}
	s := Slot{Weekday: time.Weekday(dayOfWeek), Start: startMin, End: endMin, Location: loc}
	return s, s.Validate()
}

// ErrEmptySlot is returned for a slot that does not start before it ends.
var ErrEmptySlot = errors.New("slot must start before it ends")

// Validate checks the invariants NewSlot relies on.
func (s Slot) Validate() error {
	if s.Location == nil {
		return errors.New("slot has no time zone")
	}
	if s.Start < 0 || s.End > clock.MinutesPerDay {
		return errors.New("slot times out of range")
	}
	if s.Start >= s.End {
		return ErrEmptySlot
	}
	return nil
}

// Contains reports whether t lies inside an occurrence of the slot: on its
// weekday, with the wall clock of its zone reading at least Start and less
// than End. Comparing wall clocks (not instants) is what the instructor
// means by "Mondays 10:00-12:00 in Berlin", in summer and in winter alike.
// A wall-clock hour that DST skips is never inside a slot; one that DST
// repeats is inside it both times.
func (s Slot) Contains(t time.Time) bool {
	local := t.In(s.Location)
	if local.Weekday() != s.Weekday {
		return false
	}
	minute := local.Hour()*60 + local.Minute()
	return minute >= s.Start && minute < s.End
}

// StartOn is the instant the slot begins on the calendar date of day in
// the slot's zone, whatever weekday that is.
func (s Slot) StartOn(day time.Time) time.Time {
	return s.wallInstant(day, s.Start)
}

// EndOn is the instant the slot ends on the calendar date of day in the
// slot's zone, whatever weekday that is.
func (s Slot) EndOn(day time.Time) time.Time {
	return s.wallInstant(day, s.End)
}

// wallInstant is the first instant at which the wall clock of the slot's
// zone reads minute (or later) on the date of day. For a wall time that a
// DST jump skips, that is the instant of the jump.
func (s Slot) wallInstant(day time.Time, minute int) time.Time {
	y, m, d := day.In(s.Location).Date()
	t := time.Date(y, m, d, minute/60, minute%60, 0, 0, s.Location)
	if minute == clock.MinutesPerDay {
		return t // midnight of the next day, which DST never skips in practice
	}
	if t.Hour()*60+t.Minute() == minute && t.Day() == d {
		return t
	}
	// a skipped wall time: time.Date moved it by the size of the gap, to
	// one side of the jump or the other; the jump itself is the answer
	zoneStart, zoneEnd := t.ZoneBounds()
	if t.Hour()*60+t.Minute() < minute || t.Day() != d {
		return zoneEnd
	}
	return zoneStart
}

// NextStart is the first start of an occurrence strictly after now.
func (s Slot) NextStart(now time.Time) time.Time {
	local := now.In(s.Location)
	for offset := 0; offset <= 7; offset++ {
		day := time.Date(local.Year(), local.Month(), local.Day()+offset, 12, 0, 0, 0, s.Location)
		if day.Weekday() != s.Weekday {
			continue
		}
		if start := s.StartOn(day); start.After(now) {
			return start
		}
	}
	// unreachable: the same weekday comes back within 7 days
	return now.AddDate(0, 0, 7)
}

// Day is the calendar day of now in the slot's zone, as the instants
// [from, to) from its midnight to the next: 23 or 25 hours long on the
// days DST begins or ends. A daily visit limit counts within it.
func (s Slot) Day(now time.Time) (from, to time.Time) {
	local := now.In(s.Location)
	from = time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, s.Location)
	to = time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, s.Location)
	return from, to
}

// ---------------------------------------------------------------------
// manual open and close

// Override is a manual open or close by the instructor: State is
// collections.OfficeHoursManualOpen or collections.OfficeHoursManualClosed
// (or "" for none), in effect until Until.
type Override struct {
	State string
	Until time.Time
}

// InEffect reports whether the override decides the slot's state at now.
func (o Override) InEffect(now time.Time) bool {
	return o.State != "" && now.Before(o.Until)
}

// IsOpen reports whether a slot takes queue joins at now: an inactive slot
// never does; an override in effect decides; otherwise the schedule does.
func IsOpen(s Slot, active bool, o Override, now time.Time) bool {
	if !active {
		return false
	}
	if o.InEffect(now) {
		return o.State == collections.OfficeHoursManualOpen
	}
	return s.Contains(now)
}

// ClosedFor reports whether a slot is closed at now and was already closed
// grace earlier: long enough that its waiting queue can be let go,
// leaving the instructor a few minutes past the end to finish up.
func ClosedFor(s Slot, active bool, o Override, now time.Time, grace time.Duration) bool {
	return !IsOpen(s, active, o, now) && !IsOpen(s, active, o, now.Add(-grace))
}

// ManualOpenUntil is when a manual open made at now ends by itself: at the
// slot's end today (in its zone). Once today's end has passed, an open
// lasts until the end of today, so an instructor can still hold extra
// hours late in the day.
func (s Slot) ManualOpenUntil(now time.Time) time.Time {
	if end := s.EndOn(now); end.After(now) {
		return end
	}
	local := now.In(s.Location)
	return time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, s.Location)
}

// ManualCloseUntil is when a manual close made at now ends by itself: when
// the next occurrence begins.
func (s Slot) ManualCloseUntil(now time.Time) time.Time {
	return s.NextStart(now)
}

// ---------------------------------------------------------------------
// overlaps

// overlapWeeks is how many weeks Overlaps compares slots in different
// zones: a year and a bit, so every DST rule of both zones comes by.
const overlapWeeks = 54

// Overlaps reports whether two weekly slots ever run at the same time.
// Slots in the same zone are compared as wall-clock intervals; slots in
// different zones as instants over the year from from, since their
// distance changes as each zone enters and leaves DST.
func Overlaps(a, b Slot, from time.Time) bool {
	if a.Location.String() == b.Location.String() {
		return a.Weekday == b.Weekday && a.Start < b.End && b.Start < a.End
	}
	as := a.occurrences(from, overlapWeeks)
	bs := b.occurrences(from, overlapWeeks)
	for _, x := range as {
		for _, y := range bs {
			if x[0].Before(y[1]) && y[0].Before(x[1]) {
				return true
			}
		}
	}
	return false
}

// occurrences lists the [start, end) instants of the slot's next weeks
// occurrences, beginning with the one of the week before from so that an
// occurrence running at from is included.
func (s Slot) occurrences(from time.Time, weeks int) [][2]time.Time {
	local := from.In(s.Location)
	first := time.Date(local.Year(), local.Month(), local.Day()-7, 12, 0, 0, 0, s.Location)
	for first.Weekday() != s.Weekday {
		first = first.AddDate(0, 0, 1)
	}
	out := make([][2]time.Time, 0, weeks+1)
	for week := 0; week <= weeks; week++ {
		day := first.AddDate(0, 0, 7*week)
		out = append(out, [2]time.Time{s.StartOn(day), s.EndOn(day)})
	}
	return out
}
