package main

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// Summary is the distribution of a set of latencies, as the service levels
// in SPEC.md state them (p50/p99) plus p90 and the worst case.
type Summary struct {
	Count int
	P50   time.Duration
	P90   time.Duration
	P99   time.Duration
	Max   time.Duration
}

// Summarize sorts a copy of samples and reads its percentiles; the caller's
// slice is left in arrival order.
func Summarize(samples []time.Duration) Summary {
	sorted := slices.Clone(samples)
	slices.Sort(sorted)
	s := Summary{Count: len(sorted)}
	if len(sorted) == 0 {
		return s
	}
	s.P50 = Percentile(sorted, 50)
	s.P90 = Percentile(sorted, 90)
	s.P99 = Percentile(sorted, 99)
	s.Max = sorted[len(sorted)-1]
	return s
}

// Percentile returns the p-th percentile (0 < p <= 100) of sorted, an
// ascending slice, by the nearest-rank method: the smallest sample that at
// least p percent of the samples are less than or equal to. Nearest rank
// never interpolates, so every reported value is a latency that was really
// measured. It returns 0 for an empty slice.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// formatMillis prints a latency in milliseconds, the unit of SPEC.md's
// service levels, with a precision that suits loopback numbers.
func formatMillis(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	if ms < 10 {
		return fmt.Sprintf("%.2f ms", ms)
	}
	return fmt.Sprintf("%.1f ms", ms)
}

// formatMiB prints a byte count in MiB.
func formatMiB(bytes int64) string {
	if bytes < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(bytes)/(1<<20))
}

// ---------------------------------------------------------------------------

// Table is one result table of a scenario, printed as markdown so that it
// can be pasted into bench/README.md as it is.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	// Notes are printed under the table, one bullet each.
	Notes []string
}

// Add appends a row; cells beyond the header are kept, missing ones empty.
func (t *Table) Add(cells ...string) {
	t.Rows = append(t.Rows, cells)
}

// Markdown renders the table with its title and notes.
func (t *Table) Markdown() string {
	var b strings.Builder
	if t.Title != "" {
		fmt.Fprintf(&b, "### %s\n\n", t.Title)
	}
	writeRow := func(cells []string) {
		b.WriteString("|")
		for i := range t.Header {
			cell := ""
			if i < len(cells) {
				cell = cells[i]
			}
			b.WriteString(" " + strings.ReplaceAll(cell, "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	writeRow(t.Header)
	b.WriteString("|")
	for range t.Header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, row := range t.Rows {
		writeRow(row)
	}
	if len(t.Notes) > 0 {
		b.WriteString("\n")
		for _, note := range t.Notes {
			b.WriteString("- " + note + "\n")
		}
	}
	return b.String()
}
