package plaintext

import "testing"

func TestClean(t *testing.T) {
	t.Parallel()

	cases := map[string]string{
		"plain":                         "plain",
		"line one\nline\ttwo":           "line one\nline\ttwo",
		"crlf\r\nend":                   "crlf\nend",
		"bell\x07 null\x00 esc\x1b[31m": "bell null esc[31m",
		"del\x7f and c1\u0085":          "del and c1",
		"sep\u2028par\u2029":            "seppar",
		"émoji 🎓 stays":                 "émoji 🎓 stays",
	}
	for in, want := range cases {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	t.Parallel()

	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"exact", 5, "exact"},
		{"too long", 3, "too"},
		{"ééééé", 2, "éé"}, // characters, not bytes
		{"", 0, ""},
	}
	for _, c := range cases {
		if got := Clip(c.in, c.max); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
