package presence

import (
	"testing"
	"time"
)

func TestResolve(t *testing.T) {
	t.Parallel()

	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	cfg := DefaultConfig

	cases := []struct {
		name  string
		state State
		want  string
	}{
		{"never seen", State{}, Offline},
		{"one tab open and active", State{Connections: 1, LastSeen: ago(time.Minute), LastActive: ago(time.Minute)}, Online},
		{"two tabs count once", State{Connections: 2, LastSeen: ago(time.Second), LastActive: ago(time.Second)}, Online},
		{"connected but idle for 5 minutes", State{Connections: 1, LastSeen: ago(10 * time.Second), LastActive: ago(5 * time.Minute)}, Away},
		{"connected, idle just under 5 minutes", State{Connections: 1, LastSeen: ago(time.Second), LastActive: ago(5*time.Minute - time.Second)}, Online},
		{"reloading: no connection for 2 seconds", State{LastSeen: ago(2 * time.Second), LastActive: ago(2 * time.Second)}, Online},
		{"no connection and no heartbeat for 89 s", State{LastSeen: ago(89 * time.Second), LastActive: ago(89 * time.Second)}, Online},
		{"no connection and no heartbeat for 90 s", State{LastSeen: ago(90 * time.Second), LastActive: ago(90 * time.Second)}, Offline},
		{"heartbeats without a connection keep a user on", State{LastSeen: ago(30 * time.Second), LastActive: ago(30 * time.Second)}, Online},
		{"busy while connected", State{Connections: 1, LastSeen: now, LastActive: now, Manual: ManualBusy}, Busy},
		{"away by hand though active", State{Connections: 1, LastSeen: now, LastActive: now, Manual: ManualAway}, Away},
		{"busy but gone", State{LastSeen: ago(time.Hour), LastActive: ago(time.Hour), Manual: ManualBusy}, Offline},
		{"invisible shows as offline", State{Connections: 3, LastSeen: now, LastActive: now, Manual: ManualInvisible}, Offline},
		{"connected, never active", State{Connections: 1, LastSeen: now}, Away},
	}
	for _, c := range cases {
		if got := Resolve(c.state, now, cfg); got != c.want {
			t.Errorf("%s: Resolve = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestIsManual(t *testing.T) {
	t.Parallel()

	for _, s := range []string{"online", "away", "busy", "invisible"} {
		if !IsManual(s) {
			t.Errorf("IsManual(%q) = false", s)
		}
	}
	for _, s := range []string{"", "offline", "Online", "dnd"} {
		if IsManual(s) {
			t.Errorf("IsManual(%q) = true", s)
		}
	}
}
