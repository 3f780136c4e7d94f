package officehours

import (
	"testing"
	"time"

	"studyhall/collections"
)

func mustSlot(t *testing.T, day int, start, end, zone string) Slot {
	t.Helper()
	s, err := NewSlot(day, start, end, zone)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestOfficeHoursNewSlotRefusesBadInput(t *testing.T) {
	t.Parallel()
	cases := []struct {
		day        int
		start, end string
		zone       string
	}{
		{7, "10:00", "11:00", "UTC"},
		{-1, "10:00", "11:00", "UTC"},
		{1, "11:00", "11:00", "UTC"},
		{1, "12:00", "11:00", "UTC"},
		{1, "24:00", "24:00", "UTC"},
		{1, "10:00", "11:00", "Mars/Olympus"},
		{1, "10:00", "11:00", "Local"},
		{1, "10:00", "11:00", ""},
	}
	for _, c := range cases {
		if _, err := NewSlot(c.day, c.start, c.end, c.zone); err == nil {
			t.Errorf("NewSlot(%d, %s, %s, %q) accepted", c.day, c.start, c.end, c.zone)
		}
	}
}

func TestOfficeHoursSlotContains(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		slot Slot
		now  string
		want bool
	}{
		{"winter, inside", mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin"), "2026-11-23T09:30:00Z", true},
		{"winter, before", mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin"), "2026-11-23T08:59:00Z", false},
		{"winter, end is exclusive", mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin"), "2026-11-23T11:00:00Z", false},
		{"summer, same wall clock", mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin"), "2026-06-22T08:30:00Z", true},
		{"summer, UTC would say inside", mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin"), "2026-06-22T10:30:00Z", false},
		{"other weekday", mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin"), "2026-11-24T09:30:00Z", false},
		{"week wrap west: Sunday evening local is Monday UTC", mustSlot(t, 0, "20:00", "23:00", "America/Los_Angeles"), "2026-11-23T05:00:00Z", true},
		{"week wrap east: Monday morning local is Sunday UTC", mustSlot(t, 1, "08:00", "09:00", "Asia/Tokyo"), "2026-11-22T23:30:00Z", true},
		{"Saturday to Sunday wrap", mustSlot(t, 6, "23:00", "24:00", "UTC"), "2026-11-28T23:59:59Z", true},
		{"midnight end is exclusive", mustSlot(t, 6, "23:00", "24:00", "UTC"), "2026-11-29T00:00:00Z", false},
		{"DST spring forward, before the jump", mustSlot(t, 0, "01:30", "02:30", "America/New_York"), "2026-03-08T06:45:00Z", true},
		{"DST spring forward, after the jump", mustSlot(t, 0, "01:30", "02:30", "America/New_York"), "2026-03-08T07:05:00Z", false},
		{"DST fall back, first 01:15", mustSlot(t, 0, "01:00", "01:30", "America/New_York"), "2026-11-01T05:15:00Z", true},
		{"DST fall back, repeated 01:15", mustSlot(t, 0, "01:00", "01:30", "America/New_York"), "2026-11-01T06:15:00Z", true},
		{"DST fall back, 01:45", mustSlot(t, 0, "01:00", "01:30", "America/New_York"), "2026-11-01T06:45:00Z", false},
	}
	for _, c := range cases {
		if got := c.slot.Contains(utc(c.now)); got != c.want {
			t.Errorf("%s: Contains(%s) = %v, want %v", c.name, c.now, got, c.want)
		}
	}
}

func TestOfficeHoursSlotNextStart(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		slot Slot
		now  string
		want string
	}{
		{"later today", mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin"), "2026-11-23T07:00:00Z", "2026-11-23T09:00:00Z"},
		{"during an occurrence: next week", mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin"), "2026-11-23T09:30:00Z", "2026-11-30T09:00:00Z"},
		{"exactly at the start: next week", mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin"), "2026-11-23T09:00:00Z", "2026-11-30T09:00:00Z"},
		{"Saturday to Sunday", mustSlot(t, 0, "10:00", "11:00", "UTC"), "2026-11-28T12:00:00Z", "2026-11-29T10:00:00Z"},
		{"across the zone's day line", mustSlot(t, 1, "08:00", "09:00", "Asia/Tokyo"), "2026-11-22T22:00:00Z", "2026-11-22T23:00:00Z"},
		{"over a DST change", mustSlot(t, 0, "10:00", "11:00", "America/New_York"), "2026-03-07T17:00:00Z", "2026-03-08T14:00:00Z"},
		{"a start DST skips is the jump", mustSlot(t, 0, "02:30", "04:00", "America/New_York"), "2026-03-07T17:00:00Z", "2026-03-08T07:00:00Z"},
	}
	for _, c := range cases {
		if got := c.slot.NextStart(utc(c.now)); !got.Equal(utc(c.want)) {
			t.Errorf("%s: NextStart(%s) = %s, want %s", c.name, c.now, got.UTC().Format(time.RFC3339), c.want)
		}
	}
}

func TestOfficeHoursManualOverrideEnds(t *testing.T) {
	t.Parallel()
	berlin := mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin")
	cases := []struct {
		name string
		got  time.Time
		want string
	}{
		{"open during the slot: its end", berlin.ManualOpenUntil(utc("2026-11-23T09:30:00Z")), "2026-11-23T11:00:00Z"},
		{"open early: the slot's end today", berlin.ManualOpenUntil(utc("2026-11-23T07:00:00Z")), "2026-11-23T11:00:00Z"},
		{"open on another weekday: the slot's end time today", berlin.ManualOpenUntil(utc("2026-11-24T08:00:00Z")), "2026-11-24T11:00:00Z"},
		{"open after today's end: until local midnight", berlin.ManualOpenUntil(utc("2026-11-23T12:00:00Z")), "2026-11-23T23:00:00Z"},
		{"close during the slot: next week's start", berlin.ManualCloseUntil(utc("2026-11-23T09:30:00Z")), "2026-11-30T09:00:00Z"},
		{"close before the slot: today's start", berlin.ManualCloseUntil(utc("2026-11-23T07:00:00Z")), "2026-11-23T09:00:00Z"},
	}
	for _, c := range cases {
		if !c.got.Equal(utc(c.want)) {
			t.Errorf("%s: %s, want %s", c.name, c.got.UTC().Format(time.RFC3339), c.want)
		}
	}
}

func TestOfficeHoursIsOpen(t *testing.T) {
	t.Parallel()
	slot := mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin")
	inside := utc("2026-11-23T09:30:00Z")
	outside := utc("2026-11-23T13:00:00Z")
	open := func(until string) Override {
		return Override{State: collections.OfficeHoursManualOpen, Until: utc(until)}
	}
	closed := func(until string) Override {
		return Override{State: collections.OfficeHoursManualClosed, Until: utc(until)}
	}
	cases := []struct {
		name     string
		active   bool
		override Override
		now      time.Time
		want     bool
	}{
		{"scheduled, inside", true, Override{}, inside, true},
		{"scheduled, outside", true, Override{}, outside, false},
		{"inactive, inside", false, Override{}, inside, false},
		{"inactive beats a manual open", false, open("2026-11-23T23:00:00Z"), outside, false},
		{"manual open outside the schedule", true, open("2026-11-23T23:00:00Z"), outside, true},
		{"manual open expired", true, open("2026-11-23T12:30:00Z"), outside, false},
		{"manual close inside the schedule", true, closed("2026-11-30T09:00:00Z"), inside, false},
		{"manual close expired", true, closed("2026-11-23T09:00:00Z"), inside, true},
	}
	for _, c := range cases {
		if got := IsOpen(slot, c.active, c.override, c.now); got != c.want {
			t.Errorf("%s: IsOpen = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestOfficeHoursOverlaps(t *testing.T) {
	t.Parallel()
	from := utc("2026-06-01T00:00:00Z")
	cases := []struct {
		name string
		a, b Slot
		want bool
	}{
		{"same zone, overlapping", mustSlot(t, 1, "10:00", "12:00", "UTC"), mustSlot(t, 1, "11:00", "13:00", "UTC"), true},
		{"same zone, contained", mustSlot(t, 1, "10:00", "12:00", "UTC"), mustSlot(t, 1, "10:30", "11:00", "UTC"), true},
		{"same zone, adjacent", mustSlot(t, 1, "10:00", "12:00", "UTC"), mustSlot(t, 1, "12:00", "13:00", "UTC"), false},
		{"same zone, other day", mustSlot(t, 1, "10:00", "12:00", "UTC"), mustSlot(t, 2, "10:00", "12:00", "UTC"), false},
		{"zones, overlapping", mustSlot(t, 1, "10:00", "11:00", "Europe/Berlin"), mustSlot(t, 1, "09:30", "10:30", "Europe/London"), true},
		{"zones, back to back", mustSlot(t, 1, "10:00", "11:00", "Europe/Berlin"), mustSlot(t, 1, "10:00", "11:00", "Europe/London"), false},
		{"zones, across the day line", mustSlot(t, 2, "08:00", "09:00", "Asia/Tokyo"), mustSlot(t, 1, "23:30", "24:00", "UTC"), true},
		// the US and the UK change clocks on different Sundays: for a few
		// weeks a year these two slots coincide
		{"zones, only while DST rules differ", mustSlot(t, 1, "10:00", "11:00", "America/New_York"), mustSlot(t, 1, "14:00", "15:00", "Europe/London"), true},
		{"zones, never", mustSlot(t, 1, "10:00", "11:00", "America/New_York"), mustSlot(t, 1, "12:00", "13:00", "Europe/London"), false},
	}
	for _, c := range cases {
		if got := Overlaps(c.a, c.b, from); got != c.want {
			t.Errorf("%s: Overlaps = %v, want %v", c.name, got, c.want)
		}
		if got := Overlaps(c.b, c.a, from); got != c.want {
			t.Errorf("%s (swapped): Overlaps = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestOfficeHoursClosedFor(t *testing.T) {
	t.Parallel()
	slot := mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin")
	grace := 15 * time.Minute
	cases := []struct {
		name     string
		active   bool
		override Override
		now      string
		want     bool
	}{
		{"open", true, Override{}, "2026-11-23T10:00:00Z", false},
		{"just ended", true, Override{}, "2026-11-23T11:05:00Z", false},
		{"ended a while ago", true, Override{}, "2026-11-23T11:20:00Z", true},
		{"manual open just expired", true, Override{State: collections.OfficeHoursManualOpen, Until: utc("2026-11-23T15:00:00Z")}, "2026-11-23T15:10:00Z", false},
		{"manual open expired a while ago", true, Override{State: collections.OfficeHoursManualOpen, Until: utc("2026-11-23T15:00:00Z")}, "2026-11-23T15:20:00Z", true},
		{"inactive", false, Override{}, "2026-11-23T10:00:00Z", true},
	}
	for _, c := range cases {
		if got := ClosedFor(slot, c.active, c.override, utc(c.now), grace); got != c.want {
			t.Errorf("%s: ClosedFor = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestOfficeHoursSlotDay: a daily visit limit counts within the calendar
// day of the slot's zone, 23 and 25 hours long across DST.
func TestOfficeHoursSlotDay(t *testing.T) {
	t.Parallel()
	berlin := mustSlot(t, 1, "10:00", "12:00", "Europe/Berlin")
	tokyo := mustSlot(t, 1, "10:00", "12:00", "Asia/Tokyo")
	cases := []struct {
		name     string
		slot     Slot
		now      string
		from, to string
	}{
		{"a winter day in Berlin", berlin, "2026-11-23T09:30:00Z", "2026-11-22T23:00:00Z", "2026-11-23T23:00:00Z"},
		{"just before local midnight", berlin, "2026-11-23T22:59:59Z", "2026-11-22T23:00:00Z", "2026-11-23T23:00:00Z"},
		{"just after it: the next day", berlin, "2026-11-23T23:00:00Z", "2026-11-23T23:00:00Z", "2026-11-24T23:00:00Z"},
		{"the day DST begins is 23 hours", berlin, "2026-03-29T12:00:00Z", "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"},
		{"the day DST ends is 25 hours", berlin, "2026-10-25T12:00:00Z", "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"},
		{"a UTC evening is already tomorrow in Tokyo", tokyo, "2026-11-23T20:00:00Z", "2026-11-23T15:00:00Z", "2026-11-24T15:00:00Z"},
	}
	for _, c := range cases {
		from, to := c.slot.Day(utc(c.now))
		if !from.Equal(utc(c.from)) || !to.Equal(utc(c.to)) {
			t.Errorf("%s: [%s, %s), want [%s, %s)", c.name, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), c.from, c.to)
		}
	}
}
