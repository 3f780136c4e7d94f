package notifications

import (
	"testing"
	"time"

	"studyhall/collections"
)

func kind(t *testing.T, notificationType string) collections.NotificationKind {
	t.Helper()
	k, ok := collections.LookupNotificationKind(notificationType)
	if !ok {
		t.Fatalf("unknown type %q", notificationType)
	}
	return k
}

func TestCatalog(t *testing.T) {
	t.Parallel()
	if n := len(collections.NotificationCatalog); n != 34 {
		t.Fatalf("catalog has %d kinds, want SPEC's 31, live_session_waitlist_promoted, office_hours_announcement and test", n)
	}
	seen := map[string]bool{}
	for _, k := range collections.NotificationCatalog {
		if seen[k.Type] {
			t.Errorf("%s twice", k.Type)
		}
		seen[k.Type] = true
	}
	mandatory := []string{collections.TypePasswordChanged, collections.TypePaymentReceipt, collections.TypeRefundConfirmation, collections.TypeAccountDeleted}
	for _, k := range collections.NotificationCatalog {
		want := false
		for _, m := range mandatory {
			want = want || m == k.Type
		}
		if k.Mandatory != want {
			t.Errorf("%s: mandatory %v, want %v", k.Type, k.Mandatory, want)
		}
	}
	if k := kind(t, collections.TypeLiveSessionStartingSoon); k.Priority != collections.PriorityUrgent || k.Category != collections.CategoryCourse {
		t.Errorf("live_session_starting_soon %+v", k)
	}
	if k := kind(t, collections.TypeAccountDeleted); !k.EmailOnly {
		t.Error("account_deleted must be email only")
	}
}

func TestResolveChannels(t *testing.T) {
	t.Parallel()
	on, off := true, false
	defaults := DefaultPreferences()
	with := func(change func(p *Preferences)) Preferences {
		p := DefaultPreferences()
		change(&p)
		return p
	}

	cases := []struct {
		name  string
		p     Preferences
		kind  string
		want  Channels
		email string
	}{
		{"defaults: everything on, daily digest", defaults, collections.TypeNewLesson, Channels{true, true}, "daily"},
		{"in-app master off", with(func(p *Preferences) { p.InAppEnabled = false }), collections.TypeNewLesson, Channels{false, true}, "daily"},
		{"email master off", with(func(p *Preferences) { p.EmailEnabled = false }), collections.TypeNewLesson, Channels{true, false}, "none"},
		{"master off beats a type override on", with(func(p *Preferences) {
			p.InAppEnabled = false
			p.Types = map[string]Switch{"new_lesson": {InApp: &on}}
		}), collections.TypeNewLesson, Channels{false, true}, "daily"},
		{"category off", with(func(p *Preferences) {
			p.Categories = map[string]Switch{"course": {InApp: &off, Email: &off}}
		}), collections.TypeNewLesson, Channels{false, false}, "none"},
		{"category off leaves other categories on", with(func(p *Preferences) {
			p.Categories = map[string]Switch{"course": {InApp: &off}}
		}), collections.TypeLessonCompleted, Channels{true, true}, "daily"},
		{"type override on beats its category off", with(func(p *Preferences) {
			p.Categories = map[string]Switch{"course": {InApp: &off, Email: &off}}
			p.Types = map[string]Switch{"new_lesson": {InApp: &on}}
		}), collections.TypeNewLesson, Channels{true, false}, "none"},
		{"type override off beats its category on", with(func(p *Preferences) {
			p.Categories = map[string]Switch{"course": {InApp: &on, Email: &on}}
			p.Types = map[string]Switch{"new_lesson": {Email: &off}}
		}), collections.TypeNewLesson, Channels{true, false}, "none"},
		{"a channel the override does not name falls to the category", with(func(p *Preferences) {
			p.Categories = map[string]Switch{"course": {Email: &off}}
			p.Types = map[string]Switch{"new_lesson": {InApp: &on}}
		}), collections.TypeNewLesson, Channels{true, false}, "none"},
		{"weekly digest", with(func(p *Preferences) { p.EmailDigest = "weekly" }), collections.TypeNewLesson, Channels{true, true}, "weekly"},
		{"immediate", with(func(p *Preferences) { p.EmailDigest = "immediate" }), collections.TypeNewLesson, Channels{true, true}, "immediate"},
		{"digest off sends no email", with(func(p *Preferences) { p.EmailDigest = "off" }), collections.TypeNewLesson, Channels{true, true}, "none"},
		{"mandatory ignores every opt-out", with(func(p *Preferences) {
			p.InAppEnabled, p.EmailEnabled, p.EmailDigest = false, false, "off"
			p.Categories = map[string]Switch{"system": {InApp: &off, Email: &off}}
			p.Types = map[string]Switch{"payment_receipt": {InApp: &off, Email: &off}}
		}), collections.TypePaymentReceipt, Channels{true, true}, "immediate"},
		{"account_deleted is email only", defaults, collections.TypeAccountDeleted, Channels{false, true}, "immediate"},
	}
	for _, c := range cases {
		k := kind(t, c.kind)
		got := ResolveChannels(c.p, k)
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
		if mode := EmailMode(c.p, k, got); mode != c.email {
			t.Errorf("%s: email mode %q, want %q", c.name, mode, c.email)
		}
	}
}

func TestHold(t *testing.T) {
	t.Parallel()
	night := DefaultPreferences()
	night.QuietHoursStart, night.QuietHoursEnd, night.Timezone = "22:00", "07:00", "Europe/Berlin"
	strict := night
	strict.QuietHoursUrgent = false
	broken := night
	broken.Timezone = "Mars/Olympus"
	midnight := time.Date(2026, 6, 1, 22, 0, 0, 0, time.UTC) // 00:00 in Berlin
	noon := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)

	cases := []struct {
		name     string
		p        Preferences
		priority string
		now      time.Time
		hold     bool
	}{
		{"normal at night is held", night, "normal", midnight, true},
		{"high at night is held", night, "high", midnight, true},
		{"urgent at night passes", night, "urgent", midnight, false},
		{"urgent at night is held when urgent may not pass", strict, "urgent", midnight, true},
		{"daytime passes", night, "low", noon, false},
		{"no quiet hours", DefaultPreferences(), "low", midnight, false},
		{"an unknown zone reads UTC", broken, "low", time.Date(2026, 6, 1, 23, 0, 0, 0, time.UTC), true},
	}
	for _, c := range cases {
		hold, until := Hold(c.p, c.priority, c.now)
		if hold != c.hold {
			t.Errorf("%s: hold %v, want %v", c.name, hold, c.hold)
		}
		if hold && !until.After(c.now) {
			t.Errorf("%s: release %s not after now", c.name, until)
		}
	}
}

func TestValidateSwitches(t *testing.T) {
	t.Parallel()
	known := collections.NotificationCategories
	cases := map[string]bool{
		``:     true,
		`null`: true,
		`{}`:   true,
		`{"progress":{"inApp":true,"email":false}}`: true,
		`{"progress":{}}`:              true,
		`{"gossip":{"inApp":true}}`:    false,
		`{"progress":{"sms":true}}`:    false,
		`{"progress":{"inApp":"yes"}}`: false,
		`{"progress":true}`:            false,
		`{"progress":null}`:            false,
		`[1,2]`:                        false,
		`"progress"`:                   false,
	}
	for raw, valid := range cases {
		if err := ValidateSwitches([]byte(raw), known); (err == nil) != valid {
			t.Errorf("ValidateSwitches(%s): %v, want valid %v", raw, err, valid)
		}
	}
	for raw, valid := range map[string]bool{"": true, "22:00": true, "7:00": false, "24:00": true, "24:01": false} {
		if err := ValidateClock(raw); (err == nil) != valid {
			t.Errorf("ValidateClock(%q): %v, want valid %v", raw, err, valid)
		}
	}
}
