package officehours

import (
	"slices"
	"testing"
)

func TestOfficeHoursAverageVisitSeconds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		durations []int
		want      int
	}{
		{nil, DefaultVisitSeconds},
		{[]int{0, -5}, DefaultVisitSeconds},
		{[]int{600}, 600},
		{[]int{600, 0, 300}, 450},
		{[]int{1, 2}, 2},
		{[]int{100, 200, 301}, 200},
	}
	for _, c := range cases {
		if got := AverageVisitSeconds(c.durations); got != c.want {
			t.Errorf("AverageVisitSeconds(%v) = %d, want %d", c.durations, got, c.want)
		}
	}
}

func TestOfficeHoursEstimateWaitSeconds(t *testing.T) {
	t.Parallel()
	cases := []struct{ average, position, want int }{
		{300, 1, 0},
		{300, 2, 300},
		{300, 5, 1200},
		{300, 0, 0},
		{0, 4, 0},
	}
	for _, c := range cases {
		if got := EstimateWaitSeconds(c.average, c.position); got != c.want {
			t.Errorf("EstimateWaitSeconds(%d, %d) = %d, want %d", c.average, c.position, got, c.want)
		}
	}
}

func TestOfficeHoursRenumber(t *testing.T) {
	t.Parallel()
	want := []Spot{{1, 0}, {2, 90}, {3, 180}}
	if got := Renumber(3, 90); !slices.Equal(got, want) {
		t.Errorf("Renumber(3, 90) = %v, want %v", got, want)
	}
	if got := Renumber(0, 90); len(got) != 0 {
		t.Errorf("Renumber(0, 90) = %v", got)
	}
}
