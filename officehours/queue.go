package officehours

import "time"

// Wait estimation follows the best university queues (OHQ.io): the
// average length of the instructor's recent visits times the number of
// students ahead.
const (
	// DefaultVisitSeconds is the assumed length of a visit while an
	// instructor has no recent history.
	DefaultVisitSeconds = 5 * 60
	// RecentVisits is how many of the latest completed visits the average
	// takes.
	RecentVisits = 10
	// RecentWindow is how far back a completed visit still counts.
	RecentWindow = 30 * 24 * time.Hour
)

// AverageVisitSeconds is the mean of the given visit lengths in seconds,
// rounded to the nearest second. Non-positive lengths (a visit completed
// the instant it began, or bad data) are left out; with nothing left it is
// DefaultVisitSeconds.
func AverageVisitSeconds(durations []int) int {
	sum, n := 0, 0
	for _, d := range durations {
		if d > 0 {
			sum += d
			n++
		}
	}
	if n == 0 {
		return DefaultVisitSeconds
	}
	return (sum + n/2) / n
}

// EstimateWaitSeconds is the expected wait of the waiting student at
// position (1-based): one average visit for each student ahead.
func EstimateWaitSeconds(averageVisit, position int) int {
	if position <= 1 || averageVisit <= 0 {
		return 0
	}
	return averageVisit * (position - 1)
}

// Spot is where a waiting entry stands in its queue.
type Spot struct {
	Position             int
	EstimatedWaitSeconds int
}

// Renumber returns the spots of n waiting entries given in join order:
// positions exactly 1..n, each with its estimated wait.
func Renumber(n, averageVisit int) []Spot {
	spots := make([]Spot, n)
	for i := range spots {
		spots[i] = Spot{Position: i + 1, EstimatedWaitSeconds: EstimateWaitSeconds(averageVisit, i+1)}
	}
	return spots
}
