package notifications

import (
	"testing"
	"time"
)

func TestQuietHours(t *testing.T) {
	t.Parallel()
	zone := func(name string) *time.Location {
		loc, err := time.LoadLocation(name)
		if err != nil {
			t.Fatal(err)
		}
		return loc
	}
	newYork, berlin, kolkata := zone("America/New_York"), zone("Europe/Berlin"), zone("Asia/Kolkata")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	utc := func(y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, time.UTC)
	}

	cases := []struct {
		name       string
		start, end string
		loc        *time.Location
		now        time.Time
		quiet      bool
		until      time.Time // in UTC; zero when not quiet
		wantErr    bool
	}{
		{name: "no window", loc: berlin, now: at(berlin, 2026, 6, 1, 3, 0)},
		{name: "same-day window, inside", start: "13:00", end: "15:00", loc: berlin, now: at(berlin, 2026, 6, 1, 14, 0),
			quiet: true, until: utc(2026, 6, 1, 13, 0)},
		{name: "same-day window, at its start", start: "13:00", end: "15:00", loc: berlin, now: at(berlin, 2026, 6, 1, 13, 0),
			quiet: true, until: utc(2026, 6, 1, 13, 0)},
		{name: "same-day window, at its end", start: "13:00", end: "15:00", loc: berlin, now: at(berlin, 2026, 6, 1, 15, 0)},
		{name: "same-day window, before", start: "13:00", end: "15:00", loc: berlin, now: at(berlin, 2026, 6, 1, 12, 59)},
		{name: "overnight, late evening", start: "22:00", end: "07:00", loc: berlin, now: at(berlin, 2026, 6, 1, 23, 30),
			quiet: true, until: utc(2026, 6, 2, 5, 0)},
		{name: "overnight, early morning", start: "22:00", end: "07:00", loc: berlin, now: at(berlin, 2026, 6, 2, 6, 59),
			quiet: true, until: utc(2026, 6, 2, 5, 0)},
		{name: "to midnight, written 24:00", start: "22:00", end: "24:00", loc: berlin, now: at(berlin, 2026, 6, 1, 23, 30),
			quiet: true, until: utc(2026, 6, 1, 22, 0)},
		{name: "to midnight, just after it", start: "22:00", end: "24:00", loc: berlin, now: at(berlin, 2026, 6, 2, 0, 0)},
		{name: "overnight, at its end", start: "22:00", end: "07:00", loc: berlin, now: at(berlin, 2026, 6, 2, 7, 0)},
		{name: "overnight, midday", start: "22:00", end: "07:00", loc: berlin, now: at(berlin, 2026, 6, 2, 12, 0)},
		{name: "read in the user's zone, not UTC", start: "22:00", end: "07:00", loc: kolkata, now: utc(2026, 6, 1, 17, 0),
			quiet: true, until: utc(2026, 6, 2, 1, 30)},
		{name: "the same instant is daytime in New York", start: "22:00", end: "07:00", loc: newYork, now: utc(2026, 6, 1, 17, 0)},
		{name: "month and year roll over", start: "22:00", end: "07:00", loc: berlin, now: at(berlin, 2026, 12, 31, 23, 0),
			quiet: true, until: utc(2027, 1, 1, 6, 0)},
		{name: "spring forward: the night is an hour shorter", start: "22:00", end: "07:00", loc: newYork, now: at(newYork, 2026, 3, 7, 23, 0),
			quiet: true, until: utc(2026, 3, 8, 11, 0)},
		{name: "spring forward: an end inside the gap ends at the jump", start: "01:00", end: "02:30", loc: newYork, now: at(newYork, 2026, 3, 8, 1, 30),
			quiet: true, until: utc(2026, 3, 8, 7, 0)},
		{name: "spring forward: after the jump it is over", start: "01:00", end: "02:30", loc: newYork, now: utc(2026, 3, 8, 7, 1)},
		{name: "fall back: the night is an hour longer", start: "22:00", end: "07:00", loc: newYork, now: at(newYork, 2026, 10, 31, 23, 0),
			quiet: true, until: utc(2026, 11, 1, 12, 0)},
		{name: "fall back: the repeated hour is inside", start: "22:00", end: "07:00", loc: newYork, now: utc(2026, 11, 1, 6, 30),
			quiet: true, until: utc(2026, 11, 1, 12, 0)},
		{name: "Europe: spring forward", start: "22:00", end: "07:00", loc: berlin, now: at(berlin, 2026, 3, 28, 23, 0),
			quiet: true, until: utc(2026, 3, 29, 5, 0)},
		{name: "start equals end: empty window", start: "22:00", end: "22:00", loc: berlin, now: at(berlin, 2026, 6, 1, 22, 0)},
		{name: "start equals end at midnight", start: "00:00", end: "00:00", loc: berlin, now: at(berlin, 2026, 6, 1, 0, 0)},
		{name: "whole day but a minute", start: "00:00", end: "23:59", loc: berlin, now: at(berlin, 2026, 6, 1, 23, 58),
			quiet: true, until: utc(2026, 6, 1, 21, 59)},
		{name: "nil zone is UTC", start: "00:00", end: "01:00", now: utc(2026, 6, 1, 0, 30), quiet: true, until: utc(2026, 6, 1, 1, 0)},
		{name: "invalid start", start: "25:00", end: "07:00", loc: berlin, now: at(berlin, 2026, 6, 1, 1, 0), wantErr: true},
		{name: "invalid end", start: "22:00", end: "7am", loc: berlin, now: at(berlin, 2026, 6, 1, 1, 0), wantErr: true},
		{name: "start without end", start: "22:00", loc: berlin, now: at(berlin, 2026, 6, 1, 23, 0), wantErr: true},
		{name: "end without start", end: "07:00", loc: berlin, now: at(berlin, 2026, 6, 1, 1, 0), wantErr: true},
	}
	for _, c := range cases {
		quiet, until, err := QuietHours(c.start, c.end, c.loc, c.now)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err %v, want error %v", c.name, err, c.wantErr)
			continue
		}
		if quiet != c.quiet || !until.Equal(c.until) {
			t.Errorf("%s: QuietHours = %v until %s; want %v until %s", c.name, quiet, until.UTC(), c.quiet, c.until)
		}
	}
}
