package officehours

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/clock"
	"studyhall/collections"
	"studyhall/lms"
	"studyhall/realtime"
	"studyhall/records"
	"studyhall/request"
)

// The record rules of office hours: slots valid (times, zone, no overlaps
// per instructor) and saying whether each is open; queue entries numbered
// without gaps, sent to their student and their slot's staff only, with
// the instructor's notes private to the staff until shared.

// ---------------------------------------------------------------------
// slots

func bindSlots(app core.App) {
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
		slot := AsOfficeHours(e.Record)
		if slot.Timezone() == "" {
			zone := collections.DefaultTimezone
			if instructor, err := e.App.FindRecordById(collections.Users, slot.Instructor()); err == nil {
				if tz := instructor.GetString(collections.UserTimezone); tz != "" {
					zone = tz
				}
			}
			slot.SetTimezone(zone)
		}
		return e.Next()
	})

	// the schema's own field errors and these come back together
	app.OnRecordValidate(collections.OfficeHours).BindFunc(func(e *core.RecordEvent) error {
		slotErrs, err := validateSlot(e.App, AsOfficeHours(e.Record))
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
		if !AsOfficeHours(e.Record.Original()).Active() || AsOfficeHours(e.Record).Active() {
			return e.Next()
		}
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			_, err := cancelWaitingEntries(txApp, e.Record.Id, "")
			return err
		})
	})

	// so does deleting it, before the entries lose their slot
	app.OnRecordDeleteExecute(collections.OfficeHours).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			_, err := cancelWaitingEntries(txApp, e.Record.Id, "")
			return err
		}, nil)
	})

	// every read says whether the slot takes joins right now
	app.OnRecordEnrich(collections.OfficeHours).BindFunc(func(e *core.RecordEnrichEvent) error {
		e.Record.WithCustomData(true)
		e.Record.Set(collections.OfficeHoursIsOpen, AsOfficeHours(e.Record).IsOpen(time.Now()))
		return e.Next()
	})
}

// validateSlot checks what the schema cannot: an instructor teaching the
// course, a valid zone, start before end and no overlap with the
// instructor's other slots. Malformed times and days are left to the
// schema's own checks.
func validateSlot(app core.App, slot *OfficeHours) (validation.Errors, error) {
	errs := validation.Errors{}
	instructorId := slot.Instructor()
	if instructor, err := app.FindRecordById(collections.Users, instructorId); err == nil &&
		instructor.GetString(collections.UserRole) != collections.RoleInstructor {
		errs[collections.OfficeHoursInstructor] = validation.NewError("validation_not_instructor", "Only a user with the instructor role can hold office hours.")
	}
	if courseId := slot.Course(); courseId != "" {
		course, err := app.FindRecordById(collections.Courses, courseId)
		if err == nil && course.GetString(collections.CourseInstructor) != instructorId {
			errs[collections.OfficeHoursCourse] = validation.NewError("validation_not_course_instructor", "Office hours can only be held for a course you teach.")
		}
	}
	if err := records.ValidateTimezone(slot.Timezone()); err != nil {
		errs[collections.OfficeHoursTimezone] = err
	}
	records.CheckURLLengths(errs, slot.Record, collections.OfficeHoursMeetingURL)
	start, startErr := clock.Parse(slot.StartTime())
	end, endErr := clock.Parse(slot.EndTime())
	if startErr == nil && endErr == nil && start >= end {
		errs[collections.OfficeHoursEndTime] = validation.NewError("validation_end_before_start", "Must be later than the start time.")
	}
	if len(errs) > 0 {
		return errs, nil
	}
	weekly, err := slot.Weekly()
	if err != nil {
		return nil, nil // a malformed day or time, which the schema reports
	}

	others, err := findOtherSlots(app, instructorId, slot.Id)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for _, other := range others {
		otherWeekly, err := other.Weekly()
		if err != nil {
			continue
		}
		if Overlaps(weekly, otherWeekly, now) {
			message := fmt.Sprintf("Overlaps your office hours on %s %s-%s (%s).",
				otherWeekly.Weekday, other.StartTime(), other.EndTime(), otherWeekly.Location)
			return validation.Errors{
				collections.OfficeHoursStartTime: validation.NewError("validation_slot_overlap", message),
				collections.OfficeHoursEndTime:   validation.NewError("validation_slot_overlap", message),
			}, nil
		}
	}
	return nil, nil
}

// ---------------------------------------------------------------------
// queue entries

func bindQueueEntries(app core.App) {
	// Every entry belongs to two known users, its student and its
	// instructor, so its events go through the fan-out straight to their
	// clients. PocketBase's own broadcast would run the list rule as one
	// SQL query per subscriber per changed entry: with 200 students
	// subscribed to office_hours_queue/*, one admit (199 changed entries)
	// took 4.6 s that way instead of well under one.
	realtime.Own(app, collections.OfficeHoursQueue)
	publish := func(action string) func(e *core.RecordEvent) error {
		return func(e *core.RecordEvent) error {
			publishQueueEntry(e.App, action, AsQueueEntry(e.Record))
			return e.Next()
		}
	}
	app.OnRecordAfterCreateSuccess(collections.OfficeHoursQueue).BindFunc(publish(realtime.ActionCreate))
	app.OnRecordAfterUpdateSuccess(collections.OfficeHoursQueue).BindFunc(publish(realtime.ActionUpdate))
	app.OnRecordAfterDeleteSuccess(collections.OfficeHoursQueue).BindFunc(publish(realtime.ActionDelete))

	// a waiting entry that goes away (its student's account deleted, a
	// superuser's delete) leaves no gap in the positions
	app.OnRecordDeleteExecute(collections.OfficeHoursQueue).BindFunc(func(e *core.RecordEvent) error {
		entry := AsQueueEntry(e.Record)
		if entry.Status() != collections.QueueWaiting {
			return e.Next()
		}
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			return renumberQueue(txApp, entry.OfficeHours(), entry.Instructor(), nil)
		})
	})

	// instructor notes stay private until the staff share them: Hidden in
	// the schema, so nobody filters or sorts by them, and shown to the
	// instructor and the TAs of the slot's course, and to the student
	// once shared
	app.OnRecordEnrich(collections.OfficeHoursQueue).BindFunc(func(e *core.RecordEnrichEvent) error {
		entry := AsQueueEntry(e.Record)
		show, err := readsInstructorNotes(e.App, e.RequestInfo, entry)
		if err != nil {
			return err
		}
		if show {
			e.Record.Unhide(collections.QueueInstructorNotes)
		} else {
			e.Record.Hide(collections.QueueInstructorNotes)
		}
		return e.Next()
	})
}

// readsInstructorNotes reports whether the caller of info reads the
// entry's instructorNotes: once shared, everyone who sees the entry;
// before, its instructor, superusers and the TAs of its slot's course.
func readsInstructorNotes(app core.App, info *core.RequestInfo, entry *QueueEntry) (bool, error) {
	if entry.NotesShared() || request.IsSelfOrSuperuser(info, entry.Instructor()) {
		return true, nil
	}
	if info == nil || info.Auth == nil || info.Auth.Id == entry.Student() {
		return false, nil
	}
	slot, err := FindOfficeHours(app, entry.OfficeHours())
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // the slot is gone, and its course with it
	}
	if err != nil {
		return false, err
	}
	return lms.IsCourseTA(app, slot.Course(), info.Auth.Id)
}

// publishQueueEntry sends a committed change of an entry to the clients
// of its slot's staff (its instructor and the TAs of the slot's course)
// and of its student; the student's copy carries no instructor notes
// until they are shared.
func publishQueueEntry(app core.App, action string, entry *QueueEntry) {
	// the notes field is Hidden in the schema: every copy shows it, the
	// student's empty until shared
	staffView := entry.Clone().Unhide(collections.QueueInstructorNotes)
	studentView := staffView
	if !entry.NotesShared() && entry.InstructorNotes() != "" {
		studentView = staffView.Clone()
		studentView.Set(collections.QueueInstructorNotes, "")
	}
	events := []realtime.Event{
		{UserId: entry.Instructor(), Action: action, Record: staffView},
		{UserId: entry.Student(), Action: action, Record: studentView},
	}
	tas, err := slotTAIds(app, entry.OfficeHours())
	if err != nil {
		app.Logger().Warn("officehours: staff of a queue entry's slot", "entry", entry.Id, "error", err)
	}
	for _, userId := range tas {
		if userId != entry.Student() && userId != entry.Instructor() {
			events = append(events, realtime.Event{UserId: userId, Action: action, Record: staffView})
		}
	}
	realtime.Get(app).Publish(events...)
}
