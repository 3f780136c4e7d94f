package calendar

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// The iCalendar objects studyhall writes, from plain values: RFC 5545
// through github.com/arran4/golang-ical, which escapes TEXT values
// (backslash, comma, semicolon, newline) and folds lines at 75 octets.
// Output is deterministic (DTSTAMP is the record's last change, as RFC
// 5545 has it for an object without METHOD), so a feed that did not change
// has the same bytes and the same ETag.

// productId is the PRODID of every object.
const productId = "-//studyhall//studyhall calendar//EN"

// icsUTCFormat is a DATE-TIME in UTC (FORM #2).
const icsUTCFormat = "20060102T150405Z"

// sessionEvent is what a live session's VEVENT shows.
type sessionEvent struct {
	Id, Title, Description string
	CourseTitle            string
	Instructor             string
	Start                  time.Time
	Duration               time.Duration
	Cancelled              bool
	// MeetingURL is shown to those the web app shows it to (attendees
	// and the instructor), "" otherwise.
	MeetingURL       string
	Created, Updated time.Time
}

// slotEvent is what an office-hours slot's weekly VEVENT shows.
type slotEvent struct {
	Id                 string
	Instructor         string
	CourseTitle        string
	Weekday            time.Weekday
	StartTime, EndTime string // HH:MM, EndTime may be 24:00
	Zone               *time.Location
	Location           string
	MeetingURL         string
	Description        string
	Created, Updated   time.Time
}

// newCalendar is an empty VCALENDAR named name.
func newCalendar(name string) *ics.Calendar {
	cal := ics.NewCalendarFor("studyhall")
	cal.SetProductId(productId)
	cal.SetCalscale("GREGORIAN")
	if name != "" {
		cal.SetName(name) // NAME (RFC 7986) and X-WR-CALNAME
	}
	return cal
}

// serialize writes cal as RFC 5545 wants it: CRLF line ends (the
// library's default on Unix is LF), lines folded at 75 octets.
func serialize(cal *ics.Calendar) string {
	return cal.Serialize(ics.WithNewLineWindows)
}

// sessionUID is the UID of a session's event: stable for the session's
// life, whatever changes in it, so a calendar app updates its copy.
func sessionUID(id string) string { return "live-session-" + id + "@studyhall" }

// slotUID is the UID of an office-hours slot's weekly event.
func slotUID(id string) string { return "office-hours-" + id + "@studyhall" }

// addSessionEvent adds a session's VEVENT to cal. appURL is the web app's
// public URL (no trailing slash), "" for none.
func addSessionEvent(cal *ics.Calendar, s sessionEvent, appURL string) {
	ev := cal.AddEvent(sessionUID(s.Id))
	stamp(ev, s.Created, s.Updated)
	ev.SetProperty(ics.ComponentPropertyDtStart, s.Start.UTC().Format(icsUTCFormat))
	ev.SetProperty(ics.ComponentPropertyDtEnd, s.Start.Add(s.Duration).UTC().Format(icsUTCFormat))
	summary := s.Title
	if s.Cancelled {
		// STATUS says it to the calendar app; the title says it to
		// people, whose app may show a cancelled event like any other
		summary = "Cancelled: " + summary
		ev.SetStatus(ics.ObjectStatusCancelled)
	} else {
		ev.SetStatus(ics.ObjectStatusConfirmed)
	}
	ev.SetSummary(text(summary))
	link := ""
	if appURL != "" {
		link = appURL + "/live-sessions/" + s.Id
		ev.SetURL(link)
	}
	if s.MeetingURL != "" {
		ev.SetLocation(s.MeetingURL)
	}
	ev.SetDescription(description(s.Description,
		labelled("Course", s.CourseTitle),
		labelled("Instructor", s.Instructor),
		labelled("Meeting link", s.MeetingURL),
		labelled("In studyhall", link)))
}

// addSlotEvent adds a slot's weekly VEVENT to cal: DTSTART and DTEND in
// the slot's own zone (TZID), so that 10:00 in Europe/London stays 10:00
// there across daylight saving changes, repeating weekly from the first
// occurrence on or after the slot's creation. The caller adds the zone's
// VTIMEZONE (see zones).
func addSlotEvent(cal *ics.Calendar, s slotEvent, appURL string) error {
	startMin, err := clockMinutes(s.StartTime)
	if err != nil {
		return err
	}
	endMin, err := clockMinutes(s.EndTime)
	if err != nil {
		return err
	}
	created := s.Created.In(s.Zone)
	first := time.Date(created.Year(), created.Month(), created.Day(), 0, 0, 0, 0, time.UTC)
	first = first.AddDate(0, 0, (int(s.Weekday)-int(first.Weekday())+7)%7)
	// wall-clock values built from the date and the HH:MM, never through
	// the zone: a time in a DST gap stays as the instructor wrote it
	start := first.Add(time.Duration(startMin) * time.Minute)
	end := first.Add(time.Duration(endMin) * time.Minute)

	ev := cal.AddEvent(slotUID(s.Id))
	stamp(ev, s.Created, s.Updated)
	tzid := ics.WithTZID(s.Zone.String())
	ev.SetProperty(ics.ComponentPropertyDtStart, start.Format(icsLocalFormat), tzid)
	ev.SetProperty(ics.ComponentPropertyDtEnd, end.Format(icsLocalFormat), tzid)
	ev.AddRrule("FREQ=WEEKLY;BYDAY=" + weekdayCodes[s.Weekday])
	summary := "Office hours: " + s.Instructor
	if s.CourseTitle != "" {
		summary += " (" + s.CourseTitle + ")"
	}
	ev.SetSummary(text(summary))
	ev.SetStatus(ics.ObjectStatusConfirmed)
	switch {
	case s.Location != "":
		ev.SetLocation(text(s.Location))
	case s.MeetingURL != "":
		ev.SetLocation(s.MeetingURL)
	}
	link := ""
	if appURL != "" {
		link = appURL + "/office-hours"
		ev.SetURL(link)
	}
	ev.SetDescription(description(s.Description,
		labelled("Course", s.CourseTitle),
		labelled("Where", s.Location),
		labelled("Meeting link", s.MeetingURL),
		labelled("Queue in studyhall", link)))
	return nil
}

// stamp sets the revision properties from the record's times: DTSTAMP and
// LAST-MODIFIED its last change, CREATED its creation, and SEQUENCE the
// seconds between the two, which grows with every change.
func stamp(ev *ics.VEvent, created, updated time.Time) {
	if updated.Before(created) {
		updated = created
	}
	ev.SetProperty(ics.ComponentPropertyDtstamp, updated.UTC().Format(icsUTCFormat))
	ev.SetProperty(ics.ComponentPropertyCreated, created.UTC().Format(icsUTCFormat))
	ev.SetProperty(ics.ComponentPropertyLastModified, updated.UTC().Format(icsUTCFormat))
	ev.SetSequence(int(updated.Sub(created) / time.Second))
}

// addZones adds a VTIMEZONE for each zone, once, in name order, before
// the events (the order RFC 5545's examples use).
func addZones(cal *ics.Calendar, zones map[string]*time.Location, year int) {
	names := make([]string, 0, len(zones))
	for name := range zones {
		names = append(names, name)
	}
	slices.Sort(names)
	parts := make([]ics.Component, 0, len(names)+len(cal.Components))
	for _, name := range names {
		parts = append(parts, newVTimezone(zones[name], year))
	}
	cal.Components = append(parts, cal.Components...)
}

// clockMinutes parses HH:MM (00:00 to 24:00) into minutes after midnight.
func clockMinutes(clock string) (int, error) {
	h, m, ok := strings.Cut(clock, ":")
	hours, errH := strconv.Atoi(h)
	minutes, errM := strconv.Atoi(m)
	if !ok || len(h) != 2 || len(m) != 2 || errH != nil || errM != nil ||
		hours < 0 || minutes < 0 || minutes > 59 || hours*60+minutes > 24*60 {
		return 0, fmt.Errorf("bad clock time %q", clock)
	}
	return hours*60 + minutes, nil
}

// text is a TEXT value with its line ends made LF, the only line end a
// TEXT value may carry (escaped as \n by the library).
func text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

// labelled is "label: value", or "" when there is no value.
func labelled(label, value string) string {
	if value == "" {
		return ""
	}
	return label + ": " + value
}

// description is the free text, a blank line, then the labelled lines.
func description(free string, lines ...string) string {
	var kept []string
	for _, l := range lines {
		if l != "" {
			kept = append(kept, l)
		}
	}
	free = strings.TrimSpace(text(free))
	facts := strings.Join(kept, "\n")
	switch {
	case free == "":
		return facts
	case facts == "":
		return free
	}
	return free + "\n\n" + facts
}
