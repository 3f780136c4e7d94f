package livesessions

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/chat"
	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/realtime"
)

// The waitlist of a full session.
//
// A user who joins a full session with {"waitlist": true} gets an
// attendance row that is not active and has a waitlistPosition: 1..N in
// the order of the joins, which the write lock serialises. Every save of a
// session settles its seats (settleSeats, from the record hook, inside the
// transaction of the save): a free seat goes to the first in line, the
// rest move up, and a session that can no longer be joined lets its line
// go. So a seat freed by a leave, an end of stay, a deleted account or a
// capacity raise is taken in the very transaction that freed it, nobody
// is skipped, and the positions are 1..N whenever a transaction commits.
//
// Positions are written as plain column updates (a move up of N rows by
// the same number of places is one statement, not N record saves) and
// their realtime events are
// published after the commit through the fan-out, which owns the
// attendance collection: each row goes to its user and to the session's
// instructor, as the collection's rules say.

// settled reports whether the counts need no change to the session's
// waitlist: nobody waits, or the seats are full, the session joinable and
// the positions without a gap.
func (c seatCounts) settled(session *LiveSession) bool {
	return c.waiting == 0 ||
		(session.checkJoinable() == nil && c.active >= session.Capacity() && c.last == c.waiting)
}

// settleSeats gives the session's free seats to the first in line,
// renumbers the rest, or lets the line go once the session can no longer
// be joined, and sets the session's counts. txApp must be the transaction
// that saves the session.
func settleSeats(txApp core.App, session *LiveSession, now time.Time) error {
	counts, err := countSeats(txApp, session.Id)
	if err != nil {
		return err
	}
	if counts.settled(session) {
		session.setSeats(counts)
		return nil
	}

	waiting, err := findWaiting(txApp, session.Id)
	if err != nil {
		return err
	}
	var promoted []*Attendee
	if session.checkJoinable() == nil {
		free := min(max(session.Capacity()-counts.active, 0), len(waiting))
		promoted, waiting = waiting[:free], waiting[free:]
	} else {
		// an ended or cancelled session keeps nobody waiting
		if err := letLineGo(txApp, session, waiting); err != nil {
			return err
		}
		waiting = nil
	}

	for _, attendee := range promoted {
		attendee.beginStay(now)
		// every value was read in this transaction; see admitAttendee
		if err := txApp.SaveNoValidate(attendee); err != nil {
			return err
		}
		if roomId := session.ChatRoom(); roomId != "" {
			if err := chat.AddParticipant(txApp, roomId, attendee.User()); err != nil {
				return err
			}
		}
	}
	if err := moveUp(txApp, session, waiting); err != nil {
		return err
	}

	session.setSeats(seatCounts{active: counts.active + len(promoted), waiting: len(waiting), last: len(waiting)})
	return notifyPromoted(txApp, session, promoted, now)
}

// findWaiting is the session's waitlist in line order.
func findWaiting(app core.App, sessionId string) ([]*Attendee, error) {
	var waiting []*Attendee
	err := app.RecordQuery(collections.LiveSessionAttendees).
		AndWhere(dbx.HashExp{collections.AttendeeSession: sessionId}).
		AndWhere(dbx.NewExp("[["+collections.AttendeeWaitlistPosition+"]] > 0")).
		OrderBy(collections.AttendeeWaitlistPosition, collections.AttendeeWaitlistedAt, collections.FieldId).
		All(&waiting)
	if err != nil {
		return nil, fmt.Errorf("waitlist of %s: %w", sessionId, err)
	}
	return waiting, nil
}

// moveUp gives the waiting rows, in line order, the positions 1..N. The
// positions only ever close gaps (a promotion, a leave, a deleted row), so
// each run of rows that moves by the same number of places is one
// statement: a promotion of k moves the whole line up by k at once.
func moveUp(txApp core.App, session *LiveSession, waiting []*Attendee) error {
	now := types.NowDateTime()
	// rows written by other means (a repeated or out-of-order position)
	// are set one by one
	for i := range waiting {
		if i > 0 && waiting[i].WaitlistPosition() <= waiting[i-1].WaitlistPosition() || waiting[i].WaitlistPosition() < i+1 {
			return renumberEach(txApp, session, waiting, now)
		}
	}
	var moved []*Attendee
	for start := 0; start < len(waiting); {
		shift := waiting[start].WaitlistPosition() - (start + 1)
		end := start
		for end+1 < len(waiting) && waiting[end+1].WaitlistPosition()-(end+2) == shift {
			end++
		}
		if shift != 0 {
			_, err := txApp.DB().NewQuery("UPDATE {{live_session_attendees}}" +
				" SET [[waitlistPosition]] = [[waitlistPosition]] - {:shift}, [[updated]] = {:now}" +
				" WHERE [[session]] = {:session} AND [[waitlistPosition]] BETWEEN {:from} AND {:to}").
				Bind(dbx.Params{
					"shift": shift, "now": now.String(), "session": session.Id,
					"from": waiting[start].WaitlistPosition(), "to": waiting[end].WaitlistPosition(),
				}).Execute()
			if err != nil {
				return fmt.Errorf("move up the waitlist of %s: %w", session.Id, err)
			}
			for i := start; i <= end; i++ {
				waiting[i].Set(collections.AttendeeWaitlistPosition, i+1)
				waiting[i].Set(collections.FieldUpdated, now)
				moved = append(moved, waiting[i])
			}
		}
		start = end + 1
	}
	publishAfterCommit(txApp, session.Instructor(), moved)
	return nil
}

// renumberEach gives the waiting rows the positions 1..N one row at a
// time.
func renumberEach(txApp core.App, session *LiveSession, waiting []*Attendee, now types.DateTime) error {
	var moved []*Attendee
	for i, attendee := range waiting {
		if attendee.WaitlistPosition() == i+1 {
			continue
		}
		_, err := txApp.DB().Update(collections.LiveSessionAttendees, dbx.Params{
			collections.AttendeeWaitlistPosition: i + 1,
			collections.FieldUpdated:             now.String(),
		}, dbx.HashExp{collections.FieldId: attendee.Id}).Execute()
		if err != nil {
			return fmt.Errorf("waitlist position of %s: %w", attendee.Id, err)
		}
		attendee.Set(collections.AttendeeWaitlistPosition, i+1)
		attendee.Set(collections.FieldUpdated, now)
		moved = append(moved, attendee)
	}
	publishAfterCommit(txApp, session.Instructor(), moved)
	return nil
}

// letLineGo takes everyone off the session's waitlist.
func letLineGo(txApp core.App, session *LiveSession, waiting []*Attendee) error {
	now := types.NowDateTime()
	_, err := txApp.DB().NewQuery("UPDATE {{live_session_attendees}}" +
		" SET [[waitlistPosition]] = 0, [[waitlistedAt]] = '', [[updated]] = {:now}" +
		" WHERE [[session]] = {:session} AND [[waitlistPosition]] > 0").
		Bind(dbx.Params{"now": now.String(), "session": session.Id}).Execute()
	if err != nil {
		return fmt.Errorf("let the waitlist of %s go: %w", session.Id, err)
	}
	for _, attendee := range waiting {
		attendee.leaveWaitlist()
		attendee.Set(collections.FieldUpdated, now)
	}
	publishAfterCommit(txApp, session.Instructor(), waiting)
	return nil
}

// publishAfterCommit sends update events of rows to their users and to the
// session's instructor once txApp's transaction commits (at once outside
// one).
func publishAfterCommit(txApp core.App, instructorId string, rows []*Attendee) {
	events := make([]realtime.Event, 0, 2*len(rows))
	for _, attendee := range rows {
		events = append(events,
			realtime.Event{UserId: attendee.User(), Action: realtime.ActionUpdate, Record: attendee.Record},
			realtime.Event{UserId: instructorId, Action: realtime.ActionUpdate, Record: attendee.Record})
	}
	info := txApp.TxInfo()
	if info == nil {
		realtime.Get(txApp).Publish(events...)
		return
	}
	info.OnComplete(func(txErr error) error {
		if txErr == nil {
			realtime.Get(txApp).Publish(events...)
		}
		return nil
	})
}

// bindAttendeeRealtime sends every committed change of an attendance row
// to its user and to the session's instructor, the two its rules let see
// it. The fan-out owns the collection: PocketBase's own broadcast would
// check the list rule with a query per subscriber per row, and a move up
// of a long waitlist changes every row of it.
func bindAttendeeRealtime(app core.App) {
	realtime.Own(app, collections.LiveSessionAttendees)
	publish := func(action string) func(e *core.RecordEvent) error {
		return func(e *core.RecordEvent) error {
			attendee := asAttendee(e.Record)
			events := []realtime.Event{{UserId: attendee.User(), Action: action, Record: e.Record}}
			if session, err := FindLiveSession(e.App, attendee.Session()); err == nil {
				events = append(events, realtime.Event{UserId: session.Instructor(), Action: action, Record: e.Record})
			}
			realtime.Get(e.App).Publish(events...)
			return e.Next()
		}
	}
	app.OnRecordAfterCreateSuccess(collections.LiveSessionAttendees).BindFunc(publish(realtime.ActionCreate))
	app.OnRecordAfterUpdateSuccess(collections.LiveSessionAttendees).BindFunc(publish(realtime.ActionUpdate))
	app.OnRecordAfterDeleteSuccess(collections.LiveSessionAttendees).BindFunc(publish(realtime.ActionDelete))
}

// notifyPromoted tells each user just seated from the waitlist; the key
// names the seat's moment, so a user promoted again after leaving is told
// again.
func notifyPromoted(app core.App, session *LiveSession, promoted []*Attendee, now time.Time) error {
	if len(promoted) == 0 {
		return nil
	}
	userIds := make([]string, len(promoted))
	for i, attendee := range promoted {
		userIds[i] = attendee.User()
	}
	title := session.Title()
	return sendSessionNotice(app, session, userIds, notifications.Notification{
		Type:       collections.TypeLiveSessionWaitlistPromoted,
		Title:      "You have a seat: " + title,
		Message:    fmt.Sprintf("A seat came free in %q and it is yours: you were next on the waitlist.", title),
		ActionURL:  "/live-sessions/" + session.Id,
		ActionText: "Go to the session",
		DedupeKey:  notifications.Key(collections.TypeLiveSessionWaitlistPromoted, session.Id, fmt.Sprint(now.UnixMicro())),
	})
}
