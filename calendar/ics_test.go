package calendar_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"studyhall/calendar"
)

// checkWireFormat fails unless body is RFC 5545 on the wire: CRLF line
// ends only, every line at most 75 octets and valid UTF-8 on its own (a
// fold never splits a character).
func checkWireFormat(t *testing.T, body string) {
	t.Helper()
	if !strings.HasSuffix(body, "\r\n") {
		t.Errorf("the object does not end with CRLF")
	}
	for i, line := range strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i+1, line)
		}
		if len(line) > 75 {
			t.Errorf("line %d is %d octets, over 75: %q", i+1, len(line), line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d splits a UTF-8 character: %q", i+1, line)
		}
	}
}

// unfold joins folded lines (RFC 5545 3.1).
func unfold(body string) string {
	return strings.ReplaceAll(strings.ReplaceAll(body, "\r\n ", ""), "\r\n\t", "")
}

// TestTextEscapedAndFolded: commas, semicolons, backslashes and line
// breaks in user text are escaped as RFC 5545 3.3.11 says, long lines are
// folded at 75 octets without splitting a character, and the library
// parses the text back unchanged.
func TestTextEscapedAndFolded(t *testing.T) {
	title := `Algebra, part 2; bring a calculator \ ruler`
	free := "Line one, with commas; and semicolons.\r\nLine two: café, naïve, 漢字 and 🎓 " +
		strings.Repeat("long words ", 20) + "end."
	created := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	s := calendar.SessionEvent{
		Id: "lvsabc", Title: title, Description: free, CourseTitle: "Maths; A, B", Instructor: "Ada",
		Start: time.Date(2026, 3, 10, 14, 30, 0, 0, time.UTC), Duration: 90 * time.Minute,
		MeetingURL: "https://meet.example.com/a;b,c", Created: created, Updated: created.Add(42 * time.Second),
	}
	cal := calendar.NewCalendar("studyhall")
	calendar.AddSessionEvent(cal, s, "https://learn.example.com")
	body := calendar.Serialize(cal)
	checkWireFormat(t, body)

	flat := unfold(body)
	for _, want := range []string{
		`SUMMARY:Algebra\, part 2\; bring a calculator \\ ruler` + "\r\n",
		`DESCRIPTION:Line one\, with commas\; and semicolons.\nLine two: café\, naïve\, 漢字 and 🎓 long words`,
		"DTSTART:20260310T143000Z\r\n", "DTEND:20260310T160000Z\r\n",
		"SEQUENCE:42\r\n", "LAST-MODIFIED:20260301T090042Z\r\n", "DTSTAMP:20260301T090042Z\r\n",
		"URL:https://learn.example.com/live-sessions/lvsabc\r\n",
		"UID:live-session-lvsabc@studyhall\r\n", "STATUS:CONFIRMED\r\n",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("missing %q in\n%s", want, flat)
		}
	}

	parsed, err := ics.ParseCalendar(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	events := parsed.Events()
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	ev := events[0]
	if got := ev.GetProperty(ics.ComponentPropertySummary).Value; got != title {
		t.Errorf("summary parsed back as %q, want %q", got, title)
	}
	wantDescription := strings.ReplaceAll(free, "\r\n", "\n") +
		"\n\nCourse: Maths; A, B\nInstructor: Ada\nMeeting link: https://meet.example.com/a;b,c\nIn studyhall: https://learn.example.com/live-sessions/lvsabc"
	if got := ev.GetProperty(ics.ComponentPropertyDescription).Value; got != wantDescription {
		t.Errorf("description parsed back as\n%q\nwant\n%q", got, wantDescription)
	}
	if got := ev.GetProperty(ics.ComponentPropertyLocation).Value; got != s.MeetingURL {
		t.Errorf("location parsed back as %q, want %q", got, s.MeetingURL)
	}
}

// TestSlotEventRecurrence: a slot is a weekly event from its first
// occurrence on or after its creation, its times written as the
// instructor set them in the slot's own zone; 24:00 ends at midnight.
func TestSlotEventRecurrence(t *testing.T) {
	london, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// created on Wednesday 2026-03-25 at 23:30 in London (22:30 UTC...
	// and 23:30 local), for Mondays
	created := time.Date(2026, 3, 25, 23, 30, 0, 0, london)
	cases := []struct {
		weekday    time.Weekday
		start, end string
		wantStart  string
		wantEnd    string
		wantByDay  string
	}{
		{time.Monday, "10:00", "11:00", "20260330T100000", "20260330T110000", "MO"},
		{time.Wednesday, "09:00", "24:00", "20260325T090000", "20260326T000000", "WE"},
		// 01:30 on 2026-03-29 does not exist in London (clocks go 01:00
		// to 02:00): it is written as set, the calendar app resolves it
		{time.Sunday, "01:30", "02:30", "20260329T013000", "20260329T023000", "SU"},
	}
	for _, c := range cases {
		cal := calendar.NewCalendar("")
		err := calendar.AddSlotEvent(cal, calendar.SlotEvent{Id: "ohslot", Instructor: "Ada", Weekday: c.weekday, StartTime: c.start, EndTime: c.end,
			Zone: london, Created: created, Updated: created}, "")
		if err != nil {
			t.Fatal(err)
		}
		body := calendar.Serialize(cal)
		checkWireFormat(t, body)
		for _, want := range []string{
			"DTSTART;TZID=Europe/London:" + c.wantStart + "\r\n",
			"DTEND;TZID=Europe/London:" + c.wantEnd + "\r\n",
			"RRULE:FREQ=WEEKLY;BYDAY=" + c.wantByDay + "\r\n",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%v %s-%s: missing %q in\n%s", c.weekday, c.start, c.end, want, body)
			}
		}
	}
	if err := calendar.AddSlotEvent(calendar.NewCalendar(""), calendar.SlotEvent{Weekday: time.Monday, StartTime: "25:00", EndTime: "26:00", Zone: london}, ""); err == nil {
		t.Error("a slot at 25:00 made an event")
	}
}
