package protocol_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// TestParseIDs: ids parse in order, a duplicate is kept once, the first
// bad id is the error.
func TestParseIDs(t *testing.T) {
	parse := func(s string) (int, error) { return strconv.Atoi(s) }
	got, err := protocol.ParseIDs([]protocol.RequestID{"3", "1", "3", "2"}, parse)
	if err != nil || !slices.Equal(got, []int{3, 1, 2}) {
		t.Errorf("ParseIDs = %v, %v; want [3 1 2]", got, err)
	}
	if got, err := protocol.ParseIDs(nil, parse); err != nil || len(got) != 0 {
		t.Errorf("ParseIDs(nil) = %v, %v", got, err)
	}
	var numErr *strconv.NumError
	if _, err := protocol.ParseIDs([]protocol.RequestID{"1", "x", "y"}, parse); !errors.As(err, &numErr) || numErr.Num != "x" {
		t.Errorf("ParseIDs with a bad id: %v, want the error of \"x\"", err)
	}
}
