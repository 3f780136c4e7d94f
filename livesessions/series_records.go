package livesessions

import (
	"errors"
	"time"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
	"studyhall/records"
)

// Weekly series: an instructor's rule ("Tuesdays and Thursdays at 10:00,
// Europe/London, from 3 March, 12 sessions"), kept in live_session_series,
// whose occurrences the server writes as real live_sessions rows with
// `series` set. They are joined, started, ended and exported like any
// session.
//
//   - The zone is the series' own `timezone`; left empty it is the
//     instructor's (users.timezone), the zone they teach from: a course
//     has no zone of its own.
//   - Only occurrences that start after the moment of the save are made;
//     a series holds at most collections.MaxSeriesOccurrences.
//   - Editing the series rewrites its future occurrences that are still
//     scheduled (title, description, time, duration, capacity, visibility,
//     link), in order, adding or removing some when the number changes.
//     Past, live, ended and cancelled occurrences are never touched, and a
//     day whose occurrence started or was cancelled gets no other.
//   - Deleting the series deletes its future scheduled occurrences; the
//     others stay, with their attendance, as single sessions.

func bindSeriesRecords(app core.App) {
	app.OnRecordCreate(collections.SessionSeries).BindFunc(func(e *core.RecordEvent) error {
		series := asSeries(e.Record)
		setSeriesDefaults(e.App, series)
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			sync, err := syncOccurrences(txApp, series, time.Now())
			if err != nil {
				return err
			}
			return notifySeriesCreated(txApp, series, sync)
		})
	})

	app.OnRecordValidate(collections.SessionSeries).BindFunc(func(e *core.RecordEvent) error {
		if errs := validateSeries(e.App, asSeries(e.Record), time.Now()); len(errs) > 0 {
			return errs
		}
		return e.Next()
	})

	app.OnRecordUpdate(collections.SessionSeries).BindFunc(func(e *core.RecordEvent) error {
		series := asSeries(e.Record)
		if series.Timezone() == "" {
			series.Set(collections.SeriesTimezone, instructorZone(e.App, series.Instructor()))
		}
		return records.InTransaction(&e.App, e.Next, nil, func(txApp core.App) error {
			sync, err := syncOccurrences(txApp, series, time.Now())
			if err != nil {
				return err
			}
			return notifySeriesUpdated(txApp, asSeries(series.Original()), series, sync)
		})
	})

	app.OnRecordDelete(collections.SessionSeries).BindFunc(func(e *core.RecordEvent) error {
		return records.InTransaction(&e.App, e.Next, func(txApp core.App) error {
			return deleteFutureOccurrences(txApp, asSeries(e.Record), time.Now())
		}, nil)
	})
}

// setSeriesDefaults fills what a new series left empty.
func setSeriesDefaults(app core.App, series *Series) {
	if series.Timezone() == "" {
		series.Set(collections.SeriesTimezone, instructorZone(app, series.Instructor()))
	}
	if series.DurationMinutes() == 0 {
		series.Set(collections.SeriesDurationMinutes, collections.DefaultSessionDurationMinutes)
	}
	if series.Capacity() == 0 {
		series.Set(collections.SeriesCapacity, collections.DefaultSessionCapacity)
	}
	if series.Visibility() == "" {
		visibility := collections.LiveSessionVisibilityCourse
		if series.Course() == "" {
			visibility = collections.LiveSessionVisibilityPublic
		}
		series.Set(collections.SeriesVisibility, visibility)
	}
}

// instructorZone is the instructor's own time zone, UTC if unknown.
func instructorZone(app core.App, instructorId string) string {
	instructor, err := app.FindRecordById(collections.Users, instructorId)
	if err != nil {
		return collections.DefaultTimezone
	}
	if zone := instructor.GetString(collections.UserTimezone); zone != "" {
		return zone
	}
	return collections.DefaultTimezone
}

// seriesRule is the series' rule, or the field errors that keep it from
// being one.
func seriesRule(series *Series) (Weekly, validation.Errors) {
	errs := validation.Errors{}
	rule := Weekly{Count: series.GetInt(collections.SeriesCount)}
	days, ok := series.Days()
	if !ok {
		errs[collections.SeriesDaysOfWeek] = validation.NewError("validation_invalid_days",
			"Must be a list of different weekdays, each 0 (Sunday) to 6 (Saturday).")
	}
	rule.Days = days
	var err error
	if rule.Hour, rule.Minute, err = ParseClock(series.StartTime()); err != nil {
		errs[collections.SeriesStartTime] = validation.NewError("validation_invalid_time", "Must be a time such as 09:30.")
	}
	if err := records.ValidateTimezone(series.Timezone()); err != nil {
		errs[collections.SeriesTimezone] = err
	} else {
		rule.Location, _ = time.LoadLocation(series.Timezone())
	}
	if rule.From, err = ParseDate(series.GetString(collections.SeriesStartsOn)); err != nil {
		errs[collections.SeriesStartsOn] = validation.NewError("validation_invalid_date", "Must be a date such as 2026-03-03.")
	}
	if until := series.GetString(collections.SeriesEndsOn); until != "" {
		date, err := ParseDate(until)
		if err != nil {
			errs[collections.SeriesEndsOn] = validation.NewError("validation_invalid_date", "Must be a date such as 2026-06-30.")
		}
		rule.Until = &date
	}
	return rule, errs
}

// validateSeries checks what the schema cannot, whatever saves the series.
func validateSeries(app core.App, series *Series, now time.Time) validation.Errors {
	rule, errs := seriesRule(series)
	if len(errs) == 0 {
		starts, err := rule.Occurrences()
		switch {
		case errors.Is(err, ErrSeriesNoEnd):
			errs[collections.SeriesEndsOn] = validation.NewError("validation_series_no_end", "Give an end date or a number of sessions.")
		case errors.Is(err, ErrSeriesEndsBefore):
			errs[collections.SeriesEndsOn] = validation.NewError("validation_series_ends_before", "Must not be before the start date.")
		case errors.Is(err, ErrSeriesNoDays):
			errs[collections.SeriesDaysOfWeek] = validation.NewError("validation_invalid_days", "Choose at least one weekday.")
		case errors.Is(err, ErrSeriesTooLong):
			field := collections.SeriesEndsOn
			if series.GetInt(collections.SeriesCount) > 0 {
				field = collections.SeriesCount
			}
			errs[field] = validation.NewError("validation_series_too_long", "A series holds at most 52 sessions; end it sooner.")
		case err != nil:
			errs[collections.SeriesStartsOn] = validation.NewError("validation_invalid_series", "These dates make no series.")
		case series.IsNew() && len(futureStarts(starts, now)) == 0:
			errs[collections.SeriesStartsOn] = validation.NewError("validation_series_in_the_past", "The series has no session in the future.")
		}
	}
	if series.Capacity() < 1 {
		errs[collections.SeriesCapacity] = validation.NewError("validation_min_greater_equal_than_required", "Must be at least 1.")
	}
	if series.DurationMinutes() < 1 {
		errs[collections.SeriesDurationMinutes] = validation.NewError("validation_min_greater_equal_than_required", "Must be at least 1.")
	}
	records.CheckURLLengths(errs, series.Record, collections.SeriesMeetingURL)
	if series.Course() == "" && series.Visibility() == collections.LiveSessionVisibilityCourse {
		errs[collections.SeriesVisibility] = validation.NewError("validation_course_required",
			"A course series needs a course; make it public to hold it without one.")
	}
	if instructor, err := app.FindRecordById(collections.Users, series.Instructor()); err == nil &&
		instructor.GetString(collections.UserRole) != collections.RoleInstructor {
		errs[collections.SeriesInstructor] = validation.NewError("validation_not_instructor",
			"Only a user with the instructor role can hold a series.")
	}
	if courseId := series.Course(); courseId != "" {
		course, err := app.FindRecordById(collections.Courses, courseId)
		if err == nil && course.GetString(collections.CourseInstructor) != series.Instructor() {
			errs[collections.SeriesCourse] = validation.NewError("validation_not_your_course",
				"Must be a course that the series' instructor teaches.")
		}
	}
	return errs
}

// futureStarts are the starts after now.
func futureStarts(starts []time.Time, now time.Time) []time.Time {
	var out []time.Time
	for _, start := range starts {
		if start.After(now) {
			out = append(out, start)
		}
	}
	return out
}

// occurrenceSync is what syncOccurrences did.
type occurrenceSync struct {
	// upcoming are the series' scheduled future occurrences afterwards,
	// by start.
	upcoming                  []*LiveSession
	created, changed, removed int
}

// syncOccurrences makes the series' future scheduled occurrences those of
// its rule at now: the existing ones rewritten in order, the missing ones
// created, the extra ones deleted. Occurrences that started, ended or
// were cancelled are left alone, and a cancelled week is not made again.
func syncOccurrences(txApp core.App, series *Series, now time.Time) (occurrenceSync, error) {
	var sync occurrenceSync
	rule, errs := seriesRule(series)
	if len(errs) > 0 {
		return sync, errs
	}
	starts, err := rule.Occurrences()
	if err != nil {
		return sync, err
	}
	existing, err := FindOccurrences(txApp, series.Id)
	if err != nil {
		return sync, err
	}
	// a day that holds an occurrence that started, ended or was
	// cancelled gets no other, whatever the new time of day
	var editable []*LiveSession
	kept := map[string]bool{}
	day := func(t time.Time) string { return t.In(rule.Location).Format(time.DateOnly) }
	for _, session := range existing {
		if session.Status() == collections.LiveSessionScheduled && session.ScheduledStart().Time().After(now) {
			editable = append(editable, session)
		} else {
			kept[day(session.ScheduledStart().Time())] = true
		}
	}
	var wanted []time.Time
	for _, start := range futureStarts(starts, now) {
		if !kept[day(start)] {
			wanted = append(wanted, start)
		}
	}

	sessions, err := txApp.FindCachedCollectionByNameOrId(collections.LiveSessions)
	if err != nil {
		return sync, err
	}
	for i := range max(len(editable), len(wanted)) {
		switch {
		case i >= len(wanted):
			if err := txApp.Delete(editable[i]); err != nil {
				return sync, err
			}
			sync.removed++
			continue
		case i >= len(editable):
			session := asLiveSession(core.NewRecord(sessions))
			session.Set(collections.LiveSessionInstructor, series.Instructor())
			session.Set(collections.LiveSessionSeries, series.Id)
			applySeries(series, session, wanted[i])
			if err := txApp.Save(session); err != nil {
				return sync, err
			}
			sync.created++
			sync.upcoming = append(sync.upcoming, session)
		default:
			session := editable[i]
			if applySeries(series, session, wanted[i]) {
				if err := txApp.Save(session); err != nil {
					return sync, err
				}
				if err := syncSessionChatRoom(txApp, session); err != nil {
					return sync, err
				}
				sync.changed++
			}
			sync.upcoming = append(sync.upcoming, session)
		}
	}
	return sync, nil
}

// applySeries gives an occurrence the series' fields and the start, and
// reports whether anything changed.
func applySeries(series *Series, session *LiveSession, start time.Time) bool {
	changed := false
	for _, field := range []struct{ to, from string }{
		{collections.LiveSessionTitle, collections.SeriesTitle},
		{collections.LiveSessionDescription, collections.SeriesDescription},
		{collections.LiveSessionCourse, collections.SeriesCourse},
		{collections.LiveSessionVisibility, collections.SeriesVisibility},
		{collections.LiveSessionMeetingURL, collections.SeriesMeetingURL},
	} {
		if value := series.GetString(field.from); session.GetString(field.to) != value {
			session.Set(field.to, value)
			changed = true
		}
	}
	for _, field := range []struct{ to, from string }{
		{collections.LiveSessionCapacity, collections.SeriesCapacity},
		{collections.LiveSessionDurationMinutes, collections.SeriesDurationMinutes},
	} {
		if value := series.GetInt(field.from); session.GetInt(field.to) != value {
			session.Set(field.to, value)
			changed = true
		}
	}
	if !session.ScheduledStart().Time().Equal(start) {
		session.Set(collections.LiveSessionScheduledStart, start)
		changed = true
	}
	return changed
}

// deleteFutureOccurrences deletes the series' scheduled occurrences that
// start after now, telling their audience once.
func deleteFutureOccurrences(txApp core.App, series *Series, now time.Time) error {
	existing, err := FindOccurrences(txApp, series.Id)
	if err != nil {
		return err
	}
	var removed []*LiveSession
	for _, session := range existing {
		if session.Status() == collections.LiveSessionScheduled && session.ScheduledStart().Time().After(now) {
			removed = append(removed, session)
		}
	}
	if len(removed) == 0 {
		return nil
	}
	// the audience is read before the attendance rows cascade away
	audience, err := sessionAudience(txApp, removed[0])
	if err != nil {
		return err
	}
	for _, session := range removed {
		if err := txApp.Delete(session); err != nil {
			return err
		}
	}
	return notifySeriesDeleted(txApp, series, removed, audience)
}
