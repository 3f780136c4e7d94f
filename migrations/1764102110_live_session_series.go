package migrations

import (
	"github.com/pocketbase/pocketbase/core"
	m "github.com/pocketbase/pocketbase/migrations"
	"github.com/pocketbase/pocketbase/tools/types"

	"studyhall/collections"
)

// Weekly series of live sessions.
//
// Who sees what:
//   - a series is seen as its sessions are: by its instructor, by the
//     course's enrolled (not dropped) students for a `course` series, by
//     every signed-in user for a `public` one;
//   - an instructor creates a series as themselves, for one of their own
//     courses or (public) without a course; only the owner updates or
//     deletes it, and its course stays the one it was created for. The
//     hooks add what a rule cannot say: the days, dates and zone are
//     checked, at most 52 occurrences, and the occurrences themselves
//     (live_sessions rows with `series` set) are written by the server
//     only.
//
// live_sessions.series is not a cascade: deleting a series deletes its
// future scheduled occurrences (a hook) and leaves the past ones, with
// their attendance, as single sessions.
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

		series := core.NewBaseCollection(collections.SessionSeries)
		seriesRead := "instructor = @request.auth.id" +
			" || (visibility = 'public' && @request.auth.id != '')" +
			" || (visibility = 'course' && " + enrolledIn("course") + ")"
		series.ListRule = rule(seriesRead)
		series.ViewRule = rule(seriesRead)
		series.CreateRule = rule("@request.auth.role = 'instructor' && (course = '' || course.instructor = @request.auth.id)")
		series.UpdateRule = rule("instructor = @request.auth.id && (@request.body.course:isset = false || @request.body.course = course)")
		series.DeleteRule = rule("instructor = @request.auth.id")
		date := `^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$`
		series.Fields.Add(
			relation(collections.SeriesInstructor, users.Id, true, true),
			relation(collections.SeriesCourse, courses.Id, false, true),
			&core.TextField{Name: collections.SeriesTitle, Required: true, Max: collections.MaxTitleLength, Presentable: true},
			&core.TextField{Name: collections.SeriesDescription, Max: collections.MaxDescriptionLength},
			&core.JSONField{Name: collections.SeriesDaysOfWeek, MaxSize: 256},
			&core.TextField{Name: collections.SeriesStartTime, Required: true, Pattern: `^([01][0-9]|2[0-3]):[0-5][0-9]$`},
			&core.NumberField{Name: collections.SeriesDurationMinutes, OnlyInt: true,
				Min: types.Pointer(1.0), Max: types.Pointer(float64(collections.MaxSessionDurationMinutes))},
			&core.TextField{Name: collections.SeriesTimezone, Max: 64},
			&core.TextField{Name: collections.SeriesStartsOn, Required: true, Pattern: date},
			&core.TextField{Name: collections.SeriesEndsOn, Pattern: date},
			&core.NumberField{Name: collections.SeriesCount, OnlyInt: true,
				Min: types.Pointer(0.0), Max: types.Pointer(float64(collections.MaxSeriesOccurrences))},
			&core.NumberField{Name: collections.SeriesCapacity, OnlyInt: true,
				Min: types.Pointer(1.0), Max: types.Pointer(float64(collections.MaxSessionCapacity))},
			&core.SelectField{Name: collections.SeriesVisibility, Values: collections.LiveSessionVisibilities, MaxSelect: 1},
			&core.URLField{Name: collections.SeriesMeetingURL},
		)
		addTimestamps(series)
		series.AddIndex("idx_live_session_series_instructor", false, "instructor", "")
		series.AddIndex("idx_live_session_series_course", false, "course", "course != ''")
		if err := app.Save(series); err != nil {
			return err
		}

		sessions, err := app.FindCollectionByNameOrId(collections.LiveSessions)
		if err != nil {
			return err
		}
		sessions.Fields.Add(relation(collections.LiveSessionSeries, series.Id, false, false))
		sessions.AddIndex("idx_live_sessions_series", false, "series, status, scheduledStart", "series != ''")
		return app.Save(sessions)
	}, func(app core.App) error {
		sessions, err := app.FindCollectionByNameOrId(collections.LiveSessions)
		if err != nil {
			return err
		}
		sessions.RemoveIndex("idx_live_sessions_series")
		sessions.Fields.RemoveByName(collections.LiveSessionSeries)
		if err := app.Save(sessions); err != nil {
			return err
		}
		return deleteCollections(app, collections.SessionSeries)
	})
}
