package ledger

import "fmt"

// Version is an app version, major.minor.patch.
type Version struct{ Major, Minor, Patch int }

func (v Version) String() string { return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch) }

// AtLeast reports v >= o.
func (v Version) AtLeast(o Version) bool {
	if v.Major != o.Major {
		return v.Major > o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor > o.Minor
	}
	return v.Patch >= o.Patch
}

// minTypedTx is the first Ethereum app to sign EIP-2930 and EIP-1559
// transactions (app-ethereum CHANGELOG 1.9.0).
var minTypedTx = Version{1, 9, 0}
