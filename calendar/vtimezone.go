package calendar

import (
	"fmt"
	"strconv"
	"time"

	ics "github.com/arran4/golang-ical"
)

// VTIMEZONE: RFC 5545 wants one for every TZID an object uses, and
// Outlook and older clients rely on it; Google and Apple also resolve IANA
// names on their own. So the feed names each slot's zone by its IANA name
// (DTSTART;TZID=Europe/London:...) and describes that zone in a VTIMEZONE
// built from Go's own zone database, the one the server computes with:
//
//   - a zone whose transitions follow a yearly rule ("last Sunday of
//     March at 01:00") for the next ruleYears years gets one DAYLIGHT and
//     one STANDARD observance with that RRULE, starting in 1970 as the
//     vzic-made zones of the major calendar apps do;
//   - a zone without transitions gets one STANDARD observance;
//   - any other zone (transitions that follow no weekday rule, a rule
//     that changes) gets one observance per transition from last year to
//     ruleYears ahead; the last one then stands for later years.

// ruleYears is how far ahead a zone's rule is checked against Go's zone
// database, and how far ahead an irregular zone is listed.
const ruleYears = 10

// icsLocalFormat is a DATE-TIME in local time (FORM #3 with a TZID).
const icsLocalFormat = "20060102T150405"

// observance is one STANDARD or DAYLIGHT part of a VTIMEZONE.
type observance struct {
	daylight bool
	// start is the onset in the local time in force before it.
	start    time.Time
	from, to int // UTC offsets in seconds
	name     string
	// rrule is the yearly rule of the onsets, or "" for a single onset.
	rrule string
}

// transition is one change of a zone's offset, name or DST flag.
type transition struct {
	at       time.Time // the instant, UTC
	from, to int
	name     string
	dst      bool
}

// zoneTransitions lists the transitions of loc in [from, to).
func zoneTransitions(loc *time.Location, from, to time.Time) []transition {
	var out []transition
	t := from.In(loc)
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			return out
		}
		_, fromOffset := t.Zone()
		next := end.In(loc)
		name, toOffset := next.Zone()
		out = append(out, transition{at: end.UTC(), from: fromOffset, to: toOffset, name: name, dst: next.IsDST()})
		t = next
	}
}

// yearlyRule is "the n-th (or, with n = -1, the last) weekday of month,
// at a local wall-clock time".
type yearlyRule struct {
	month   time.Month
	weekday time.Weekday
	n       int
	clock   time.Duration // since local midnight
}

// date is the rule's onset in year, as a local wall-clock time (in UTC
// for the arithmetic only).
func (r yearlyRule) date(year int) time.Time {
	var day time.Time
	if r.n < 0 {
		last := time.Date(year, r.month+1, 0, 0, 0, 0, 0, time.UTC)
		day = last.AddDate(0, 0, -((int(last.Weekday()) - int(r.weekday) + 7) % 7))
	} else {
		first := time.Date(year, r.month, 1, 0, 0, 0, 0, time.UTC)
		day = first.AddDate(0, 0, (int(r.weekday)-int(first.Weekday())+7)%7+7*(r.n-1))
	}
	return day.Add(r.clock)
}

// rrule is the rule as an RFC 5545 RRULE value.
func (r yearlyRule) rrule() string {
	return "FREQ=YEARLY;BYMONTH=" + strconv.Itoa(int(r.month)) + ";BYDAY=" + strconv.Itoa(r.n) + weekdayCodes[r.weekday]
}

// weekdayCodes are RFC 5545's weekday names, Sunday first as in Go.
var weekdayCodes = [7]string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

// wallClock is the local wall-clock time of a transition, in the offset
// in force before it, as the observance's DTSTART states it.
func (tr transition) wallClock() time.Time {
	return tr.at.Add(time.Duration(tr.from) * time.Second)
}

// ruleCandidates are the rules a transition fits: the n-th weekday of its
// month and, in the month's last seven days, the last one.
func ruleCandidates(tr transition) []yearlyRule {
	wall := tr.wallClock()
	midnight := time.Date(wall.Year(), wall.Month(), wall.Day(), 0, 0, 0, 0, time.UTC)
	base := yearlyRule{month: wall.Month(), weekday: wall.Weekday(), n: (wall.Day()-1)/7 + 1, clock: wall.Sub(midnight)}
	out := []yearlyRule{}
	if daysIn := time.Date(wall.Year(), wall.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day(); wall.Day()+7 > daysIn {
		last := base
		last.n = -1
		out = append(out, last)
	}
	return append(out, base)
}

// zoneObservances describes loc from the point of view of year: see the
// top of this file.
func zoneObservances(loc *time.Location, year int) []observance {
	yearStart := func(y int) time.Time { return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC) }
	this := zoneTransitions(loc, yearStart(year), yearStart(year+1))
	if len(this) == 0 {
		name, offset := yearStart(year).In(loc).Zone()
		// no transition this year: if none follow either, one STANDARD
		if len(zoneTransitions(loc, yearStart(year), yearStart(year+ruleYears+1))) == 0 {
			return []observance{{start: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), from: offset, to: offset, name: name}}
		}
	}
	if rules := fitRules(loc, this, year); rules != nil {
		out := make([]observance, len(this))
		for i, tr := range this {
			out[i] = observance{daylight: tr.dst, start: rules[i].date(1970), from: tr.from, to: tr.to, name: tr.name, rrule: rules[i].rrule()}
		}
		return out
	}
	// irregular: every transition of the window, after the offset in
	// force at its start
	first := yearStart(year - 1)
	name, offset := first.In(loc).Zone()
	out := []observance{{daylight: first.In(loc).IsDST(), start: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), from: offset, to: offset, name: name}}
	for _, tr := range zoneTransitions(loc, first, yearStart(year+ruleYears+1)) {
		out = append(out, observance{daylight: tr.dst, start: tr.wallClock(), from: tr.from, to: tr.to, name: tr.name})
	}
	return out
}

// fitRules finds, for each transition of year, the yearly rule that
// gives the zone's transitions in every year from year to year+ruleYears,
// or nil when there is none.
func fitRules(loc *time.Location, this []transition, year int) []yearlyRule {
	if len(this) == 0 {
		return nil
	}
	years := make([][]transition, ruleYears+1)
	for i := range years {
		y := year + i
		years[i] = zoneTransitions(loc, time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC))
		if len(years[i]) != len(this) {
			return nil
		}
	}
	rules := make([]yearlyRule, len(this))
	for k, tr := range this {
		found := false
		for _, rule := range ruleCandidates(tr) {
			fits := true
			for i, trs := range years {
				got := trs[k]
				if !rule.date(year+i).Equal(got.wallClock()) || got.from != tr.from || got.to != tr.to || got.name != tr.name || got.dst != tr.dst {
					fits = false
					break
				}
			}
			if fits {
				rules[k], found = rule, true
				break
			}
		}
		if !found {
			return nil
		}
	}
	return rules
}

// newVTimezone is the VTIMEZONE of the IANA zone loc, as of year.
func newVTimezone(loc *time.Location, year int) *ics.VTimezone {
	tz := ics.NewTimezone(loc.String())
	for _, o := range zoneObservances(loc, year) {
		var part ics.Component
		var base *ics.ComponentBase
		if o.daylight {
			d := &ics.Daylight{}
			part, base = d, &d.ComponentBase
		} else {
			s := ics.NewStandard()
			part, base = s, &s.ComponentBase
		}
		base.AddProperty(ics.ComponentPropertyDtStart, o.start.Format(icsLocalFormat))
		base.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), formatOffset(o.from))
		base.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), formatOffset(o.to))
		if o.name != "" {
			base.AddProperty(ics.ComponentProperty(ics.PropertyTzname), o.name)
		}
		if o.rrule != "" {
			base.AddProperty(ics.ComponentPropertyRrule, o.rrule)
		}
		tz.Components = append(tz.Components, part)
	}
	return tz
}

// formatOffset is a UTC-OFFSET value: +0100, -0500, +0530 (+HHMMSS when
// there are seconds).
func formatOffset(seconds int) string {
	sign := "+"
	if seconds < 0 {
		sign, seconds = "-", -seconds
	}
	s := fmt.Sprintf("%s%02d%02d", sign, seconds/3600, seconds/60%60)
	if seconds%60 != 0 {
		s += fmt.Sprintf("%02d", seconds%60)
	}
	return s
}
