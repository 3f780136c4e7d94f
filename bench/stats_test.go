package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()

	// 1..100 ms: the nearest-rank p-th percentile is exactly p ms
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}

	scenarios := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"single p50", []time.Duration{7}, 50, 7},
		{"single p99", []time.Duration{7}, 99, 7},
		{"hundred p50", hundred, 50, 50 * time.Millisecond},
		{"hundred p90", hundred, 90, 90 * time.Millisecond},
		{"hundred p99", hundred, 99, 99 * time.Millisecond},
		{"hundred p100", hundred, 100, 100 * time.Millisecond},
		{"hundred tiny p", hundred, 0.001, 1 * time.Millisecond},
		// rank = ceil(0.5*4) = 2: no interpolation between 2 and 3
		{"even count p50", []time.Duration{1, 2, 3, 4}, 50, 2},
		// rank = ceil(0.99*10) = 10: the worst of ten samples
		{"ten p99", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 99, 10},
		{"ten p90", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 90, 9},
	}

	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			if got := Percentile(s.sorted, s.p); got != s.want {
				t.Fatalf("Percentile(p=%v) = %v, want %v", s.p, got, s.want)
			}
		})
	}
}

func TestSummarizeLeavesInputUnsorted(t *testing.T) {
	t.Parallel()

	samples := []time.Duration{30, 10, 20}
	s := Summarize(samples)

	if s.Count != 3 || s.P50 != 20 || s.P99 != 30 || s.Max != 30 {
		t.Fatalf("unexpected summary %+v", s)
	}
	if samples[0] != 30 || samples[1] != 10 || samples[2] != 20 {
		t.Fatalf("input was reordered: %v", samples)
	}
}

func TestEventSeq(t *testing.T) {
	record := func(action, body string) []byte {
		return []byte(`{"action":"` + action + `","record":{"collectionName":"chat_messages","id":"abc","body":"` + body + `","room":"r"}}`)
	}
	cases := []struct {
		data []byte
		tag  string
		seq  int
		ok   bool
	}{
		{record("create", "chat-1#12"), "chat-1", 12, true},
		{record("create", "chat-10#3"), "chat-1", 0, false},
		{record("create", "chat-10#3"), "chat-10", 3, true},
		{record("update", "chat-1#12"), "chat-1", 0, false},
		{record("create", "chat-1#x"), "chat-1", 0, false},
		{[]byte(`["msg",` + string(record("create", "sio-2#7")) + `]`), "sio-2", 7, true},
	}
	for _, c := range cases {
		seq, ok := eventSeq(c.data, c.tag)
		if seq != c.seq || ok != c.ok {
			t.Errorf("eventSeq(%s, %q) = %d, %v; want %d, %v", c.data, c.tag, seq, ok, c.seq, c.ok)
		}
	}
	if name, ok := sioEventName([]byte(`["msg",{"a":1}]`)); name != "msg" || !ok {
		t.Errorf("sioEventName: %q %v", name, ok)
	}
}
