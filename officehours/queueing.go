package officehours

import (
	"errors"
	"slices"
	"strings"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
)

// The queue's changes that more than one route (or the sweep, or the demo
// seed) makes. Each runs inside the caller's transaction: the positions of
// a queue are always 1..N in join order because every change goes through
// renumberQueue inside one.

// QueueStudent puts the student at the back of the slot's queue, numbered
// like the rest of it (renumberQueue), and answers the entry; nil when they
// already have an active place with the slot's instructor. txApp must be a
// transaction. The join route and the demo seed queue through it.
func QueueStudent(txApp core.App, slot *core.Record, studentId, question string) (*QueueEntry, error) {
	return queueStudent(txApp, AsOfficeHours(slot), studentId, question)
}

func queueStudent(txApp core.App, slot *OfficeHours, studentId, question string) (*QueueEntry, error) {
	active, err := hasActiveEntry(txApp, slot.Instructor(), studentId)
	if err != nil || active {
		return nil, err
	}
	entry, err := NewQueueEntry(txApp, slot, studentId, question)
	if err != nil {
		return nil, err
	}
	if err := renumberQueue(txApp, slot.Id, slot.Instructor(), entry); err != nil {
		if isUniqueViolation(err) {
			return nil, nil // a concurrent join of the same student won
		}
		return nil, err
	}
	return entry, nil
}

// cancelWaitingEntries cancels every waiting entry of a slot that closes
// or goes away, and tells each student. byUserId is the instructor who
// closed it, or "" when the slot changed otherwise (deactivated, deleted,
// swept). It answers how many it cancelled.
func cancelWaitingEntries(txApp core.App, slotId, byUserId string) (int, error) {
	waiting, err := findWaitingEntries(txApp, slotId)
	if err != nil || len(waiting) == 0 {
		return 0, err
	}
	students := make([]string, 0, len(waiting))
	for _, entry := range waiting {
		entry.markCancelled(byUserId)
		if err := txApp.SaveNoValidate(entry); err != nil {
			return 0, err
		}
		students = append(students, entry.Student())
	}
	return len(waiting), noticeSlotClosed(txApp, slotId, students)
}

// renumberQueue rewrites position and estimatedWaitSeconds of every
// waiting entry of a slot, in join order, plus joined: a new entry (not
// yet saved) that goes last. Only rows whose values change are written,
// so each realtime update a student receives is a real change.
//
// Join order is the order of the current positions: every change goes
// through here inside one transaction, so positions are always 1..N in
// join order and joinedAt (equal to the millisecond under load) is only a
// tie-breaker for rows written by other means.
func renumberQueue(txApp core.App, slotId, instructorId string, joined *QueueEntry) error {
	var waiting []*QueueEntry
	if slotId != "" {
		var err error
		if waiting, err = findWaitingEntries(txApp, slotId); err != nil {
			return err
		}
	}
	sortJoinOrder(waiting)
	if joined != nil {
		waiting = append(waiting, joined)
	}
	if len(waiting) == 0 {
		return nil
	}

	average, err := averageVisitSeconds(txApp, instructorId, time.Now())
	if err != nil {
		return err
	}
	for i, spot := range Renumber(len(waiting), average) {
		entry := waiting[i]
		if !entry.setSpot(spot) && !entry.IsNew() {
			continue
		}
		if entry.IsNew() {
			err = txApp.Save(entry)
		} else {
			// only two server-computed numbers changed; full validation
			// would look up every relation again for each of N rows
			err = txApp.SaveNoValidate(entry)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sortJoinOrder sorts waiting entries by their current position, entries
// without one (written by other means) last, then by join time and id.
func sortJoinOrder(entries []*QueueEntry) {
	slices.SortStableFunc(entries, func(a, b *QueueEntry) int {
		pa, pb := a.Position(), b.Position()
		if (pa == 0) != (pb == 0) {
			if pa == 0 {
				return 1
			}
			return -1
		}
		if pa != pb {
			return pa - pb
		}
		if c := a.JoinedAt().Compare(b.JoinedAt()); c != 0 {
			return c
		}
		return strings.Compare(a.Id, b.Id)
	})
}

// averageVisitSeconds is the mean length of the instructor's latest
// completed visits within RecentWindow.
func averageVisitSeconds(txApp core.App, instructorId string, now time.Time) (int, error) {
	durations, err := recentVisitSeconds(txApp, instructorId, now.Add(-RecentWindow))
	if err != nil {
		return 0, err
	}
	return AverageVisitSeconds(durations), nil
}

// isUniqueViolation reports whether err comes from a unique index.
func isUniqueViolation(err error) bool {
	var fieldErrs validation.Errors
	if errors.As(err, &fieldErrs) {
		for _, fieldErr := range fieldErrs {
			var ve validation.Error
			if errors.As(fieldErr, &ve) && ve.Code() == "validation_not_unique" {
				return true
			}
		}
	}
	return strings.Contains(err.Error(), "UNIQUE constraint failed")
}
