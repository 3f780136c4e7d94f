package plaintext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

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
		"bidi \u202Eevil\u202C":         "bidi evil",
		"\u202A\u202B\u202D iso\u2066\u2067\u2068\u2069": " iso",
		"marks \u200E\u200F kept":                        "marks \u200E\u200F kept",
		"zero\u200Bwidth":                                "zero\u200Bwidth",
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

// FuzzClean checks Clean's promises on any input: the result is valid
// UTF-8, holds no control character other than newline and tab and no
// bidi embedding, override or isolate, and cleaning it again changes
// nothing.
func FuzzClean(f *testing.F) {
	for _, seed := range []string{"", "plain", "a\r\nb", "\u202Eevil", "\x00\x1b[31m", "\xff\xfe", "\u2066x\u2069", "e\u0301\u200B"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		clean := Clean(s)
		if !utf8.ValidString(clean) {
			t.Fatalf("Clean(%q) = %q is not valid UTF-8", s, clean)
		}
		if again := Clean(clean); again != clean {
			t.Fatalf("Clean is not idempotent: %q -> %q -> %q", s, clean, again)
		}
		if i := strings.IndexFunc(clean, func(r rune) bool {
			return (unicode.IsControl(r) && r != '\n' && r != '\t') || isBidiControl(r) || r == '\u2028' || r == '\u2029'
		}); i >= 0 {
			t.Fatalf("Clean(%q) = %q keeps %U", s, clean, []rune(clean[i:])[0])
		}
	})
}

func TestVisible(t *testing.T) {
	t.Parallel()

	cases := map[string]bool{
		"":                    false,
		"   \n\t":             false,
		"\u200B\u200C\u200D":  false,
		"\u2060\uFEFF":        false,
		"\u202E\u2066 \u2069": false,
		"\u3164\u115F\u2800":  false, // fillers that render as blank
		"\u0301":              false, // a combining mark on nothing
		"\U000E0041\uFE0F":    false, // tag and variation selector
		"a":                   true,
		"\u200Bx\u200B":       true,
		"🎓":                   true,
		"٣":                   true,
		".":                   true,
		"e\u0301":             true,
	}
	for in, want := range cases {
		if got := Visible(in); got != want {
			t.Errorf("Visible(%q) = %v, want %v", in, got, want)
		}
	}
}
