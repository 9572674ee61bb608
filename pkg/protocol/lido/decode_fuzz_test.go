package lido

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/stakewallet/stakewallet/pkg/abidecode"
)

func fuzzABI(f *testing.F) *abi.ABI {
	abis, err := loadABIs()
	if err != nil {
		f.Fatal(err)
	}
	return abis.merged
}

// revertString ABI-encodes Error(string).
func revertString(s string) []byte {
	typ, _ := abi.NewType("string", "", nil)
	body, _ := abi.Arguments{{Type: typ}}.Pack(s)
	return append([]byte{0x08, 0xc3, 0x79, 0xa0}, body...)
}

// FuzzDecodeRevert decodes arbitrary revert data with Lido's ABI. It
// always returns a revert that keeps the raw data and says something, in
// JSON too; a custom error is named only when the selector is that error's
// and its arguments decode; and what it decodes does not depend on the
// encoding's slack: the values packed again decode to the same message.
// The same data reached through an RPC error decodes the same.
func FuzzDecodeRevert(f *testing.F) {
	a := fuzzABI(f)
	hints := RevertHints()
	names := make([]string, 0, len(a.Errors))
	for n := range a.Errors {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		e := a.Errors[n]
		f.Add(append(e.ID[:4:4], bytes.Repeat([]byte{0}, 32*len(e.Inputs))...))
		f.Add(append(e.ID[:4:4], bytes.Repeat([]byte{0xff}, 32*len(e.Inputs))...))
	}
	f.Add(revertString("STAKE_LIMIT"))
	f.Add(revertString(""))
	f.Add(revertString("héllo\x00\n\x1b[31m"))
	f.Add(append([]byte{0x4e, 0x48, 0x7b, 0x71}, common.LeftPadBytes([]byte{0x11}, 32)...))
	f.Add([]byte{0x4e, 0x48, 0x7b, 0x71})
	f.Add([]byte{0x08, 0xc3, 0x79, 0xa0, 0, 0, 0})
	f.Add([]byte{1, 2, 3})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		r := abidecode.DecodeRevert(data, a)
		if r == nil || r.Message == "" || !bytes.Equal(r.Data, data) {
			t.Fatalf("DecodeRevert(%x) = %+v: want a message and the raw data", data, r)
		}
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("revert %+v does not encode as JSON: %v", r, err)
		}
		if again, _ := json.Marshal(abidecode.DecodeRevert(data, a)); !bytes.Equal(again, out) {
			t.Fatalf("two decodings differ:\n%s\n%s", out, again)
		}
		if abidecode.Human(r, hints) == "" {
			t.Fatal("Human is empty")
		}
		var sel [4]byte
		copy(sel[:], data)
		switch {
		case r.Name == "Error" && len(r.Args) == 1:
			// Packed canonically, the reason decodes to itself.
			if back := abidecode.DecodeRevert(revertString(r.Reason()), a); back.Reason() != r.Reason() {
				t.Fatalf("reason %q re-encoded decodes to %q", r.Reason(), back.Reason())
			}
		case r.Name != "" && r.Name != "Error" && r.Name != "Panic":
			e, err := a.ErrorByID(sel)
			if err != nil || e.Name != r.Name {
				t.Fatalf("DecodeRevert named %q for selector %x (%v)", r.Name, sel, err)
			}
			if strings.Contains(r.Message, "<malformed") {
				if r.Args != nil {
					t.Fatalf("malformed %s has arguments %+v", r.Name, r.Args)
				}
				break
			}
			if len(r.Args) != len(e.Inputs) {
				t.Fatalf("%s has %d arguments, decoded %d", r.Name, len(e.Inputs), len(r.Args))
			}
			vals, err := e.Inputs.Unpack(data[4:])
			if err != nil {
				t.Fatalf("%s decoded, but its arguments do not unpack: %v", r.Name, err)
			}
			packed, err := e.Inputs.Pack(vals...)
			if err != nil {
				t.Fatalf("%s arguments do not pack again: %v", r.Name, err)
			}
			if back := abidecode.DecodeRevert(append(sel[:], packed...), a); back.Message != r.Message {
				t.Fatalf("%s packed again decodes to %q, not %q", r.Name, back.Message, r.Message)
			}
		}
		// Through an RPC error carrying the data, as nodes send reverts.
		fromErr, ok := abidecode.FromError(dataError{data: "0x" + common.Bytes2Hex(data)}, a)
		if !ok || fromErr.Message != r.Message {
			t.Fatalf("FromError = %+v, %v; DecodeRevert said %q", fromErr, ok, r.Message)
		}
	})
}

// dataError is an rpc.DataError as go-ethereum's client returns reverts.
type dataError struct{ data any }

func (e dataError) Error() string  { return "execution reverted" }
func (e dataError) ErrorCode() int { return 3 }
func (e dataError) ErrorData() any { return e.data }

// tokenEvents are the ERC-20 and ERC-721 events abidecode decodes for any
// token (ERC-721's Transfer and Approval index the token id as well).
var tokenEvents = func() *abi.ABI {
	a, err := abi.JSON(strings.NewReader(`[
{"type":"event","name":"Transfer","inputs":[{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]},
{"type":"event","name":"Approval","inputs":[{"name":"owner","type":"address","indexed":true},{"name":"spender","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]},
{"type":"event","name":"Transfer","inputs":[{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"tokenId","type":"uint256","indexed":true}]},
{"type":"event","name":"Approval","inputs":[{"name":"owner","type":"address","indexed":true},{"name":"approved","type":"address","indexed":true},{"name":"tokenId","type":"uint256","indexed":true}]},
{"type":"event","name":"ApprovalForAll","inputs":[{"name":"owner","type":"address","indexed":true},{"name":"operator","type":"address","indexed":true},{"name":"approved","type":"bool","indexed":false}]}
]`))
	if err != nil {
		panic(err)
	}
	return &a
}()

// FuzzDecodeLogs decodes an arbitrary log, whose first topic may be one of
// Lido's or a standard token event, with Lido's ABI. It always returns one
// event that keeps the log's address, index and first topic; it names an
// event only when the event's signature hashes to that topic and the
// indexed arguments fit the topics; and the result encodes as JSON and is
// the same every time.
func FuzzDecodeLogs(f *testing.F) {
	a := fuzzABI(f)
	var ids []common.Hash
	names := make([]string, 0, len(a.Events))
	for n := range a.Events {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		ids = append(ids, a.Events[n].ID)
	}
	ids = append(ids, crypto.Keccak256Hash([]byte("Transfer(address,address,uint256)")), crypto.Keccak256Hash([]byte("ApprovalForAll(address,address,bool)")))
	word := func(b byte) []byte { return common.LeftPadBytes([]byte{b}, 32) }
	for i := range ids {
		f.Add(uint8(i), uint8(2), bytes.Repeat([]byte{0xaa}, 96), bytes.Repeat(word(7), 2))
		f.Add(uint8(i), uint8(3), bytes.Repeat([]byte{0x01}, 96), bytes.Repeat(word(1), 4))
	}
	f.Add(uint8(255), uint8(0), []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, event, ntopics uint8, topicBytes, data []byte) {
		l := &types.Log{Address: common.Address{0x11}, Data: data, Index: 7}
		if int(event) < len(ids) {
			l.Topics = append(l.Topics, ids[event])
		}
		for i := 0; i < int(ntopics%5) && len(topicBytes) > 0; i++ {
			var h common.Hash
			n := copy(h[:], topicBytes)
			topicBytes = topicBytes[n:]
			l.Topics = append(l.Topics, h)
		}
		evs := abidecode.DecodeLogs([]*types.Log{l, nil}, a)
		if len(evs) != 1 {
			t.Fatalf("%d events for one log", len(evs))
		}
		ev := evs[0]
		if ev.Address != l.Address || ev.LogIndex != l.Index || (len(l.Topics) > 0 && ev.Topic0 != l.Topics[0]) {
			t.Fatalf("event %+v lost the log's address, index or topic", ev)
		}
		if ev.Name != "" {
			if len(l.Topics) == 0 || crypto.Keccak256Hash([]byte(ev.Signature)) != l.Topics[0] || !strings.HasPrefix(ev.Signature, ev.Name+"(") {
				t.Fatalf("event %s (%s) named for topic %v", ev.Name, ev.Signature, l.Topics)
			}
			// Some candidate with this topic has as many indexed arguments
			// as the log has topics, and as many arguments as were decoded.
			fits := false
			for _, cands := range []*abi.ABI{a, tokenEvents} {
				for _, e := range cands.Events {
					indexed := 0
					for _, in := range e.Inputs {
						if in.Indexed {
							indexed++
						}
					}
					fits = fits || (e.ID == l.Topics[0] && e.RawName == ev.Name && indexed == len(l.Topics)-1 && len(e.Inputs) == len(ev.Args))
				}
			}
			if !fits {
				t.Fatalf("%s decoded with %d arguments from %d topics: no event of that topic fits", ev.Name, len(ev.Args), len(l.Topics))
			}
		}
		out, err := json.Marshal(evs)
		if err != nil {
			t.Fatalf("events %+v do not encode as JSON: %v", evs, err)
		}
		if again, _ := json.Marshal(abidecode.DecodeLogs([]*types.Log{l}, a)); !bytes.Equal(again, out) {
			t.Fatalf("two decodings differ:\n%s\n%s", out, again)
		}
	})
}
