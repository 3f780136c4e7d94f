package commands

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/chat"
	"studyhall/collections"
)

// Titles of the demo live sessions; a second seed finds them by title.
const (
	demoUpcomingSessionTitle = "Algebra I: live Q&A"
	demoLiveSessionTitle     = "Algebra I: problem clinic"
)

// seedSessions creates, or finds, two live sessions of the demo course: an
// upcoming one tomorrow and one that is live now, with the second demo
// student in it. Each session's chat room comes from the live session
// hooks; no notices go out, as the seed saves records directly.
func seedSessions(txApp core.App, demo *Demo) error {
	if len(demo.Students) < 2 {
		return errors.New("seed live sessions: needs two demo students")
	}
	now := time.Now().UTC()
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 17, 0, 0, 0, time.UTC)

	if _, err := ensureRecord(txApp, collections.LiveSessions, map[string]any{
		collections.LiveSessionCourse: demo.Course.Id,
		collections.LiveSessionTitle:  demoUpcomingSessionTitle,
	}, map[string]any{
		collections.LiveSessionInstructor:      demo.Instructor.Id,
		collections.LiveSessionDescription:     "Bring your questions on functions and graphs.",
		collections.LiveSessionScheduledStart:  tomorrow,
		collections.LiveSessionDurationMinutes: 60,
		collections.LiveSessionCapacity:        30,
		collections.LiveSessionVisibility:      collections.LiveSessionVisibilityCourse,
		collections.LiveSessionMeetingURL:      "https://meet.example.com/algebra-qa",
	}); err != nil {
		return err
	}

	live, err := ensureRecord(txApp, collections.LiveSessions, map[string]any{
		collections.LiveSessionCourse: demo.Course.Id,
		collections.LiveSessionTitle:  demoLiveSessionTitle,
	}, map[string]any{
		collections.LiveSessionInstructor:      demo.Instructor.Id,
		collections.LiveSessionDescription:     "Work through this week's exercises together.",
		collections.LiveSessionScheduledStart:  now.Add(-5 * time.Minute),
		collections.LiveSessionDurationMinutes: 90,
		collections.LiveSessionCapacity:        25,
		collections.LiveSessionVisibility:      collections.LiveSessionVisibilityCourse,
		collections.LiveSessionMeetingURL:      "https://meet.example.com/algebra-clinic",
		collections.LiveSessionStatus:          collections.LiveSessionLive,
		collections.LiveSessionStartedAt:       now.Add(-5 * time.Minute),
	})
	if err != nil {
		return err
	}

	// the second student is in the live session, as the join route leaves
	// an attendee: an active row, the seat counted, a chat participant
	attendee := demo.Students[1]
	if _, err := ensureRecord(txApp, collections.LiveSessionAttendees, map[string]any{
		collections.AttendeeSession: live.Id,
		collections.AttendeeUser:    attendee.Id,
	}, map[string]any{
		collections.AttendeeJoinedAt: now.Add(-4 * time.Minute),
		collections.AttendeeActive:   true,
	}); err != nil {
		return err
	}
	if err := txApp.Save(live); err != nil { // recounts attendeeCount
		return fmt.Errorf("count demo session attendees: %w", err)
	}
	if roomId := live.GetString(collections.LiveSessionChatRoom); roomId != "" {
		return chat.AddParticipant(txApp, roomId, attendee.Id)
	}
	return nil
}

// printSessions writes the demo live sessions line of PrintLogins.
func (d *Demo) printSessions(w io.Writer) {
	fmt.Fprintf(w, "  live sessions    %q (tomorrow, 17:00 UTC), %q (live now)\n", demoUpcomingSessionTitle, demoLiveSessionTitle)
}
