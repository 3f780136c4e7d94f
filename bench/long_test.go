package main

import (
	"math"
	"testing"
)

func TestLinearFit(t *testing.T) {
	t.Parallel()

	scenarios := []struct {
		name      string
		xs, ys    []float64
		slope, se float64 // NaN: want NaN
	}{
		{"exact line", []float64{0, 1, 2, 3}, []float64{5, 7, 9, 11}, 2, 0},
		{"flat", []float64{0, 1, 2, 3}, []float64{4, 4, 4, 4}, 0, 0},
		// residuals +1, -1, -1, +1 around y = 0.5x: slope 0.5, SE sqrt(4/2/5)
		{"noisy", []float64{0, 1, 2, 3}, []float64{1, -0.5, 0, 2.5}, 0.5, math.Sqrt(4.0 / 2 / 5)},
		{"too few points", []float64{0, 1}, []float64{0, 1}, math.NaN(), math.NaN()},
		{"no spread in x", []float64{1, 1, 1}, []float64{0, 1, 2}, math.NaN(), math.NaN()},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			slope, se := linearFit(s.xs, s.ys)
			if !closeOrBothNaN(slope, s.slope) || !closeOrBothNaN(se, s.se) {
				t.Fatalf("linearFit = %v ± %v, want %v ± %v", slope, se, s.slope, s.se)
			}
		})
	}
}

func closeOrBothNaN(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Abs(a-b) < 1e-9
}
