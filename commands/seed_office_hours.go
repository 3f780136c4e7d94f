package commands

import (
	"errors"
	"fmt"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/clock"
	"studyhall/collections"
	"studyhall/officehours"
)

// seedOfficeHours gives the demo instructor a weekly office-hours slot of
// the demo course that is open now (today, around the current hour, in the
// instructor's zone) and puts the third demo student in its queue, so a
// demo shows a live queue at once. A second seed moves the same slot to
// around the new now; should that collide with a slot made since, the
// slot is opened by hand instead.
func seedOfficeHours(txApp core.App, demo *Demo) error {
	if len(demo.Students) < 3 {
		return errors.New("seed office hours: needs three demo students")
	}
	zone := demo.Instructor.GetString(collections.UserTimezone)
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return fmt.Errorf("seed office hours: zone of the demo instructor: %w", err)
	}
	now := time.Now()
	day, start, end := slotAround(now.In(loc))

	slot, err := ensureRecord(txApp, collections.OfficeHours, map[string]any{
		collections.OfficeHoursInstructor: demo.Instructor.Id,
		collections.OfficeHoursCourse:     demo.Course.Id,
	}, map[string]any{
		collections.OfficeHoursDayOfWeek:   day,
		collections.OfficeHoursStartTime:   start,
		collections.OfficeHoursEndTime:     end,
		collections.OfficeHoursTimezone:    zone,
		collections.OfficeHoursLocation:    "Maths building, room 2.14",
		collections.OfficeHoursMeetingURL:  "https://meet.studyhall.test/ada-lovelace",
		collections.OfficeHoursDescription: "Drop in with any question about Algebra I.",
		collections.OfficeHoursActive:      true,
	})
	if err != nil {
		return err
	}
	if err := reopenDemoSlot(txApp, slot, day, start, end, now); err != nil {
		return err
	}
	return queueDemoStudent(txApp, slot, demo.Students[2])
}

// slotAround is a slot of local's weekday that started at the last full
// hour at least an hour ago (or midnight) and runs three hours more (or
// to midnight).
func slotAround(local time.Time) (day int, start, end string) {
	startMin := max(0, (local.Hour()-1)*60)
	endMin := min(clock.MinutesPerDay, startMin+4*60)
	return int(local.Weekday()), clock.Format(startMin), clock.Format(endMin)
}

// reopenDemoSlot makes the demo slot open at now: on its schedule when it
// can be moved there, otherwise by a manual open.
func reopenDemoSlot(txApp core.App, slot *core.Record, day int, start, end string, now time.Time) error {
	if officehours.SlotIsOpen(slot, now) {
		return nil
	}
	slot.Set(collections.OfficeHoursDayOfWeek, day)
	slot.Set(collections.OfficeHoursStartTime, start)
	slot.Set(collections.OfficeHoursEndTime, end)
	slot.Set(collections.OfficeHoursActive, true)
	slot.Set(collections.OfficeHoursManualState, "")
	slot.Set(collections.OfficeHoursManualUntil, "")
	if err := txApp.Save(slot); err == nil {
		return nil
	}
	// another slot of the instructor's is in the way: keep the old times
	fresh, err := txApp.FindRecordById(collections.OfficeHours, slot.Id)
	if err != nil {
		return err
	}
	weekly, err := officehours.SlotOf(fresh)
	if err != nil {
		return fmt.Errorf("seed office hours: %w", err)
	}
	fresh.Set(collections.OfficeHoursActive, true)
	fresh.Set(collections.OfficeHoursManualState, collections.OfficeHoursManualOpen)
	fresh.Set(collections.OfficeHoursManualUntil, weekly.ManualOpenUntil(now))
	return txApp.Save(fresh)
}

// queueDemoStudent puts student in the slot's queue as the join route
// does, unless they already have an active place with its instructor.
func queueDemoStudent(txApp core.App, slot, student *core.Record) error {
	_, err := officehours.QueueStudent(txApp, slot, student.Id, "Could you go over completing the square once more?")
	if err != nil {
		return fmt.Errorf("seed office hours queue: %w", err)
	}
	return nil
}
