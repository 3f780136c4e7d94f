package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// Office hours: instructors' weekly slots and the live queue of each.
//
// Who sees what:
//   - any signed-in user lists and views active slots (students need to
//     find them); an instructor also sees their own inactive ones;
//   - only instructors create slots, for themselves (and only for courses
//     they teach, checked by a hook); the owner updates and deletes;
//     manualState and manualUntil change only through the open and close
//     routes;
//   - a student sees their own queue entries, an instructor the entries of
//     their queues; nobody but the server writes them (the queue routes),
//     and a hook hides instructorNotes from the student until shared.
//
// One active (waiting or admitted) entry per student per instructor is a
// partial unique index, behind the check the join route makes inside its
// transaction.
func init() {
	m.Register(func(app core.App) error {
		users, err := app.FindCollectionByNameOrId(collections.Users)
		if err != nil {
			return err
		}
		courses, err := app.FindCollectionByNameOrId(collections.Courses)
		if err != nil {
			return err
		}
		rooms, err := app.FindCollectionByNameOrId(collections.ChatRooms)
		if err != nil {
			return err
		}

		// --- office_hours
		slots := core.NewBaseCollection(collections.OfficeHours)
		slotsRead := "@request.auth.id != '' && (active = true || instructor = @request.auth.id)"
		manualUntouched := "@request.body.manualState:isset = false && @request.body.manualUntil:isset = false"
		slots.ListRule = rule(slotsRead)
		slots.ViewRule = rule(slotsRead)
		slots.CreateRule = rule("@request.auth.role = 'instructor' && instructor = @request.auth.id && " + manualUntouched)
		slots.UpdateRule = rule("instructor = @request.auth.id && (@request.body.instructor:isset = false || @request.body.instructor = @request.auth.id) && " + manualUntouched)
		slots.DeleteRule = rule("instructor = @request.auth.id")
		clock := `^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$`
		slots.Fields.Add(
			relation(collections.OfficeHoursInstructor, users.Id, true, true),
			relation(collections.OfficeHoursCourse, courses.Id, false, true),
			&core.NumberField{Name: collections.OfficeHoursDayOfWeek, OnlyInt: true, Min: types.Pointer(0.0), Max: types.Pointer(6.0)},
			&core.TextField{Name: collections.OfficeHoursStartTime, Required: true, Pattern: clock},
			&core.TextField{Name: collections.OfficeHoursEndTime, Required: true, Pattern: clock},
			&core.TextField{Name: collections.OfficeHoursTimezone, Max: 64},
			&core.TextField{Name: collections.OfficeHoursLocation, Max: collections.MaxLocationLength, Presentable: true},
			&core.URLField{Name: collections.OfficeHoursMeetingURL},
			&core.TextField{Name: collections.OfficeHoursDescription, Max: collections.MaxDescriptionLength},
			&core.BoolField{Name: collections.OfficeHoursActive},
			&core.SelectField{Name: collections.OfficeHoursManualState, Values: collections.OfficeHoursManualStates, MaxSelect: 1},
			&core.DateField{Name: collections.OfficeHoursManualUntil},
		)
		addTimestamps(slots)
		slots.AddIndex("idx_office_hours_instructor", false, "instructor", "")
		slots.AddIndex("idx_office_hours_course", false, "course", "course != ''")
		if err := app.Save(slots); err != nil {
			return err
		}

		// --- office_hours_queue: entries outlive a deleted slot (their
		// durations feed the instructor's wait estimates), with the
		// relation emptied
		queue := core.NewBaseCollection(collections.OfficeHoursQueue)
		queueRead := "student = @request.auth.id || instructor = @request.auth.id"
		queue.ListRule = rule(queueRead)
		queue.ViewRule = rule(queueRead)
		queue.CreateRule = superusersOnly
		queue.UpdateRule = superusersOnly
		queue.DeleteRule = superusersOnly
		queue.Fields.Add(
			relation(collections.QueueOfficeHours, slots.Id, false, false),
			relation(collections.QueueInstructor, users.Id, true, true),
			relation(collections.QueueStudent, users.Id, true, true),
			&core.TextField{Name: collections.QueueQuestion, Max: collections.MaxQuestionLength},
			&core.SelectField{Name: collections.QueueStatus, Required: true, Values: collections.QueueStatuses, MaxSelect: 1},
			&core.NumberField{Name: collections.QueuePosition, OnlyInt: true, Min: types.Pointer(0.0)},
			&core.NumberField{Name: collections.QueueEstimatedWaitSeconds, OnlyInt: true, Min: types.Pointer(0.0)},
			&core.DateField{Name: collections.QueueJoinedAt},
			&core.DateField{Name: collections.QueueAdmittedAt},
			&core.DateField{Name: collections.QueueCompletedAt},
			&core.DateField{Name: collections.QueueCancelledAt},
			&core.NumberField{Name: collections.QueueDurationSeconds, OnlyInt: true, Min: types.Pointer(0.0)},
			&core.TextField{Name: collections.QueueInstructorNotes, Max: collections.MaxInstructorNotesLength},
			&core.BoolField{Name: collections.QueueNotesShared},
			relation(collections.QueueChatRoom, rooms.Id, false, false),
			relation(collections.QueueCancelledBy, users.Id, false, false),
		)
		addTimestamps(queue)
		queue.AddIndex("idx_office_hours_queue_active", true, "instructor, student", "status = 'waiting' OR status = 'admitted'")
		queue.AddIndex("idx_office_hours_queue_slot_status", false, "officeHours, status, position", "")
		queue.AddIndex("idx_office_hours_queue_history", false, "instructor, status, completedAt", "")
		queue.AddIndex("idx_office_hours_queue_student", false, "student", "")
		return app.Save(queue)
	}, func(app core.App) error {
		return deleteCollections(app, collections.OfficeHoursQueue, collections.OfficeHours)
	})
}
