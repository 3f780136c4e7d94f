package officehours

// Over 400 lines: the two proxies (slot and queue entry) with their finders.

import (
	"fmt"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
	"studyhall/records"
)

// Typed record proxies of the two office-hours collections, with their
// finders, as PocketBase's core/mfa_model.go and mfa_query.go. The pure
// weekly arithmetic is Slot (slot.go); OfficeHours is the stored record.

var (
	_ core.RecordProxy = (*OfficeHours)(nil)
	_ core.RecordProxy = (*QueueEntry)(nil)
)

// ---------------------------------------------------------------------
// office_hours

// OfficeHours is a record proxy of an office_hours slot: an instructor's
// weekly hours and the manual open or close in effect.
type OfficeHours struct {
	core.BaseRecordProxy
}

// AsOfficeHours wraps an office_hours record.
func AsOfficeHours(record *core.Record) *OfficeHours {
	return records.Proxy[OfficeHours](record)
}

// FindOfficeHours loads the slot with id; the error wraps sql.ErrNoRows
// when there is none.
func FindOfficeHours(app core.App, id string) (*OfficeHours, error) {
	return records.FindProxy[OfficeHours](app, collections.OfficeHours, dbx.HashExp{collections.FieldId: id})
}

// Instructor is the id of the instructor who holds the slot.
func (s *OfficeHours) Instructor() string { return s.GetString(collections.OfficeHoursInstructor) }

// Course is the id of the slot's course, or "".
func (s *OfficeHours) Course() string { return s.GetString(collections.OfficeHoursCourse) }

// StartTime is the slot's start, "HH:MM" in its zone.
func (s *OfficeHours) StartTime() string { return s.GetString(collections.OfficeHoursStartTime) }

// EndTime is the slot's end, "HH:MM" in its zone.
func (s *OfficeHours) EndTime() string { return s.GetString(collections.OfficeHoursEndTime) }

// Timezone is the slot's IANA zone.
func (s *OfficeHours) Timezone() string { return s.GetString(collections.OfficeHoursTimezone) }

// SetTimezone sets the slot's IANA zone.
func (s *OfficeHours) SetTimezone(zone string) { s.Set(collections.OfficeHoursTimezone, zone) }

// Active reports whether the instructor offers the slot.
func (s *OfficeHours) Active() bool { return s.GetBool(collections.OfficeHoursActive) }

// SetManual puts a manual open or close (collections.OfficeHoursManual*)
// in effect until the given time.
func (s *OfficeHours) SetManual(state string, until time.Time) {
	s.Set(collections.OfficeHoursManualState, state)
	s.Set(collections.OfficeHoursManualUntil, until)
}

// PausedAt is when the staff paused the queue; zero while it runs.
func (s *OfficeHours) PausedAt() time.Time {
	return s.GetDateTime(collections.OfficeHoursPausedAt).Time()
}

// Paused reports whether the queue takes no joins for now.
func (s *OfficeHours) Paused() bool { return !s.PausedAt().IsZero() }

// SetPaused pauses the queue at at, or resumes it for a zero at.
func (s *OfficeHours) SetPaused(at time.Time) {
	if at.IsZero() {
		s.Set(collections.OfficeHoursPausedAt, "")
		return
	}
	s.Set(collections.OfficeHoursPausedAt, at)
}

// Announcement is the staff's latest announcement to the queue, or "".
func (s *OfficeHours) Announcement() string {
	return s.GetString(collections.OfficeHoursAnnouncement)
}

// AnnouncedAt is when the latest announcement was posted.
func (s *OfficeHours) AnnouncedAt() time.Time {
	return s.GetDateTime(collections.OfficeHoursAnnouncedAt).Time()
}

// SetAnnouncement posts message at at.
func (s *OfficeHours) SetAnnouncement(message string, at time.Time) {
	s.Set(collections.OfficeHoursAnnouncement, message)
	s.Set(collections.OfficeHoursAnnouncedAt, at)
}

// MaxVisitsPerDay is the daily visit limit of one student in the slot; 0
// is none.
func (s *OfficeHours) MaxVisitsPerDay() int { return s.GetInt(collections.OfficeHoursMaxVisitsPerDay) }

// endSession forgets what belongs to one occurrence of the slot, the
// pause and the announcement, once the slot closes; it reports whether
// there was anything to forget.
func (s *OfficeHours) endSession() bool {
	if !s.Paused() && s.Announcement() == "" && s.AnnouncedAt().IsZero() {
		return false
	}
	s.Set(collections.OfficeHoursPausedAt, "")
	s.Set(collections.OfficeHoursAnnouncement, "")
	s.Set(collections.OfficeHoursAnnouncedAt, "")
	return true
}

// Weekly is the slot's weekly schedule; an error when a day, time or zone
// is malformed.
func (s *OfficeHours) Weekly() (Slot, error) {
	return NewSlot(s.GetInt(collections.OfficeHoursDayOfWeek), s.StartTime(), s.EndTime(), s.Timezone())
}

// Override is the slot's manual open or close.
func (s *OfficeHours) Override() Override {
	return Override{
		State: s.GetString(collections.OfficeHoursManualState),
		Until: s.GetDateTime(collections.OfficeHoursManualUntil).Time(),
	}
}

// IsOpen reports whether the slot takes queue joins at now.
func (s *OfficeHours) IsOpen(now time.Time) bool {
	weekly, err := s.Weekly()
	if err != nil {
		return false
	}
	return IsOpen(weekly, s.Active(), s.Override(), now)
}

// ClosedFor reports whether the slot has been closed by the clock for at
// least grace at now (see ClosedFor).
func (s *OfficeHours) ClosedFor(now time.Time, grace time.Duration) (bool, error) {
	weekly, err := s.Weekly()
	if err != nil {
		return false, err
	}
	return ClosedFor(weekly, s.Active(), s.Override(), now, grace), nil
}

// SlotOf reads the weekly slot of an office_hours record.
func SlotOf(record *core.Record) (Slot, error) {
	return AsOfficeHours(record).Weekly()
}

// SlotIsOpen reports whether the slot takes queue joins at now.
func SlotIsOpen(record *core.Record, now time.Time) bool {
	return AsOfficeHours(record).IsOpen(now)
}

// findOtherSlots loads the instructor's slots other than exceptId.
func findOtherSlots(app core.App, instructorId, exceptId string) ([]*OfficeHours, error) {
	var slots []*OfficeHours
	err := app.RecordQuery(collections.OfficeHours).
		AndWhere(dbx.HashExp{collections.OfficeHoursInstructor: instructorId}).
		AndWhere(dbx.Not(dbx.HashExp{collections.FieldId: exceptId})).
		All(&slots)
	return slots, err
}

// ---------------------------------------------------------------------
// office_hours_queue

// QueueEntry is a record proxy of an office_hours_queue entry: one
// student's visit request, from waiting to admitted and completed, or
// cancelled.
type QueueEntry struct {
	core.BaseRecordProxy
}

// NewQueueEntry is a new, unsaved waiting entry of studentId in the slot's
// queue, joined now.
func NewQueueEntry(app core.App, slot *OfficeHours, studentId, question string) (*QueueEntry, error) {
	entry, err := records.NewProxy[QueueEntry](app, collections.OfficeHoursQueue)
	if err != nil {
		return nil, err
	}
	entry.Set(collections.QueueOfficeHours, slot.Id)
	entry.Set(collections.QueueInstructor, slot.Instructor())
	entry.Set(collections.QueueStudent, studentId)
	entry.Set(collections.QueueQuestion, question)
	entry.Set(collections.QueueStatus, collections.QueueWaiting)
	entry.Set(collections.QueueJoinedAt, types.NowDateTime())
	return entry, nil
}

// AsQueueEntry wraps an office_hours_queue record.
func AsQueueEntry(record *core.Record) *QueueEntry {
	return records.Proxy[QueueEntry](record)
}

// FindQueueEntry loads the entry with id; the error wraps sql.ErrNoRows
// when there is none.
func FindQueueEntry(app core.App, id string) (*QueueEntry, error) {
	return records.FindProxy[QueueEntry](app, collections.OfficeHoursQueue, dbx.HashExp{collections.FieldId: id})
}

// OfficeHours is the id of the entry's slot ("" once the slot is deleted).
func (q *QueueEntry) OfficeHours() string { return q.GetString(collections.QueueOfficeHours) }

// Instructor is the id of the instructor whose queue it is.
func (q *QueueEntry) Instructor() string { return q.GetString(collections.QueueInstructor) }

// Student is the id of the student who queued.
func (q *QueueEntry) Student() string { return q.GetString(collections.QueueStudent) }

// Status is one of collections.QueueStatuses.
func (q *QueueEntry) Status() string { return q.GetString(collections.QueueStatus) }

// Position is the 1-based place of a waiting entry, 0 otherwise.
func (q *QueueEntry) Position() int { return q.GetInt(collections.QueuePosition) }

// EstimatedWaitSeconds is the expected wait of a waiting entry.
func (q *QueueEntry) EstimatedWaitSeconds() int {
	return q.GetInt(collections.QueueEstimatedWaitSeconds)
}

// JoinedAt is when the student joined.
func (q *QueueEntry) JoinedAt() time.Time { return q.GetDateTime(collections.QueueJoinedAt).Time() }

// DurationSeconds is the length of a completed visit.
func (q *QueueEntry) DurationSeconds() int { return q.GetInt(collections.QueueDurationSeconds) }

// InstructorNotes are the instructor's notes on the visit.
func (q *QueueEntry) InstructorNotes() string { return q.GetString(collections.QueueInstructorNotes) }

// SetInstructorNotes sets the instructor's notes on the visit.
func (q *QueueEntry) SetInstructorNotes(notes string) { q.Set(collections.QueueInstructorNotes, notes) }

// NotesShared reports whether the student sees the instructor's notes.
func (q *QueueEntry) NotesShared() bool { return q.GetBool(collections.QueueNotesShared) }

// SetNotesShared sets whether the student sees the instructor's notes.
func (q *QueueEntry) SetNotesShared(shared bool) { q.Set(collections.QueueNotesShared, shared) }

// Question is what the student wants to ask.
func (q *QueueEntry) Question() string { return q.GetString(collections.QueueQuestion) }

// SetQuestion replaces the student's question.
func (q *QueueEntry) SetQuestion(question string) { q.Set(collections.QueueQuestion, question) }

// ChatRoom is the id of the visit's chat room, or "".
func (q *QueueEntry) ChatRoom() string { return q.GetString(collections.QueueChatRoom) }

// setSpot moves a waiting entry to spot, and reports whether it changed.
func (q *QueueEntry) setSpot(spot Spot) bool {
	if q.Position() == spot.Position && q.EstimatedWaitSeconds() == spot.EstimatedWaitSeconds {
		return false
	}
	q.Set(collections.QueuePosition, spot.Position)
	q.Set(collections.QueueEstimatedWaitSeconds, spot.EstimatedWaitSeconds)
	return true
}

// markAdmitted takes the entry out of the line into a visit in roomId.
func (q *QueueEntry) markAdmitted(roomId string) {
	q.Set(collections.QueueStatus, collections.QueueAdmitted)
	q.Set(collections.QueueAdmittedAt, types.NowDateTime())
	q.Set(collections.QueueChatRoom, roomId)
	q.leaveLine()
}

// markCompleted ends the visit now and keeps its length, which feeds the
// instructor's wait estimates.
func (q *QueueEntry) markCompleted() {
	now := types.NowDateTime()
	duration := now.Time().Sub(q.GetDateTime(collections.QueueAdmittedAt).Time()).Round(time.Second)
	q.Set(collections.QueueStatus, collections.QueueCompleted)
	q.Set(collections.QueueCompletedAt, now)
	q.Set(collections.QueueDurationSeconds, int(max(duration, 0)/time.Second))
}

// markCancelled moves the entry to cancelled by userId ("" for the system).
func (q *QueueEntry) markCancelled(userId string) {
	q.Set(collections.QueueStatus, collections.QueueCancelled)
	q.Set(collections.QueueCancelledAt, types.NowDateTime())
	q.Set(collections.QueueCancelledBy, userId)
	q.leaveLine()
}

// leaveLine clears the position and estimate of an entry no longer waiting.
func (q *QueueEntry) leaveLine() {
	q.Set(collections.QueuePosition, 0)
	q.Set(collections.QueueEstimatedWaitSeconds, 0)
}

// findWaitingEntries loads the waiting entries of a slot, in no order.
func findWaitingEntries(app core.App, slotId string) ([]*QueueEntry, error) {
	var waiting []*QueueEntry
	err := app.RecordQuery(collections.OfficeHoursQueue).
		AndWhere(dbx.HashExp{collections.QueueOfficeHours: slotId, collections.QueueStatus: collections.QueueWaiting}).
		All(&waiting)
	return waiting, err
}

// hasActiveEntry reports whether the student has a waiting or admitted
// entry with the instructor.
func hasActiveEntry(app core.App, instructorId, studentId string) (bool, error) {
	var ids []string
	err := app.DB().Select(collections.FieldId).
		From(collections.OfficeHoursQueue).
		Where(dbx.HashExp{
			collections.QueueInstructor: instructorId,
			collections.QueueStudent:    studentId,
			collections.QueueStatus:     []any{collections.QueueWaiting, collections.QueueAdmitted},
		}).
		Limit(1).
		Column(&ids)
	return len(ids) > 0, err
}

// findLastVisitRooms lists the chat rooms of the student's latest visits
// in the instructor's queues (at most limit, latest first, repeats left
// in).
func findLastVisitRooms(app core.App, instructorId, studentId string, limit int64) ([]string, error) {
	var roomIds []string
	err := app.DB().Select(collections.QueueChatRoom).
		From(collections.OfficeHoursQueue).
		Where(dbx.HashExp{collections.QueueInstructor: instructorId, collections.QueueStudent: studentId}).
		AndWhere(records.Exp("[[" + collections.QueueChatRoom + "]] != ''")).
		OrderBy(collections.QueueAdmittedAt + " DESC").
		Limit(limit).
		Column(&roomIds)
	if err != nil {
		return nil, fmt.Errorf("last visits of %s with %s: %w", studentId, instructorId, err)
	}
	return roomIds, nil
}

// countVisits counts the student's visits in the slot admitted in
// [from, to): entries admitted then, whatever became of them.
func countVisits(app core.App, slotId, studentId string, from, to time.Time) (int, error) {
	var n int
	err := app.DB().Select("COUNT(*)").
		From(collections.OfficeHoursQueue).
		Where(dbx.HashExp{collections.QueueOfficeHours: slotId, collections.QueueStudent: studentId}).
		AndWhere(records.Exp("[["+collections.QueueAdmittedAt+"]] >= {:from} AND [["+collections.QueueAdmittedAt+"]] < {:to}",
			map[string]any{"from": records.FormatTime(from), "to": records.FormatTime(to)})).
		Row(&n)
	if err != nil {
		return 0, fmt.Errorf("visits of %s in %s: %w", studentId, slotId, err)
	}
	return n, nil
}

// slotTAIds lists the teaching assistants of the slot's course: nobody
// for a slot without a course (or no slot).
func slotTAIds(app core.App, slotId string) ([]string, error) {
	if slotId == "" {
		return nil, nil
	}
	var ids []string
	err := app.DB().Select("cs."+collections.CourseStaffUser).
		From(collections.CourseStaff+" cs").
		InnerJoin(collections.OfficeHours+" oh", records.Exp("oh.[["+collections.OfficeHoursCourse+"]] = cs.[["+collections.CourseStaffCourse+"]]")).
		Where(dbx.HashExp{"oh." + collections.FieldId: slotId}).
		Column(&ids)
	if err != nil {
		return nil, fmt.Errorf("staff of office hours %s: %w", slotId, err)
	}
	return ids, nil
}

// slotsWithSession lists the ids of the slots that are paused or carry an
// announcement.
func slotsWithSession(app core.App) ([]string, error) {
	var slotIds []string
	err := app.DB().Select(collections.FieldId).
		From(collections.OfficeHours).
		Where(records.Exp("[[" + collections.OfficeHoursPausedAt + "]] != '' OR [[" + collections.OfficeHoursAnnouncedAt + "]] != ''")).
		Column(&slotIds)
	if err != nil {
		return nil, fmt.Errorf("office hours paused or announced: %w", err)
	}
	return slotIds, nil
}

// recentVisitSeconds lists the lengths of the instructor's latest
// RecentVisits visits completed since, latest first.
func recentVisitSeconds(app core.App, instructorId string, since time.Time) ([]int, error) {
	var durations []int
	err := app.DB().Select(collections.QueueDurationSeconds).
		From(collections.OfficeHoursQueue).
		Where(dbx.HashExp{collections.QueueInstructor: instructorId, collections.QueueStatus: collections.QueueCompleted}).
		AndWhere(records.Exp("[["+collections.QueueCompletedAt+"]] >= {:since}", map[string]any{"since": records.FormatTime(since)})).
		OrderBy(collections.QueueCompletedAt + " DESC").
		Limit(RecentVisits).
		Column(&durations)
	if err != nil {
		return nil, fmt.Errorf("recent visits of %s: %w", instructorId, err)
	}
	return durations, nil
}

// slotsWithWaitingEntries lists the ids of the slots that have a waiting
// entry.
func slotsWithWaitingEntries(app core.App) ([]string, error) {
	var slotIds []string
	err := app.DB().Select(collections.QueueOfficeHours).Distinct(true).
		From(collections.OfficeHoursQueue).
		Where(dbx.HashExp{collections.QueueStatus: collections.QueueWaiting}).
		AndWhere(records.Exp("[[" + collections.QueueOfficeHours + "]] != ''")).
		Column(&slotIds)
	if err != nil {
		return nil, fmt.Errorf("office hours with waiting entries: %w", err)
	}
	return slotIds, nil
}
