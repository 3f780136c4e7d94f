package emails

import (
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"studyhall/collections"
)

func TestBackoffScheduleSpansHalfADay(t *testing.T) {
	t.Parallel()
	if MaxAttempts < 8 {
		t.Fatalf("MaxAttempts = %d, want ≥ 8", MaxAttempts)
	}
	// the shortest possible schedule (no jitter) from the first attempt to
	// the last
	var total time.Duration
	prev := time.Duration(0)
	for n := 1; n < MaxAttempts; n++ {
		d := Backoff(n, 0)
		if d < prev {
			t.Errorf("Backoff(%d) = %v shrinks from %v", n, d, prev)
		}
		if max := Backoff(n, 1); max > d+time.Duration(float64(d)*MaxJitter)+time.Nanosecond || max < d {
			t.Errorf("Backoff(%d, 1) = %v outside [%v, +%v%%]", n, max, d, MaxJitter*100)
		}
		prev = d
		total += d
	}
	if total < 12*time.Hour {
		t.Errorf("all retries span %v, want ≥ 12h", total)
	}
	if Backoff(1, 0) != BaseDelay || Backoff(100, 0) != MaxDelay {
		t.Errorf("Backoff bounds: %v, %v", Backoff(1, 0), Backoff(100, 0))
	}
}

func TestLatestPeriodAcrossDST(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	cases := []struct {
		mode string
		loc  *time.Location
		now  string
		key  string
		end  string
		// hours from start to end
		hours float64
	}{
		// US DST ends 2025-11-02 02:00: the day before 08:00 was 12:00Z
		{collections.EmailModeDaily, ny, "2025-11-02T12:30:00Z", "daily:2025-11-01", "2025-11-01T12:00:00Z", 24},
		{collections.EmailModeDaily, ny, "2025-11-02T13:00:00Z", "daily:2025-11-02", "2025-11-02T13:00:00Z", 25},
		{collections.EmailModeDaily, ny, "2025-11-03T12:59:59Z", "daily:2025-11-02", "2025-11-02T13:00:00Z", 25},
		// spring forward 2025-03-09: a 23-hour day
		{collections.EmailModeDaily, ny, "2025-03-09T12:00:00Z", "daily:2025-03-09", "2025-03-09T12:00:00Z", 23},
		{collections.EmailModeDaily, berlin, "2025-10-26T07:00:00Z", "daily:2025-10-26", "2025-10-26T07:00:00Z", 25},
		// weekly: Monday 08:00
		{collections.EmailModeWeekly, berlin, "2025-11-03T06:59:00Z", "weekly:2025-10-27", "2025-10-27T07:00:00Z", 169},
		{collections.EmailModeWeekly, berlin, "2025-11-03T07:00:00Z", "weekly:2025-11-03", "2025-11-03T07:00:00Z", 168},
		{collections.EmailModeWeekly, ny, "2025-11-09T23:00:00Z", "weekly:2025-11-03", "2025-11-03T13:00:00Z", 169},
		{collections.EmailModeWeekly, time.UTC, "2025-11-03T08:00:00Z", "weekly:2025-11-03", "2025-11-03T08:00:00Z", 168},
	}
	for _, c := range cases {
		p := LatestPeriod(c.mode, at(c.now), c.loc)
		if p.Key != c.key || !p.End.Equal(at(c.end)) || p.End.Sub(p.Start).Hours() != c.hours {
			t.Errorf("LatestPeriod(%s, %s, %s) = %s [%v, %v) (%vh), want %s ending %s (%vh)",
				c.mode, c.now, c.loc, p.Key, p.Start, p.End, p.End.Sub(p.Start).Hours(), c.key, c.end, c.hours)
		}
	}
}

func TestAbsoluteURL(t *testing.T) {
	t.Parallel()
	cases := []struct{ base, link, want string }{
		{"https://learn.example.com", "/courses/1", "https://learn.example.com/courses/1"},
		{"https://learn.example.com/", "courses/1?x=1#y", "https://learn.example.com/courses/1?x=1#y"},
		{"https://example.com/app/", "/courses/1", "https://example.com/app/courses/1"},
		{"https://learn.example.com", "https://other.example.org/x", "https://other.example.org/x"},
		{"https://learn.example.com", "javascript:alert(1)", ""},
		{"https://learn.example.com", "//evil.example/x", ""},
		{"https://learn.example.com", "", ""},
		{"", "/courses/1", ""},
	}
	for _, c := range cases {
		if got := AbsoluteURL(c.base, c.link); got != c.want {
			t.Errorf("AbsoluteURL(%q, %q) = %q, want %q", c.base, c.link, got, c.want)
		}
	}
}

func TestUnsubscribeTokens(t *testing.T) {
	t.Parallel()
	secret := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	token, err := SignUnsubscribeToken(secret, "user1", collections.CategoryCourse, now)
	if err != nil {
		t.Fatal(err)
	}
	claims, err := ParseUnsubscribeToken(secret, token, now.Add(300*24*time.Hour))
	if err != nil || claims.Subject != "user1" || claims.Scope != collections.CategoryCourse {
		t.Fatalf("parse = %+v, %v", claims, err)
	}
	if _, err := ParseUnsubscribeToken(secret, token, now.Add(UnsubscribeTokenTTL+time.Second)); err == nil {
		t.Errorf("expired token accepted")
	}
	if _, err := ParseUnsubscribeToken([]byte("another secret"), token, now); err == nil {
		t.Errorf("token accepted with another secret")
	}
	if _, err := ParseUnsubscribeToken(secret, token[:len(token)-2]+"xx", now); err == nil {
		t.Errorf("tampered signature accepted")
	}
	if _, err := SignUnsubscribeToken(secret, "user1", "everything", now); err == nil {
		t.Errorf("unknown scope signed")
	}
	// a validly signed token of another kind, or without expiry, is refused
	other, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"type": "auth", "scope": "all", "sub": "user1", "exp": now.Add(time.Hour).Unix()}).SignedString(secret)
	if _, err := ParseUnsubscribeToken(secret, other, now); err == nil {
		t.Errorf("token of another type accepted")
	}
	forever, _ := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"type": "unsubscribe", "scope": "all", "sub": "user1"}).SignedString(secret)
	if _, err := ParseUnsubscribeToken(secret, forever, now); err == nil {
		t.Errorf("token without expiry accepted")
	}
	if got := UnsubscribeURL("https://x.example/", "a+b"); got != "https://x.example/api/email/unsubscribe?token=a%2Bb" {
		t.Errorf("UnsubscribeURL = %q", got)
	}
}

func TestRenderEscapesUserText(t *testing.T) {
	t.Parallel()
	n := &NotificationView{
		Title:      `<img src=x onerror=alert(1)> "Quiz"`,
		Message:    "a & b\nsecond line",
		Category:   collections.CategoryAssessment,
		Priority:   collections.PriorityHigh,
		ActionURL:  "https://learn.example.com/a?x=1&y=2",
		ActionText: "Open <it>",
		Important:  true,
	}
	html, text, err := Render(collections.EmailKindNotification, View{
		AppName: "studyhall", AppURL: "https://learn.example.com", Subject: n.Title,
		Notification: n, UnsubscribeURL: "https://learn.example.com/api/email/unsubscribe?token=t",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<img", "<it>"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains raw %q", bad)
		}
	}
	for _, want := range []string{"&lt;img src=x onerror=alert(1)&gt;", "a &amp; b", `href="https://learn.example.com/a?x=1&amp;y=2"`, "Unsubscribe"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q:\n%s", want, html)
		}
	}
	for _, want := range []string{n.Title, "a & b\nsecond line", "Open <it>: https://learn.example.com/a?x=1&y=2", "Unsubscribe: https://learn.example.com/api/email/unsubscribe?token=t"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	for _, kind := range templateKinds {
		if _, _, err := Render(kind, View{AppName: "studyhall", Notification: &NotificationView{}}); err != nil {
			t.Errorf("Render(%s): %v", kind, err)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	t.Parallel()
	got := HTMLToText(`<p>Hello,</p><p>Click <a href="https://x.example/reset?t=1">Reset</a> below.<br>Thanks</p><style>p{}</style>`)
	want := "Hello,\n\nClick Reset (https://x.example/reset?t=1) below.\nThanks\n"
	if got != want {
		t.Errorf("HTMLToText = %q, want %q", got, want)
	}
}

func TestSortDigestItemsPutsUrgentFirst(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	items := []digestItem{
		{id: "low", created: base, view: NotificationView{Priority: collections.PriorityLow}},
		{id: "normal-old", created: base, view: NotificationView{Priority: collections.PriorityNormal}},
		{id: "urgent", created: base, view: NotificationView{Priority: collections.PriorityUrgent}},
		{id: "normal-new", created: base.Add(time.Hour), view: NotificationView{Priority: collections.PriorityNormal}},
		{id: "high", created: base, view: NotificationView{Priority: collections.PriorityHigh}},
	}
	SortDigestItems(items)
	var got []string
	for _, item := range items {
		got = append(got, item.id)
	}
	if strings.Join(got, ",") != "urgent,high,normal-new,normal-old,low" {
		t.Errorf("order = %v", got)
	}
}
