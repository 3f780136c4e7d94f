package livesessions

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// The occurrence arithmetic of weekly series: plain values in, UTC
// instants out, no database.
//
// A series meets on some weekdays at one wall-clock time in one IANA zone,
// so "10:00 Europe/London" stays 10:00 in London across the clock
// changes: 10:00 GMT (10:00 UTC) in winter, 10:00 BST (09:00 UTC) in
// summer. A wall-clock time that a zone skips or repeats on the day of a
// change is read as RFC 5545 (3.3.5) reads a DTSTART:
//   - in a spring-forward gap it takes the offset from before the gap, so
//     it lands as far after the gap's start as it was meant to be
//     (02:30 in New York on the March change is 03:30 EDT; 01:30 in
//     London on the March change is 02:30 BST);
//   - in a fall-back overlap it is the first of the two (01:30 in New York
//     on the November change is 01:30 EDT, not EST).

// Date is a calendar day in a series' own zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads YYYY-MM-DD; a day that does not exist (2026-02-30) is
// an error.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// String is the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// civil is the date at midnight UTC, for calendar arithmetic.
func (d Date) civil() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// addDays is the date n days later.
func (d Date) addDays(n int) Date {
	t := d.civil().AddDate(0, 0, n)
	return Date{t.Year(), t.Month(), t.Day()}
}

// after reports whether d is later than other.
func (d Date) after(other Date) bool { return d.civil().After(other.civil()) }

// ParseClock reads HH:MM (00:00 to 23:59).
func ParseClock(s string) (hour, minute int, err error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, 0, fmt.Errorf("time %q: want HH:MM", s)
	}
	return t.Hour(), t.Minute(), nil
}

// LocalTime is the instant at which the wall clock in loc shows hour:minute
// on the date, with a skipped time moved past the gap and a repeated one
// taken the first time (see the top of this file).
func LocalTime(d Date, hour, minute int, loc *time.Location) time.Time {
	// the wall time read as if it were UTC, and the zone's offsets a day
	// either side of it: no zone changes twice within two days
	naive := time.Date(d.Year, d.Month, d.Day, hour, minute, 0, 0, time.UTC)
	_, before := naive.Add(-24 * time.Hour).In(loc).Zone()
	_, after := naive.Add(24 * time.Hour).In(loc).Zone()
	shows := func(t time.Time) bool {
		local := t.In(loc)
		return local.Day() == d.Day && local.Hour() == hour && local.Minute() == minute
	}
	first := naive.Add(-time.Duration(before) * time.Second)
	second := naive.Add(-time.Duration(after) * time.Second)
	switch {
	case shows(first) && shows(second):
		if second.Before(first) {
			return second
		}
		return first
	case shows(first):
		return first
	case shows(second):
		return second
	}
	// in a gap: the offset from before it
	return first
}

// Weekly is the rule of a series.
type Weekly struct {
	Days         []time.Weekday
	Hour, Minute int
	Location     *time.Location
	// From is the first day that may hold an occurrence.
	From Date
	// Until, when set, is the last; Count, when above 0, how many
	// occurrences there are. At least one of them is set; with both, the
	// series ends at whichever comes first.
	Until *Date
	Count int
}

// Errors of a rule that cannot make a series.
var (
	ErrSeriesNoEnd      = errors.New("a series needs an end date or a number of sessions")
	ErrSeriesEndsBefore = errors.New("the end date is before the start date")
	ErrSeriesNoDays     = errors.New("a series needs at least one weekday")
	ErrSeriesTooLong    = fmt.Errorf("a series holds at most %d sessions", maxOccurrences)
)

// maxOccurrences is collections.MaxSeriesOccurrences, kept here so that
// the arithmetic stays free of the app's packages.
const maxOccurrences = 52

// Occurrences are the starts of every session of the rule, in order, as
// UTC instants. A rule that would make more than 52 is an error rather
// than a series cut short without a word.
func (w Weekly) Occurrences() ([]time.Time, error) {
	switch {
	case w.Until == nil && w.Count <= 0:
		return nil, ErrSeriesNoEnd
	case w.Until != nil && w.From.after(*w.Until):
		return nil, ErrSeriesEndsBefore
	case len(w.Days) == 0:
		return nil, ErrSeriesNoDays
	case w.Count > maxOccurrences:
		return nil, ErrSeriesTooLong
	}
	var starts []time.Time
	for d := w.From; w.Until == nil || !d.after(*w.Until); d = d.addDays(1) {
		if !slices.Contains(w.Days, d.civil().Weekday()) {
			continue
		}
		if len(starts) == maxOccurrences {
			return nil, ErrSeriesTooLong
		}
		starts = append(starts, LocalTime(d, w.Hour, w.Minute, w.Location).UTC())
		if w.Count > 0 && len(starts) == w.Count {
			break
		}
	}
	return starts, nil
}
