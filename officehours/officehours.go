package officehours

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/chat"
	"studyhall/clock"
	"studyhall/collections"
	"studyhall/notifications"
	"studyhall/plaintext"
	"studyhall/realtime"
	"studyhall/records"
	"studyhall/request"
)

// Error codes of the office-hours routes.
const (
	codeSlotClosed    = "slot_closed"
	codeSlotInactive  = "slot_inactive"
	codeAlreadyQueued = "already_queued"
	codeQueueStatus   = "invalid_status"
	codeOwnQueue      = "own_queue"
)

// Register keeps office-hours slots valid (times, zone, no
// overlaps per instructor), computes whether each is open, and serves the
// live queue: join, admit, complete, cancel, and the manual open and close
// of a slot. Every queue change is one transaction that also rewrites the
// positions and estimated waits of the waiting entries that moved, so that
// each waiting student gets a realtime update of their own entry.
func Register(app core.App) {
	bindOfficeHoursSlots(app)
	bindOfficeHoursQueue(app)
	app.OnServe().BindFunc(func(se *core.ServeEvent) error {
		g := se.Router.Group("/api/office-hours")
		g.Bind(apis.RequireAuth(collections.Users), request.RequireJSONBody())
		g.POST("/{id}/open", openOfficeHours)
		g.POST("/{id}/close", closeOfficeHours)
		g.POST("/{id}/queue", joinOfficeHoursQueue)
		g.POST("/queue/{entryId}/admit", admitQueueEntry)
		g.POST("/queue/{entryId}/complete", completeQueueEntry)
		g.POST("/queue/{entryId}/cancel", cancelQueueEntry)
		return se.Next()
	})
}

// ---------------------------------------------------------------------
// slots

func bindOfficeHoursSlots(app core.App) {
	// a slot is offered once created unless the instructor says otherwise;
	// dayOfWeek must be given, as its zero value (Sunday) is a real day
	app.OnRecordCreateRequest(collections.OfficeHours).BindFunc(func(e *core.RecordRequestEvent) error {
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		if _, given := info.Body[collections.OfficeHoursActive]; !given {
			e.Record.Set(collections.OfficeHoursActive, true)
		}
		if _, given := info.Body[collections.OfficeHoursDayOfWeek]; !given {
			return e.BadRequestError("Failed to create record.", validation.Errors{
				collections.OfficeHoursDayOfWeek: validation.NewError("validation_required", "Cannot be blank."),
			})
		}
		return e.Next()
	})

	// the zone defaults to the instructor's own
	app.OnRecordCreate(collections.OfficeHours).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.OfficeHoursTimezone) == "" {
			zone := collections.DefaultTimezone
			if instructor, err := e.App.FindRecordById(collections.Users, e.Record.GetString(collections.OfficeHoursInstructor)); err == nil {
				if tz := instructor.GetString(collections.UserTimezone); tz != "" {
					zone = tz
				}
			}
			e.Record.Set(collections.OfficeHoursTimezone, zone)
		}
		return e.Next()
	})

	// the schema's own field errors and these come back together
	app.OnRecordValidate(collections.OfficeHours).BindFunc(func(e *core.RecordEvent) error {
		slotErrs, err := validateSlot(e.App, e.Record)
		if err != nil {
			return err
		}
		if err := e.Next(); err != nil {
			var fieldErrs validation.Errors
			if !errors.As(err, &fieldErrs) {
				return err
			}
			for field, slotErr := range slotErrs {
				if _, taken := fieldErrs[field]; !taken {
					fieldErrs[field] = slotErr
				}
			}
			return fieldErrs
		}
		if len(slotErrs) > 0 {
			return slotErrs
		}
		return nil
	})

	// deactivating a slot cancels its waiting entries, in the same
	// transaction as the change
	app.OnRecordUpdateExecute(collections.OfficeHours).BindFunc(func(e *core.RecordEvent) error {
		if !e.Record.Original().GetBool(collections.OfficeHoursActive) || e.Record.GetBool(collections.OfficeHoursActive) {
			return e.Next()
		}
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			_, err := cancelWaitingEntries(txApp, e.Record, "")
			return err
		})
	})

	// so does deleting it, before the entries lose their slot
	app.OnRecordDeleteExecute(collections.OfficeHours).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			_, err := cancelWaitingEntries(txApp, e.Record, "")
			return err
		}, nil)
	})

	// every read says whether the slot takes joins right now
	app.OnRecordEnrich(collections.OfficeHours).BindFunc(func(e *core.RecordEnrichEvent) error {
		e.Record.WithCustomData(true)
		e.Record.Set(collections.OfficeHoursIsOpen, SlotIsOpen(e.Record, time.Now()))
		return e.Next()
	})
}

// validateSlot checks what the schema cannot: an instructor teaching the
// course, a valid zone, start before end and no overlap with the
// instructor's other slots. Malformed times and days are left to the
// schema's own checks.
func validateSlot(app core.App, record *core.Record) (validation.Errors, error) {
	errs := validation.Errors{}
	instructorId := record.GetString(collections.OfficeHoursInstructor)
	if instructor, err := app.FindRecordById(collections.Users, instructorId); err == nil &&
		instructor.GetString(collections.UserRole) != collections.RoleInstructor {
		errs[collections.OfficeHoursInstructor] = validation.NewError("validation_not_instructor", "Only a user with the instructor role can hold office hours.")
	}
	if courseId := record.GetString(collections.OfficeHoursCourse); courseId != "" {
		course, err := app.FindRecordById(collections.Courses, courseId)
		if err == nil && course.GetString(collections.CourseInstructor) != instructorId {
			errs[collections.OfficeHoursCourse] = validation.NewError("validation_not_course_instructor", "Office hours can only be held for a course you teach.")
		}
	}
	if err := records.ValidateTimezone(record.GetString(collections.OfficeHoursTimezone)); err != nil {
		errs[collections.OfficeHoursTimezone] = err
	}
	records.CheckURLLengths(errs, record, collections.OfficeHoursMeetingURL)
	start, startErr := clock.Parse(record.GetString(collections.OfficeHoursStartTime))
	end, endErr := clock.Parse(record.GetString(collections.OfficeHoursEndTime))
	if startErr == nil && endErr == nil && start >= end {
		errs[collections.OfficeHoursEndTime] = validation.NewError("validation_end_before_start", "Must be later than the start time.")
	}
	if len(errs) > 0 {
		return errs, nil
	}
	slot, err := SlotOf(record)
	if err != nil {
		return nil, nil // a malformed day or time, which the schema reports
	}

	others, err := app.FindRecordsByFilter(collections.OfficeHours,
		"instructor = {:instructor} && id != {:id}", "", 0, 0,
		dbx.Params{"instructor": instructorId, "id": record.Id})
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, other := range others {
		otherSlot, err := SlotOf(other)
		if err != nil {
			continue
		}
		if Overlaps(slot, otherSlot, now) {
			message := fmt.Sprintf("Overlaps your office hours on %s %s-%s (%s).",
				otherSlot.Weekday, other.GetString(collections.OfficeHoursStartTime),
				other.GetString(collections.OfficeHoursEndTime), otherSlot.Location)
			return validation.Errors{
				collections.OfficeHoursStartTime: validation.NewError("validation_slot_overlap", message),
				collections.OfficeHoursEndTime:   validation.NewError("validation_slot_overlap", message),
			}, nil
		}
	}
	return nil, nil
}

// SlotOf reads the weekly slot of an office_hours record.
func SlotOf(record *core.Record) (Slot, error) {
	return NewSlot(
		record.GetInt(collections.OfficeHoursDayOfWeek),
		record.GetString(collections.OfficeHoursStartTime),
		record.GetString(collections.OfficeHoursEndTime),
		record.GetString(collections.OfficeHoursTimezone),
	)
}

// overrideOf reads the manual open or close of an office_hours record.
func overrideOf(record *core.Record) Override {
	return Override{
		State: record.GetString(collections.OfficeHoursManualState),
		Until: record.GetDateTime(collections.OfficeHoursManualUntil).Time(),
	}
}

// SlotIsOpen reports whether the slot takes queue joins at now.
func SlotIsOpen(record *core.Record, now time.Time) bool {
	slot, err := SlotOf(record)
	if err != nil {
		return false
	}
	return IsOpen(slot, record.GetBool(collections.OfficeHoursActive), overrideOf(record), now)
}

// findOwnSlot loads the slot of the request's {id} for its instructor:
// 404 when the caller may not see it, 403 when they see it but do not own it.
func findOwnSlot(e *core.RequestEvent, txApp core.App) (*core.Record, error) {
	slot, err := findVisibleSlot(e, txApp)
	if err != nil {
		return nil, err
	}
	if slot.GetString(collections.OfficeHoursInstructor) != e.Auth.Id {
		return nil, e.ForbiddenError("Only the instructor of these office hours can do that.", nil)
	}
	return slot, nil
}

// findVisibleSlot loads the slot of the request's {id} as the list rule
// lets the caller see it: active ones, and their own.
func findVisibleSlot(e *core.RequestEvent, txApp core.App) (*core.Record, error) {
	slot, err := txApp.FindRecordById(collections.OfficeHours, e.Request.PathValue("id"))
	if err != nil || (!slot.GetBool(collections.OfficeHoursActive) && slot.GetString(collections.OfficeHoursInstructor) != e.Auth.Id) {
		return nil, e.NotFoundError("Office hours not found.", nil)
	}
	return slot, nil
}

// openOfficeHours is POST /api/office-hours/{id}/open: the owner opens the
// slot by hand until they close it or the slot's end today.
func openOfficeHours(e *core.RequestEvent) error {
	var slot *core.Record
	err := e.App.RunInTransaction(func(txApp core.App) error {
		var err error
		if slot, err = findOwnSlot(e, txApp); err != nil {
			return err
		}
		if !slot.GetBool(collections.OfficeHoursActive) {
			return request.ConflictError(codeSlotInactive, "Activate these office hours before opening them.")
		}
		weekly, err := SlotOf(slot)
		if err != nil {
			return err
		}
		slot.Set(collections.OfficeHoursManualState, collections.OfficeHoursManualOpen)
		slot.Set(collections.OfficeHoursManualUntil, weekly.ManualOpenUntil(time.Now()))
		return txApp.Save(slot)
	})
	if err != nil {
		return err
	}
	return respondOfficeHours(e, slot)
}

// closeOfficeHours is POST /api/office-hours/{id}/close: the owner closes
// the slot by hand until its next occurrence begins, which cancels every
// waiting entry.
func closeOfficeHours(e *core.RequestEvent) error {
	var slot *core.Record
	err := e.App.RunInTransaction(func(txApp core.App) error {
		var err error
		if slot, err = findOwnSlot(e, txApp); err != nil {
			return err
		}
		weekly, err := SlotOf(slot)
		if err != nil {
			return err
		}
		slot.Set(collections.OfficeHoursManualState, collections.OfficeHoursManualClosed)
		slot.Set(collections.OfficeHoursManualUntil, weekly.ManualCloseUntil(time.Now()))
		if err := txApp.Save(slot); err != nil {
			return err
		}
		_, err = cancelWaitingEntries(txApp, slot, e.Auth.Id)
		return err
	})
	if err != nil {
		return err
	}
	return respondOfficeHours(e, slot)
}

// ---------------------------------------------------------------------
// queue

// SweepJobId is the cron job that lets go of the queues of slots that
// closed by the clock.
const SweepJobId = "officeHoursSweep"

// SweepGrace is how long after a slot closes by the clock its waiting
// entries are cancelled: the instructor may finish a visit or two first.
const SweepGrace = 15 * time.Minute

func bindOfficeHoursQueue(app core.App) {
	// Every entry belongs to two known users, its student and its
	// instructor, so its events go through the fan-out straight to their
	// clients. PocketBase's own broadcast would run the list rule as one
	// SQL query per subscriber per changed entry: with 200 students
	// subscribed to office_hours_queue/*, one admit (199 changed entries)
	// took 4.6 s that way instead of well under one.
	realtime.Own(app, collections.OfficeHoursQueue)
	publish := func(action string) func(e *core.RecordEvent) error {
		return func(e *core.RecordEvent) error {
			publishQueueEntry(e.App, action, e.Record)
			return e.Next()
		}
	}
	app.OnRecordAfterCreateSuccess(collections.OfficeHoursQueue).BindFunc(publish(realtime.ActionCreate))
	app.OnRecordAfterUpdateSuccess(collections.OfficeHoursQueue).BindFunc(publish(realtime.ActionUpdate))
	app.OnRecordAfterDeleteSuccess(collections.OfficeHoursQueue).BindFunc(publish(realtime.ActionDelete))

	// a waiting entry that goes away (its student's account deleted, a
	// superuser's delete) leaves no gap in the positions
	app.OnRecordDeleteExecute(collections.OfficeHoursQueue).BindFunc(func(e *core.RecordEvent) error {
		if e.Record.GetString(collections.QueueStatus) != collections.QueueWaiting {
			return e.Next()
		}
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return renumberQueue(txApp, e.Record.GetString(collections.QueueOfficeHours), e.Record.GetString(collections.QueueInstructor), nil)
		})
	})

	app.Cron().MustAdd(SweepJobId, "* * * * *", func() {
		if _, err := SweepQueues(app, time.Now()); err != nil {
			app.Logger().Error("office hours: sweep of closed queues failed", slog.String("error", err.Error()))
		}
	})

	// instructor notes stay private until the instructor shares them:
	// Hidden in the schema, so nobody filters or sorts by them, and shown
	// to the instructor, and to the student once shared
	app.OnRecordEnrich(collections.OfficeHoursQueue).BindFunc(func(e *core.RecordEnrichEvent) error {
		if e.Record.GetBool(collections.QueueNotesShared) ||
			request.IsSelfOrSuperuser(e.RequestInfo, e.Record.GetString(collections.QueueInstructor)) {
			e.Record.Unhide(collections.QueueInstructorNotes)
		} else {
			e.Record.Hide(collections.QueueInstructorNotes)
		}
		return e.Next()
	})
}

// SweepQueues cancels the waiting entries of every slot that
// has been closed by the clock (its occurrence or a manual open over) for
// SweepGrace at now, each slot in its own transaction, and tells the
// students. It returns how many entries it cancelled.
func SweepQueues(app core.App, now time.Time) (int, error) {
	var slotIds []string
	err := app.DB().Select(collections.QueueOfficeHours).Distinct(true).
		From(collections.OfficeHoursQueue).
		Where(dbx.HashExp{collections.QueueStatus: collections.QueueWaiting}).
		AndWhere(dbx.NewExp("[[" + collections.QueueOfficeHours + "]] != ''")).
		Column(&slotIds)
	if err != nil {
		return 0, fmt.Errorf("office hours with waiting entries: %w", err)
	}
	cancelled := 0
	var errs []error
	for _, slotId := range slotIds {
		err := app.RunInTransaction(func(txApp core.App) error {
			slot, err := txApp.FindRecordById(collections.OfficeHours, slotId)
			if err != nil {
				return err
			}
			weekly, err := SlotOf(slot)
			if err != nil {
				return err
			}
			if !ClosedFor(weekly, slot.GetBool(collections.OfficeHoursActive), overrideOf(slot), now, SweepGrace) {
				return nil
			}
			n, err := cancelWaitingEntries(txApp, slot, "")
			if err != nil {
				return err
			}
			cancelled += n
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("sweep office hours %s: %w", slotId, err))
		}
	}
	return cancelled, errors.Join(errs...)
}

// publishQueueEntry sends a committed change of an entry to the clients
// of its instructor and of its student; the student's copy carries no
// instructor notes until they are shared.
func publishQueueEntry(app core.App, action string, entry *core.Record) {
	// the notes field is Hidden in the schema: both copies show it, the
	// student's empty until shared
	instructorView := entry.Clone().Unhide(collections.QueueInstructorNotes)
	studentView := instructorView
	if !entry.GetBool(collections.QueueNotesShared) && entry.GetString(collections.QueueInstructorNotes) != "" {
		studentView = instructorView.Clone()
		studentView.Set(collections.QueueInstructorNotes, "")
	}
	realtime.Get(app).Publish(
		realtime.Event{UserId: entry.GetString(collections.QueueInstructor), Action: action, Record: instructorView},
		realtime.Event{UserId: entry.GetString(collections.QueueStudent), Action: action, Record: studentView},
	)
}

// joinQueueForm is the body of POST /api/office-hours/{id}/queue.
type joinQueueForm struct {
	Question string `json:"question"`
}

// Validate cleans the question to plain text and checks its length.
func (f *joinQueueForm) Validate() error {
	f.Question = strings.TrimSpace(plaintext.Clean(f.Question))
	return validation.ValidateStruct(f,
		validation.Field(&f.Question, validation.RuneLength(0, collections.MaxQuestionLength)),
	)
}

// joinOfficeHoursQueue is POST /api/office-hours/{id}/queue: the caller
// joins the slot's queue at the end, while the slot is open and they have
// no other active entry with its instructor.
func joinOfficeHoursQueue(e *core.RequestEvent) error {
	form := &joinQueueForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}

	var entry *core.Record
	err := e.App.RunInTransaction(func(txApp core.App) error {
		slot, err := findVisibleSlot(e, txApp)
		if err != nil {
			return err
		}
		instructorId := slot.GetString(collections.OfficeHoursInstructor)
		if instructorId == e.Auth.Id {
			return request.CodedError(http.StatusForbidden, codeOwnQueue, "You cannot join your own office hours queue.")
		}
		if !SlotIsOpen(slot, time.Now()) {
			return request.ConflictError(codeSlotClosed, "These office hours are closed right now.")
		}
		if entry, err = QueueStudent(txApp, slot, e.Auth.Id, form.Question); err != nil {
			return err
		}
		if entry == nil {
			return alreadyQueued()
		}

		message := fmt.Sprintf("Position %d in your queue.", entry.GetInt(collections.QueuePosition))
		if form.Question != "" {
			message = form.Question
		}
		return sendQueueNotice(txApp, entry, instructorId, notifications.Notification{
			Type:    collections.TypeOfficeHoursStudentJoined,
			Title:   e.Auth.GetString(collections.UserName) + " joined your office hours queue",
			Message: message,
		})
	})
	if err != nil {
		return err
	}
	return respondOfficeHours(e, entry)
}

// QueueStudent puts the student at the back of the slot's queue, numbered
// like the rest of it (renumberQueue), and answers the entry; nil when they
// already have an active place with the slot's instructor. txApp must be a
// transaction. The join route and the demo seed queue through it.
func QueueStudent(txApp core.App, slot *core.Record, studentId, question string) (*core.Record, error) {
	instructorId := slot.GetString(collections.OfficeHoursInstructor)
	active, err := txApp.FindRecordsByFilter(collections.OfficeHoursQueue,
		"instructor = {:instructor} && student = {:student} && (status = {:waiting} || status = {:admitted})", "", 1, 0,
		dbx.Params{"instructor": instructorId, "student": studentId, "waiting": collections.QueueWaiting, "admitted": collections.QueueAdmitted})
	if err != nil || len(active) > 0 {
		return nil, err
	}
	queue, err := txApp.FindCachedCollectionByNameOrId(collections.OfficeHoursQueue)
	if err != nil {
		return nil, err
	}
	entry := core.NewRecord(queue)
	entry.Set(collections.QueueOfficeHours, slot.Id)
	entry.Set(collections.QueueInstructor, instructorId)
	entry.Set(collections.QueueStudent, studentId)
	entry.Set(collections.QueueQuestion, question)
	entry.Set(collections.QueueStatus, collections.QueueWaiting)
	entry.Set(collections.QueueJoinedAt, types.NowDateTime())
	if err := renumberQueue(txApp, slot.Id, instructorId, entry); err != nil {
		if isQueueUniqueViolation(err) {
			return nil, nil // a concurrent join of the same student won
		}
		return nil, err
	}
	return entry, nil
}

// admitQueueEntry is POST /api/office-hours/queue/{entryId}/admit: the
// instructor takes a waiting student in and a chat room for the two opens.
// Two admits at once (two tabs, a double click) admit the student once:
// the second finds the entry no longer waiting.
func admitQueueEntry(e *core.RequestEvent) error {
	return transitionQueueEntry(e, func(txApp core.App, entry *core.Record, byInstructor bool) error {
		if !byInstructor {
			return e.ForbiddenError("Only the instructor can admit a student.", nil)
		}
		if entry.GetString(collections.QueueStatus) != collections.QueueWaiting {
			return queueStatusConflict(entry, "Only a waiting entry can be admitted.")
		}
		room, err := openVisitRoom(txApp, entry, e.Auth)
		if err != nil {
			return err
		}
		entry.Set(collections.QueueStatus, collections.QueueAdmitted)
		entry.Set(collections.QueueAdmittedAt, types.NowDateTime())
		entry.Set(collections.QueuePosition, 0)
		entry.Set(collections.QueueEstimatedWaitSeconds, 0)
		entry.Set(collections.QueueChatRoom, room.Id)
		if err := txApp.Save(entry); err != nil {
			return err
		}
		if err := renumberQueue(txApp, entry.GetString(collections.QueueOfficeHours), entry.GetString(collections.QueueInstructor), nil); err != nil {
			return err
		}
		return sendQueueNotice(txApp, entry, entry.GetString(collections.QueueStudent), notifications.Notification{
			Type:    collections.TypeOfficeHoursAdmitted,
			Title:   "It's your turn: " + e.Auth.GetString(collections.UserName) + " admitted you",
			Message: "Your office hours visit has started. Open the chat to talk with your instructor.",
			Data:    map[string]any{"chatRoomId": room.Id},
		})
	})
}

// completeQueueForm is the optional body of .../complete: the
// instructor's notes on the visit, and whether the student sees them.
type completeQueueForm struct {
	InstructorNotes *string `json:"instructorNotes"`
	NotesShared     *bool   `json:"notesShared"`
}

// Validate cleans the notes to plain text and checks their length.
func (f *completeQueueForm) Validate() error {
	if f.InstructorNotes == nil {
		return nil
	}
	notes := strings.TrimSpace(plaintext.Clean(*f.InstructorNotes))
	f.InstructorNotes = &notes
	return validation.ValidateStruct(f,
		validation.Field(&f.InstructorNotes, validation.RuneLength(0, collections.MaxInstructorNotesLength)),
	)
}

// completeQueueEntry is POST /api/office-hours/queue/{entryId}/complete:
// the instructor ends an admitted visit, whose length then feeds the
// queue's wait estimates.
func completeQueueEntry(e *core.RequestEvent) error {
	form := &completeQueueForm{}
	if err := request.BindForm(e, form); err != nil {
		return err
	}
	return transitionQueueEntry(e, func(txApp core.App, entry *core.Record, byInstructor bool) error {
		if !byInstructor {
			return e.ForbiddenError("Only the instructor can complete a visit.", nil)
		}
		if entry.GetString(collections.QueueStatus) != collections.QueueAdmitted {
			return queueStatusConflict(entry, "Only an admitted entry can be completed.")
		}
		now := types.NowDateTime()
		duration := now.Time().Sub(entry.GetDateTime(collections.QueueAdmittedAt).Time()).Round(time.Second)
		entry.Set(collections.QueueStatus, collections.QueueCompleted)
		entry.Set(collections.QueueCompletedAt, now)
		entry.Set(collections.QueueDurationSeconds, int(max(duration, 0)/time.Second))
		if form.InstructorNotes != nil {
			entry.Set(collections.QueueInstructorNotes, *form.InstructorNotes)
		}
		if form.NotesShared != nil {
			entry.Set(collections.QueueNotesShared, *form.NotesShared)
		}
		if err := txApp.Save(entry); err != nil {
			return err
		}
		// the new visit length changes everyone's estimate
		if err := renumberQueue(txApp, entry.GetString(collections.QueueOfficeHours), entry.GetString(collections.QueueInstructor), nil); err != nil {
			return err
		}
		seconds := entry.GetInt(collections.QueueDurationSeconds)
		return sendQueueNotice(txApp, entry, entry.GetString(collections.QueueStudent), notifications.Notification{
			Type:    collections.TypeOfficeHoursCompleted,
			Title:   "Your office hours visit is complete",
			Message: fmt.Sprintf("Your visit with %s lasted %s.", e.Auth.GetString(collections.UserName), describeVisitLength(seconds)),
			Data:    map[string]any{"durationSeconds": seconds},
		})
	})
}

// cancelQueueEntry is POST /api/office-hours/queue/{entryId}/cancel: the
// student leaves the queue (or ends an admitted visit), or the instructor
// removes them; cancelledBy says who.
func cancelQueueEntry(e *core.RequestEvent) error {
	return transitionQueueEntry(e, func(txApp core.App, entry *core.Record, byInstructor bool) error {
		status := entry.GetString(collections.QueueStatus)
		if status != collections.QueueWaiting && status != collections.QueueAdmitted {
			return queueStatusConflict(entry, "Only a waiting or admitted entry can be cancelled.")
		}
		markEntryCancelled(entry, e.Auth.Id)
		if err := txApp.Save(entry); err != nil {
			return err
		}
		if err := renumberQueue(txApp, entry.GetString(collections.QueueOfficeHours), entry.GetString(collections.QueueInstructor), nil); err != nil {
			return err
		}
		if !byInstructor {
			return nil
		}
		return sendQueueNotice(txApp, entry, entry.GetString(collections.QueueStudent), notifications.Notification{
			Type:    collections.TypeOfficeHoursCancelled,
			Title:   "Your office hours request was cancelled",
			Message: e.Auth.GetString(collections.UserName) + " cancelled your place in the queue.",
		})
	})
}

// transitionQueueEntry loads the request's entry inside one transaction
// and hands it to change with whether the caller is its instructor (else
// its student). Callers who are neither get a 404, as for a record they
// may not see.
func transitionQueueEntry(e *core.RequestEvent, change func(txApp core.App, entry *core.Record, byInstructor bool) error) error {
	var entry *core.Record
	err := e.App.RunInTransaction(func(txApp core.App) error {
		var err error
		entry, err = txApp.FindRecordById(collections.OfficeHoursQueue, e.Request.PathValue("entryId"))
		if err != nil {
			return e.NotFoundError("Queue entry not found.", nil)
		}
		byInstructor := entry.GetString(collections.QueueInstructor) == e.Auth.Id
		if !byInstructor && entry.GetString(collections.QueueStudent) != e.Auth.Id {
			return e.NotFoundError("Queue entry not found.", nil)
		}
		return change(txApp, entry, byInstructor)
	})
	if err != nil {
		return err
	}
	return respondOfficeHours(e, entry)
}

// markEntryCancelled moves an entry to cancelled by userId ("" for the system).
func markEntryCancelled(entry *core.Record, userId string) {
	entry.Set(collections.QueueStatus, collections.QueueCancelled)
	entry.Set(collections.QueueCancelledAt, types.NowDateTime())
	entry.Set(collections.QueueCancelledBy, userId)
	entry.Set(collections.QueuePosition, 0)
	entry.Set(collections.QueueEstimatedWaitSeconds, 0)
}

// cancelWaitingEntries cancels every waiting entry of a slot that closes
// or goes away, and tells each student. byUserId is the instructor who
// closed it, or "" when the slot changed otherwise (deactivated, deleted).
// It answers how many it cancelled.
func cancelWaitingEntries(txApp core.App, slot *core.Record, byUserId string) (int, error) {
	waiting, err := txApp.FindRecordsByFilter(collections.OfficeHoursQueue,
		"officeHours = {:slot} && status = {:waiting}", "", 0, 0,
		dbx.Params{"slot": slot.Id, "waiting": collections.QueueWaiting})
	if err != nil {
		return 0, err
	}
	if len(waiting) == 0 {
		return 0, nil
	}
	students := make([]string, 0, len(waiting))
	for _, entry := range waiting {
		markEntryCancelled(entry, byUserId)
		if err := txApp.SaveNoValidate(entry); err != nil {
			return 0, err
		}
		students = append(students, entry.GetString(collections.QueueStudent))
	}
	_, err = notifications.Send(txApp, notifications.Notification{
		Type:              collections.TypeOfficeHoursCancelled,
		Recipients:        students,
		Title:             "Office hours closed",
		Message:           "The office hours you were waiting for have closed, so your place in the queue was cancelled.",
		Data:              map[string]any{"officeHoursId": slot.Id},
		DedupeKey:         notifications.Key(collections.TypeOfficeHoursCancelled, slot.Id, time.Now().UTC().Format(time.RFC3339)),
		RelatedCollection: collections.OfficeHours,
		RelatedId:         slot.Id,
	})
	return len(waiting), err
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
func renumberQueue(txApp core.App, slotId, instructorId string, joined *core.Record) error {
	var waiting []*core.Record
	if slotId != "" {
		err := txApp.RecordQuery(collections.OfficeHoursQueue).
			AndWhere(dbx.HashExp{collections.QueueOfficeHours: slotId, collections.QueueStatus: collections.QueueWaiting}).
			All(&waiting)
		if err != nil {
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
		if !entry.IsNew() &&
			entry.GetInt(collections.QueuePosition) == spot.Position &&
			entry.GetInt(collections.QueueEstimatedWaitSeconds) == spot.EstimatedWaitSeconds {
			continue
		}
		entry.Set(collections.QueuePosition, spot.Position)
		entry.Set(collections.QueueEstimatedWaitSeconds, spot.EstimatedWaitSeconds)
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
func sortJoinOrder(entries []*core.Record) {
	slices.SortStableFunc(entries, func(a, b *core.Record) int {
		pa, pb := a.GetInt(collections.QueuePosition), b.GetInt(collections.QueuePosition)
		if (pa == 0) != (pb == 0) {
			if pa == 0 {
				return 1
			}
			return -1
		}
		if pa != pb {
			return pa - pb
		}
		if c := a.GetDateTime(collections.QueueJoinedAt).Time().Compare(b.GetDateTime(collections.QueueJoinedAt).Time()); c != 0 {
			return c
		}
		return strings.Compare(a.Id, b.Id)
	})
}

// averageVisitSeconds is the mean length of the instructor's latest
// completed visits within RecentWindow.
func averageVisitSeconds(txApp core.App, instructorId string, now time.Time) (int, error) {
	since, err := types.ParseDateTime(now.Add(-RecentWindow))
	if err != nil {
		return 0, err
	}
	var durations []int
	err = txApp.DB().Select(collections.QueueDurationSeconds).
		From(collections.OfficeHoursQueue).
		Where(dbx.HashExp{collections.QueueInstructor: instructorId, collections.QueueStatus: collections.QueueCompleted}).
		AndWhere(dbx.NewExp("[["+collections.QueueCompletedAt+"]] >= {:since}", dbx.Params{"since": since.String()})).
		OrderBy(collections.QueueCompletedAt + " DESC").
		Limit(RecentVisits).
		Column(&durations)
	if err != nil {
		return 0, fmt.Errorf("recent visits of %s: %w", instructorId, err)
	}
	return AverageVisitSeconds(durations), nil
}

// openVisitRoom finds the office-hours chat room of the entry's student
// and instructor from an earlier visit, so the two keep their history, or
// creates one.
func openVisitRoom(txApp core.App, entry, instructor *core.Record) (*core.Record, error) {
	studentId := entry.GetString(collections.QueueStudent)
	earlier, err := txApp.FindRecordsByFilter(collections.OfficeHoursQueue,
		"instructor = {:instructor} && student = {:student} && chatRoom != ''", "-admittedAt", 1, 0,
		dbx.Params{"instructor": instructor.Id, "student": studentId})
	if err != nil {
		return nil, err
	}
	if len(earlier) > 0 {
		room, err := txApp.FindRecordById(collections.ChatRooms, earlier[0].GetString(collections.QueueChatRoom))
		if err == nil {
			for _, userId := range []string{instructor.Id, studentId} {
				if err := chat.AddParticipant(txApp, room.Id, userId); err != nil {
					return nil, err
				}
			}
			return room, nil
		}
	}

	name := "Office hours: " + instructor.GetString(collections.UserName)
	if student, err := txApp.FindRecordById(collections.Users, studentId); err == nil {
		name += " & " + student.GetString(collections.UserName)
	}
	var courseId string
	if slot, err := txApp.FindRecordById(collections.OfficeHours, entry.GetString(collections.QueueOfficeHours)); err == nil {
		courseId = slot.GetString(collections.OfficeHoursCourse)
	}
	return chat.CreateRoom(txApp, chat.NewRoom{
		Name:         name,
		Type:         collections.ChatRoomTypeOfficeHours,
		CourseId:     courseId,
		CreatedBy:    instructor.Id,
		Participants: []string{instructor.Id, studentId},
	})
}

// sendQueueNotice sends one notification about a queue entry to userId,
// inside the transaction of the change, deduplicated per entry and type.
func sendQueueNotice(txApp core.App, entry *core.Record, userId string, n notifications.Notification) error {
	n.Recipients = []string{userId}
	if n.Data == nil {
		n.Data = map[string]any{}
	}
	n.Data["entryId"] = entry.Id
	n.Data["officeHoursId"] = entry.GetString(collections.QueueOfficeHours)
	n.DedupeKey = notifications.Key(n.Type, entry.Id)
	n.RelatedCollection = collections.OfficeHoursQueue
	n.RelatedId = entry.Id
	_, err := notifications.Send(txApp, n)
	return err
}

// describeVisitLength writes a visit length for people: "45 s", "12 min".
func describeVisitLength(seconds int) string {
	if seconds < 60 {
		return fmt.Sprintf("%d s", seconds)
	}
	return fmt.Sprintf("%d min", (seconds+30)/60)
}

// respondOfficeHours answers with a record as the records API would show it to
// the caller (hidden fields, enrich hooks).
func respondOfficeHours(e *core.RequestEvent, record *core.Record) error {
	if err := apis.EnrichRecord(e, record); err != nil {
		e.App.Logger().Warn("office hours: enrich record",
			slog.String("id", record.Id), slog.String("error", err.Error()))
	}
	return e.JSON(http.StatusOK, record)
}

func alreadyQueued() error {
	return request.ConflictError(codeAlreadyQueued, "You already have an active place in this instructor's queue.")
}

func queueStatusConflict(entry *core.Record, message string) error {
	err := request.ConflictError(codeQueueStatus, message)
	err.Data["status"] = entry.GetString(collections.QueueStatus)
	return err
}

// isQueueUniqueViolation reports whether err comes from a unique index.
func isQueueUniqueViolation(err error) bool {
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
