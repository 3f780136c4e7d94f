package livesessions_test

import (
	"errors"
	"testing"
	"time"

	"studyhall/livesessions"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func mustDate(t *testing.T, s string) livesessions.Date {
	t.Helper()
	d, err := livesessions.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestSeriesLocalTimeAcrossDST: a wall-clock time in a zone, on days
// either side of and on the clock changes, including the times a change
// skips (RFC 5545: the offset from before the gap) and repeats (the first).
func TestSeriesLocalTimeAcrossDST(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, zone, date, clock string
		want                    string // the instant, RFC 3339 in UTC
		wantLocal               string // the wall clock it shows, 15:04 MST
	}{
		{"London winter", "Europe/London", "2026-03-24", "10:00", "2026-03-24T10:00:00Z", "10:00 GMT"},
		{"London, the Sunday of the March change", "Europe/London", "2026-03-29", "10:00", "2026-03-29T09:00:00Z", "10:00 BST"},
		{"London summer", "Europe/London", "2026-03-31", "10:00", "2026-03-31T09:00:00Z", "10:00 BST"},
		{"London, the Sunday of the October change", "Europe/London", "2026-10-25", "10:00", "2026-10-25T10:00:00Z", "10:00 GMT"},
		// London skips 01:00-02:00 on 29 March: 02:30 exists there
		{"London 02:30 on the March change exists", "Europe/London", "2026-03-29", "02:30", "2026-03-29T01:30:00Z", "02:30 BST"},
		{"London 01:30 skipped: an hour later, 02:30 BST", "Europe/London", "2026-03-29", "01:30", "2026-03-29T01:30:00Z", "02:30 BST"},
		{"London 01:30 repeated in October: the first, BST", "Europe/London", "2026-10-25", "01:30", "2026-10-25T00:30:00Z", "01:30 BST"},
		{"New York 02:30 skipped: 03:30 EDT", "America/New_York", "2026-03-08", "02:30", "2026-03-08T07:30:00Z", "03:30 EDT"},
		{"Berlin 02:30 skipped: 03:30 CEST", "Europe/Berlin", "2026-03-29", "02:30", "2026-03-29T01:30:00Z", "03:30 CEST"},
		{"New York 01:30 repeated: the first, EDT", "America/New_York", "2026-11-01", "01:30", "2026-11-01T05:30:00Z", "01:30 EDT"},
		{"Lord Howe half-hour change: 02:15 skipped", "Australia/Lord_Howe", "2026-10-04", "02:15", "2026-10-03T15:45:00Z", "02:45 +11"},
		{"UTC", "UTC", "2026-06-01", "23:59", "2026-06-01T23:59:00Z", "23:59 UTC"},
	}
	for _, c := range cases {
		loc := mustZone(t, c.zone)
		hour, minute, err := livesessions.ParseClock(c.clock)
		if err != nil {
			t.Fatal(err)
		}
		got := livesessions.LocalTime(mustDate(t, c.date), hour, minute, loc)
		if got.UTC().Format(time.RFC3339) != c.want || got.In(loc).Format("15:04 MST") != c.wantLocal {
			t.Errorf("%s: %s (%s), want %s (%s)", c.name, got.UTC().Format(time.RFC3339), got.In(loc).Format("15:04 MST"), c.want, c.wantLocal)
		}
	}
}

// TestSeriesWeeklyOccurrences: a 10:00 Europe/London Tuesday and Thursday
// series through both clock changes keeps 10:00 local every week, the UTC
// instant moving by an hour, and ends at its count or date.
func TestSeriesWeeklyOccurrences(t *testing.T) {
	t.Parallel()
	london := mustZone(t, "Europe/London")
	rule := livesessions.Weekly{
		Days: []time.Weekday{time.Tuesday}, Hour: 10, Minute: 0, Location: london,
		From: mustDate(t, "2026-03-17"), Count: 34, // to 3 November, over both changes
	}
	starts, err := rule.Occurrences()
	if err != nil {
		t.Fatal(err)
	}
	if len(starts) != 34 {
		t.Fatalf("%d occurrences, want 34", len(starts))
	}
	for i, start := range starts {
		local := start.In(london)
		if local.Weekday() != time.Tuesday || local.Hour() != 10 || local.Minute() != 0 {
			t.Errorf("occurrence %d at %s local", i+1, local.Format(time.RFC1123))
		}
		wantUTC := 9 // BST
		if local.Before(time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)) || !local.Before(time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC)) {
			wantUTC = 10 // GMT
		}
		if start.Hour() != wantUTC {
			t.Errorf("occurrence %d at %s UTC, want %02d:00 UTC", i+1, start.Format(time.RFC3339), wantUTC)
		}
		if i > 0 && local.YearDay()-starts[i-1].In(london).YearDay() != 7 {
			t.Errorf("occurrence %d is not a week after the one before", i+1)
		}
	}
	if got := starts[0].Format(time.RFC3339); got != "2026-03-17T10:00:00Z" {
		t.Errorf("first %s", got)
	}
	if got := starts[33].Format(time.RFC3339); got != "2026-11-03T10:00:00Z" {
		t.Errorf("last %s", got)
	}

	until := mustDate(t, "2026-03-31")
	twice := livesessions.Weekly{
		Days: []time.Weekday{time.Thursday, time.Tuesday}, Hour: 10, Location: london,
		From: mustDate(t, "2026-03-19"), Until: &until,
	}
	starts, err = twice.Occurrences()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range starts {
		got = append(got, s.Format(time.RFC3339))
	}
	want := []string{"2026-03-19T10:00:00Z", "2026-03-24T10:00:00Z", "2026-03-26T10:00:00Z", "2026-03-31T09:00:00Z"}
	if len(got) != len(want) {
		t.Fatalf("until 31 March: %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("until 31 March: %v, want %v", got, want)
		}
	}
}

// TestSeriesRuleBounds: at most 52 occurrences, and a rule with no end,
// no day or an end before its start is refused.
func TestSeriesRuleBounds(t *testing.T) {
	t.Parallel()
	utc := time.UTC
	from := mustDate(t, "2026-01-05")
	farAway := mustDate(t, "2027-12-31")
	justAYear := mustDate(t, "2026-12-28") // the 52nd Monday
	before := mustDate(t, "2026-01-01")
	cases := []struct {
		name string
		rule livesessions.Weekly
		n    int
		err  error
	}{
		{"52 Mondays by date", livesessions.Weekly{Days: []time.Weekday{time.Monday}, Location: utc, From: from, Until: &justAYear}, 52, nil},
		{"52 by count", livesessions.Weekly{Days: []time.Weekday{time.Monday, time.Friday}, Location: utc, From: from, Count: 52}, 52, nil},
		{"count and date: the sooner", livesessions.Weekly{Days: []time.Weekday{time.Monday}, Location: utc, From: from, Until: &farAway, Count: 3}, 3, nil},
		{"two years of Mondays", livesessions.Weekly{Days: []time.Weekday{time.Monday}, Location: utc, From: from, Until: &farAway}, 0, livesessions.ErrSeriesTooLong},
		{"53 by count", livesessions.Weekly{Days: []time.Weekday{time.Monday}, Location: utc, From: from, Count: 53}, 0, livesessions.ErrSeriesTooLong},
		{"no end", livesessions.Weekly{Days: []time.Weekday{time.Monday}, Location: utc, From: from}, 0, livesessions.ErrSeriesNoEnd},
		{"no day", livesessions.Weekly{Location: utc, From: from, Count: 3}, 0, livesessions.ErrSeriesNoDays},
		{"ends before it starts", livesessions.Weekly{Days: []time.Weekday{time.Monday}, Location: utc, From: from, Until: &before}, 0, livesessions.ErrSeriesEndsBefore},
	}
	for _, c := range cases {
		starts, err := c.rule.Occurrences()
		if !errors.Is(err, c.err) || len(starts) != c.n {
			t.Errorf("%s: %d occurrences, error %v; want %d, %v", c.name, len(starts), err, c.n, c.err)
		}
	}
	for _, bad := range []string{"2026-02-30", "2026-3-1", "tomorrow", ""} {
		if _, err := livesessions.ParseDate(bad); err == nil {
			t.Errorf("ParseDate(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"24:00", "9:30", "09:60", "noon"} {
		if _, _, err := livesessions.ParseClock(bad); err == nil {
			t.Errorf("ParseClock(%q) accepted", bad)
		}
	}
}
