package testkit

import (
	"testing"
	"time"

	"github.com/pocketbase/pocketbase/core"

	"studyhall/collections"
)

// IdSeries is the weekly series SeedSeries makes: IdInstructor's, for
// IdCourse (course visibility), Mondays 09:00 in the instructor's zone,
// one session, starting a week or more from now.
const IdSeries = "serseries000001"

// SeriesStartsOn is a startsOn the series hooks accept: the Monday a week
// or more from now.
func SeriesStartsOn() string {
	d := time.Now().UTC().AddDate(0, 0, 7)
	for d.Weekday() != time.Monday {
		d = d.AddDate(0, 0, 1)
	}
	return d.Format(time.DateOnly)
}

// SeedSeries creates IdSeries and, through its hooks, its one session.
func SeedSeries(t testing.TB, app core.App) *core.Record {
	t.Helper()
	series, err := SaveRecord(app, collections.SessionSeries, IdSeries, map[string]any{
		"instructor": IdInstructor, "course": IdCourse, "title": "Algebra weekly",
		"daysOfWeek": []int{1}, "startTime": "09:00", "startsOn": SeriesStartsOn(), "count": 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return series
}
