package clock

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	good := map[string]int{"00:00": 0, "07:00": 420, "09:05": 545, "22:30": 1350, "23:59": 1439, "24:00": 1440}
	for in, want := range good {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
		if in != "24:00" && Format(want) != in {
			t.Errorf("Format(%d) = %q", want, Format(want))
		}
	}
	bad := []string{"", "7:00", "9:00", "24:01", "25:00", "12:60", "12-00", "ab:cd", "12:000", "12:3", " 12:00", "-1:00", "１２:００"}
	for _, in := range bad {
		if _, err := Parse(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q): err %v, want ErrInvalid", in, err)
		}
	}
}
