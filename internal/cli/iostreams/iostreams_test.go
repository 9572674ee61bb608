package iostreams

import (
	"errors"
	"testing"
)

func TestConfirm(t *testing.T) {
	tests := []struct {
		in   string
		tty  bool
		want bool
		err  error
	}{
		{"y\n", true, true, nil},
		{"YES\n", true, true, nil},
		{"n\n", true, false, nil},
		{"\n", true, false, nil},
		{"maybe\n", true, false, nil},
		{"y\n", false, false, ErrNoTTY},
	}
	for _, tt := range tests {
		s, _, errOut := Test(tt.in)
		s.SetTTY(tt.tty, false, false)
		got, err := s.Confirm("Send?")
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("Confirm(%q, tty=%v) = %v, %v; want %v, %v", tt.in, tt.tty, got, err, tt.want, tt.err)
		}
		if tt.tty && errOut.String() != "Send? [y/N] " {
			t.Errorf("prompt written %q", errOut.String())
		}
	}
}

func TestReadSecretNeedsTTY(t *testing.T) {
	s, _, _ := Test("hunter2\n")
	if _, err := s.ReadSecret("Passphrase: "); !errors.Is(err, ErrNoTTY) {
		t.Fatalf("err = %v", err)
	}
	s.SetTTY(true, false, false)
	b, err := s.ReadSecret("Passphrase: ")
	if err != nil || string(b) != "hunter2" {
		t.Fatalf("ReadSecret = %q, %v", b, err)
	}
}

func TestProgressSilentWithoutTTY(t *testing.T) {
	s, out, errOut := Test("")
	s.StartProgress("waiting")
	s.StopProgress()
	if out.Len() != 0 || errOut.Len() != 0 {
		t.Errorf("progress wrote %q / %q without a terminal", out.String(), errOut.String())
	}
}
