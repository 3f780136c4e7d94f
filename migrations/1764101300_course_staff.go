package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// Course staff and office hours as a course's staff runs them (issue 17).
//
// course_staff: one row per (course, user, role ta), managed by the
// course's instructor.
//   - the instructor lists, views, adds and removes the TAs of their
//     courses; a TA lists and views their own rows; nobody updates a row
//     (remove and add again); a hook refuses the course's own instructor
//     as its TA.
//
// What a TA gets, all through the rules below and the office-hours routes:
//   - courses: a TA views the course they assist, draft or not; the update
//     rule is unchanged, so a TA never edits it;
//   - office_hours_queue: a TA lists and views every entry of the slots of
//     their course (slots without a course are the instructor's alone),
//     instructorNotes included (a hook unhides them for the staff);
//   - the routes let the course's staff open, close, pause and resume the
//     slot, announce, admit (alone or in a group), complete and cancel.
//
// office_hours gains pausedAt, announcement and announcedAt (server-kept:
// the pause, resume and announce routes) and maxVisitsPerDay (the
// instructor's, 0 for no limit). The notification type
// office_hours_announcement joins the catalog.
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

		// --- course_staff
		staff := core.NewBaseCollection(collections.CourseStaff)
		staffRead := "user = @request.auth.id || course.instructor = @request.auth.id"
		staff.ListRule = rule(staffRead)
		staff.ViewRule = rule(staffRead)
		staff.CreateRule = rule("course.instructor = @request.auth.id")
		staff.UpdateRule = superusersOnly
		staff.DeleteRule = rule("course.instructor = @request.auth.id")
		staff.Fields.Add(
			relation(collections.CourseStaffCourse, courses.Id, true, true),
			relation(collections.CourseStaffUser, users.Id, true, true),
			&core.SelectField{Name: collections.CourseStaffRole, Required: true, Values: collections.CourseStaffRoles, MaxSelect: 1},
		)
		addTimestamps(staff)
		staff.AddIndex("idx_course_staff_course_user", true, "course, user", "")
		staff.AddIndex("idx_course_staff_user", false, "user", "")
		if err := app.Save(staff); err != nil {
			return err
		}

		// --- courses: their TAs view them
		courses.ListRule = rule(coursesReadWithStaff)
		courses.ViewRule = rule(coursesReadWithStaff)
		if err := app.Save(courses); err != nil {
			return err
		}

		// --- office_hours: pause, announcement, visit limit
		slots, err := app.FindCollectionByNameOrId(collections.OfficeHours)
		if err != nil {
			return err
		}
		slots.Fields.Add(
			&core.DateField{Name: collections.OfficeHoursPausedAt},
			&core.TextField{Name: collections.OfficeHoursAnnouncement, Max: collections.MaxAnnouncementLength},
			&core.DateField{Name: collections.OfficeHoursAnnouncedAt},
			&core.NumberField{Name: collections.OfficeHoursMaxVisitsPerDay, OnlyInt: true,
				Min: types.Pointer(0.0), Max: types.Pointer(float64(collections.MaxVisitsPerDayLimit))},
		)
		if err := app.Save(slots); err != nil {
			return err
		}

		// --- office_hours_queue: the course's TAs see its entries
		queue, err := app.FindCollectionByNameOrId(collections.OfficeHoursQueue)
		if err != nil {
			return err
		}
		queue.ListRule = rule(queueReadWithStaff)
		queue.ViewRule = rule(queueReadWithStaff)
		if err := app.Save(queue); err != nil {
			return err
		}

		return setNotificationTypes(app, collections.NotificationTypes())
	}, func(app core.App) error {
		queue, err := app.FindCollectionByNameOrId(collections.OfficeHoursQueue)
		if err != nil {
			return err
		}
		queue.ListRule = rule(queueReadBeforeStaff)
		queue.ViewRule = rule(queueReadBeforeStaff)
		if err := app.Save(queue); err != nil {
			return err
		}
		slots, err := app.FindCollectionByNameOrId(collections.OfficeHours)
		if err != nil {
			return err
		}
		for _, name := range []string{collections.OfficeHoursPausedAt, collections.OfficeHoursAnnouncement,
			collections.OfficeHoursAnnouncedAt, collections.OfficeHoursMaxVisitsPerDay} {
			slots.Fields.RemoveByName(name)
		}
		if err := app.Save(slots); err != nil {
			return err
		}
		courses, err := app.FindCollectionByNameOrId(collections.Courses)
		if err != nil {
			return err
		}
		courses.ListRule = rule(coursesReadBeforeStaff)
		courses.ViewRule = rule(coursesReadBeforeStaff)
		if err := app.Save(courses); err != nil {
			return err
		}
		if err := deleteCollections(app, collections.CourseStaff); err != nil {
			return err
		}
		var types []string
		for _, t := range collections.NotificationTypes() {
			if t != collections.TypeOfficeHoursAnnouncement {
				types = append(types, t)
			}
		}
		return setNotificationTypes(app, types)
	})
}

// The read rules this migration changes, before and after. A TA is a user
// with a course_staff row of the course (course_staff_via_course is
// PocketBase's back-relation from courses to course_staff). The guard on
// @request.auth.id is needed: for a course without staff (or a slot
// without a course) the joined user is empty, and so is a guest's id.
const (
	coursesReadBeforeStaff = "published = true || instructor = @request.auth.id"
	coursesReadWithStaff   = coursesReadBeforeStaff + " || (@request.auth.id != '' && course_staff_via_course.user ?= @request.auth.id)"
	queueReadBeforeStaff   = "student = @request.auth.id || instructor = @request.auth.id"
	queueReadWithStaff     = queueReadBeforeStaff + " || (@request.auth.id != '' && officeHours.course.course_staff_via_course.user ?= @request.auth.id)"
)

// setNotificationTypes sets the allowed types of every collection that
// carries a notification payload.
func setNotificationTypes(app core.App, values []string) error {
	for _, name := range []string{collections.Notifications, collections.NotificationHolds, collections.NotificationEmails} {
		c, err := app.FindCollectionByNameOrId(name)
		if err != nil {
			return err
		}
		field, ok := c.Fields.GetByName(collections.NotificationType).(*core.SelectField)
		if !ok {
			continue
		}
		field.Values = values
		if err := app.Save(c); err != nil {
			return err
		}
	}
	return nil
}
