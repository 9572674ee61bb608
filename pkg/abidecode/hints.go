package abidecode

import "fmt"

// Hints maps a revert to advice for the user. Keys are custom error names
// ("RequestNotFoundOrNotFinalized") or Error(string) reasons ("STAKE_LIMIT").
type Hints map[string]string

// Hinter is implemented by protocol adapters that know what their
// contracts' reverts mean for a user. abidecode itself knows no protocol.
type Hinter interface {
	RevertHints() Hints
}

// Hint returns the first hint matching r, or "".
func Hint(r *Revert, hints ...Hints) string {
	if r == nil {
		return ""
	}
	key := r.Name
	if reason := r.Reason(); reason != "" {
		key = reason
	}
	if key == "" {
		return ""
	}
	for _, h := range hints {
		if s, ok := h[key]; ok {
			return s
		}
	}
	return ""
}

// Human renders r as one line, followed by the matching hint in
// parentheses when one of hints knows the revert.
func Human(r *Revert, hints ...Hints) string {
	if r == nil {
		return ""
	}
	if h := Hint(r, hints...); h != "" {
		return fmt.Sprintf("%s (%s)", r.Message, h)
	}
	return r.Message
}
