package calendar_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"studyhall/calendar"
)

// The VTIMEZONE oracle: a small reader of the VTIMEZONEs studyhall writes
// (observances with a DTSTART and an optional yearly BYMONTH/BYDAY rule),
// written apart from the writer, tells the UTC offset a calendar app
// would use at any instant; it must agree with Go's zone database.

// onset is one moment an observance takes effect.
type onset struct {
	at time.Time
	to int
}

// parseOffset reads a UTC-OFFSET value (+0100, -0330, +054500).
func parseOffset(t *testing.T, s string) int {
	t.Helper()
	if len(s) != 5 && len(s) != 7 {
		t.Fatalf("bad UTC offset %q", s)
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	sec := 0
	if len(s) == 7 {
		sec, _ = strconv.Atoi(s[5:7])
	}
	v := h*3600 + m*60 + sec
	if s[0] == '-' {
		v = -v
	}
	return v
}

// ruleDay is the day of month a BYDAY value (-1SU, 2SU) picks in year
// and month, found by walking the month's days.
func ruleDay(t *testing.T, year int, month time.Month, byDay string) int {
	t.Helper()
	n, err := strconv.Atoi(byDay[:len(byDay)-2])
	if err != nil {
		t.Fatalf("bad BYDAY %q", byDay)
	}
	var days []int
	for d := time.Date(year, month, 1, 0, 0, 0, 0, time.UTC); d.Month() == month; d = d.AddDate(0, 0, 1) {
		if strings.ToUpper(d.Weekday().String()[:2]) == byDay[len(byDay)-2:] {
			days = append(days, d.Day())
		}
	}
	if n < 0 {
		return days[len(days)+n]
	}
	return days[n-1]
}

// vtimezoneOnsets lists every onset of tz's observances up to year last.
func vtimezoneOnsets(t *testing.T, tz *ics.VTimezone, last int) []onset {
	t.Helper()
	var out []onset
	for _, part := range tz.Components {
		var base *ics.ComponentBase
		switch p := part.(type) {
		case *ics.Standard:
			base = &p.ComponentBase
		case *ics.Daylight:
			base = &p.ComponentBase
		default:
			t.Fatalf("unexpected part %T in VTIMEZONE", part)
		}
		prop := func(name ics.ComponentProperty) string {
			if p := base.GetProperty(name); p != nil {
				return p.Value
			}
			return ""
		}
		start, err := time.Parse(calendar.ICSLocalFormat, prop(ics.ComponentPropertyDtStart))
		if err != nil {
			t.Fatal(err)
		}
		from := parseOffset(t, prop(ics.ComponentProperty(ics.PropertyTzoffsetfrom)))
		to := parseOffset(t, prop(ics.ComponentProperty(ics.PropertyTzoffsetto)))
		at := func(wall time.Time) time.Time { return wall.Add(-time.Duration(from) * time.Second) }
		rule := prop(ics.ComponentPropertyRrule)
		if rule == "" {
			out = append(out, onset{at(start), to})
			continue
		}
		fields := map[string]string{}
		for _, kv := range strings.Split(rule, ";") {
			k, v, _ := strings.Cut(kv, "=")
			fields[k] = v
		}
		month, _ := strconv.Atoi(fields["BYMONTH"])
		if fields["FREQ"] != "YEARLY" || month == 0 || len(fields) != 3 {
			t.Fatalf("unexpected RRULE %q", rule)
		}
		clock := start.Sub(start.Truncate(24 * time.Hour))
		for y := start.Year(); y <= last; y++ {
			day := ruleDay(t, y, time.Month(month), fields["BYDAY"])
			out = append(out, onset{at(time.Date(y, time.Month(month), day, 0, 0, 0, 0, time.UTC).Add(clock)), to})
		}
	}
	return out
}

// transitionInstants are the instants in [from, to) at which loc's
// offset changes, found by Go's own zone bounds.
func transitionInstants(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	for t := from.In(loc); ; {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			return out
		}
		out = append(out, end)
		t = end.In(loc)
	}
}

// offsetAt is the offset the onsets give instant u: the latest onset at
// or before it.
func offsetAt(t *testing.T, onsets []onset, u time.Time) int {
	t.Helper()
	var best *onset
	for i := range onsets {
		if !onsets[i].at.After(u) && (best == nil || onsets[i].at.After(best.at)) {
			best = &onsets[i]
		}
	}
	if best == nil {
		t.Fatalf("no observance covers %v", u)
	}
	return best.to
}

// TestVTimezoneMatchesZoneDatabase: for zones with and without daylight
// saving, southern and northern, half-hour and 45-minute offsets,
// abolished DST and irregular rules, the VTIMEZONE (serialized, parsed
// back by the library) gives the same offset as Go at every transition
// and on a grid through the years it covers. Zones with a plain yearly
// rule are written as two RRULE observances.
func TestVTimezoneMatchesZoneDatabase(t *testing.T) {
	const year = 2026
	zones := map[string]int{ // zone → observances expected with RRULE (-1: irregular or none)
		"Europe/London": 2, "America/New_York": 2, "Australia/Sydney": 2, "Pacific/Auckland": 2,
		"America/St_Johns": 2, "Pacific/Chatham": 2, "Australia/Lord_Howe": 2, "Europe/Dublin": 2,
		"Asia/Kolkata": 0, "UTC": 0, "Asia/Tehran": 0, "America/Sao_Paulo": 0,
		"Africa/Casablanca": -1, "Asia/Gaza": -1,
		// "first Sunday on or after the 2nd": no n-th weekday rule
		"America/Santiago": -1,
	}
	for name, wantRules := range zones {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		cal := calendar.NewCalendar("")
		calendar.AddZones(cal, map[string]*time.Location{name: loc}, year)
		body := calendar.Serialize(cal)
		checkWireFormat(t, body)
		parsed, err := ics.ParseCalendar(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tzs := parsed.Timezones()
		if len(tzs) != 1 || tzs[0].GetProperty(ics.ComponentPropertyTzid).Value != name {
			t.Fatalf("%s: VTIMEZONEs %v", name, tzs)
		}
		rules := strings.Count(body, "RRULE:")
		switch {
		case wantRules >= 0 && rules != wantRules:
			t.Errorf("%s: %d RRULE observances, want %d:\n%s", name, rules, wantRules, body)
		case wantRules < 0 && rules != 0:
			t.Errorf("%s: irregular zone written with rules:\n%s", name, body)
		}

		last := year + calendar.RuleYears
		onsets := vtimezoneOnsets(t, tzs[0], last)
		from := time.Date(year-1, 1, 1, 0, 0, 0, 0, time.UTC)
		to := time.Date(last+1, 1, 1, 0, 0, 0, 0, time.UTC)
		var instants []time.Time
		for u := from; u.Before(to); u = u.Add(61 * time.Hour) {
			instants = append(instants, u)
		}
		for _, at := range transitionInstants(loc, from, to) {
			instants = append(instants, at.Add(-time.Second), at, at.Add(time.Second))
		}
		bad := 0
		for _, u := range instants {
			_, want := u.In(loc).Zone()
			if got := offsetAt(t, onsets, u); got != want && bad < 3 {
				bad++
				t.Errorf("%s at %v: VTIMEZONE offset %s, Go says %s", name, u, calendar.FormatOffset(got), calendar.FormatOffset(want))
			}
		}
	}
}

func TestFormatOffset(t *testing.T) {
	for seconds, want := range map[int]string{0: "+0000", 3600: "+0100", -18000: "-0500", -12600: "-0330", 45900: "+1245", 3*3600 + 1: "+030001"} {
		if got := calendar.FormatOffset(seconds); got != want {
			t.Errorf("calendar.FormatOffset(%d) = %s, want %s", seconds, got, want)
		}
	}
}
