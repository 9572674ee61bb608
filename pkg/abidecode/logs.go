package abidecode

import (
	"sort"
	"strings"
	"sync"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Event is one decoded log.
type Event struct {
	Address common.Address `json:"address"`
	// Name is the event's name, or "" when no ABI describes the log.
	Name string `json:"name"`
	// Signature is the canonical signature, e.g. "Transfer(address,address,uint256)".
	Signature string `json:"signature,omitempty"`
	// Args holds every argument by name, normalised like Normalize:
	// integers as decimal strings, addresses checksummed. Indexed dynamic
	// values (string, bytes, arrays) are only known by their hash.
	Args map[string]any `json:"args,omitempty"`
	// Topic0 is the raw first topic, kept for logs no ABI describes.
	Topic0   common.Hash `json:"topic0"`
	LogIndex uint        `json:"logIndex"`
}

// standardEvents are ERC-20 and ERC-721 events, decoded for any token even
// when no protocol ABI lists it. Parsed once: it is a constant.
var standardEvents = sync.OnceValue(func() *abi.ABI {
	a, err := abi.JSON(strings.NewReader(standardEventsJSON))
	if err != nil {
		panic("abidecode: built-in ABI: " + err.Error())
	}
	return &a
})

const standardEventsJSON = `[
{"type":"event","name":"Transfer","inputs":[{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]},
{"type":"event","name":"Approval","inputs":[{"name":"owner","type":"address","indexed":true},{"name":"spender","type":"address","indexed":true},{"name":"value","type":"uint256","indexed":false}]},
{"type":"event","name":"Transfer","inputs":[{"name":"from","type":"address","indexed":true},{"name":"to","type":"address","indexed":true},{"name":"tokenId","type":"uint256","indexed":true}]},
{"type":"event","name":"Approval","inputs":[{"name":"owner","type":"address","indexed":true},{"name":"approved","type":"address","indexed":true},{"name":"tokenId","type":"uint256","indexed":true}]},
{"type":"event","name":"ApprovalForAll","inputs":[{"name":"owner","type":"address","indexed":true},{"name":"operator","type":"address","indexed":true},{"name":"approved","type":"bool","indexed":false}]}
]`

// DecodeLogs decodes logs with the given ABIs (first match wins), then the
// built-in ERC-20/721 events. Several events can share a topic0 — ERC-20
// and ERC-721 Transfer are both Transfer(address,address,uint256) — so a
// candidate only matches when its indexed-argument count fits the log's
// topics and its data decodes. Logs nothing matches are returned with an
// empty Name, so a receipt's events are always complete and in order.
func DecodeLogs(logs []*types.Log, abis ...*abi.ABI) []Event {
	all := append(append([]*abi.ABI(nil), abis...), standardEvents())
	out := make([]Event, 0, len(logs))
	for _, l := range logs {
		if l == nil {
			continue
		}
		out = append(out, decodeLog(l, all))
	}
	return out
}

func decodeLog(l *types.Log, abis []*abi.ABI) Event {
	ev := Event{Address: l.Address, LogIndex: l.Index}
	if len(l.Topics) == 0 {
		// Anonymous events have no topic0 to look up.
		return ev
	}
	ev.Topic0 = l.Topics[0]
	for _, a := range abis {
		if a == nil {
			continue
		}
		// Map order is random; sort so that the same log always decodes
		// the same way.
		names := make([]string, 0, len(a.Events))
		for n := range a.Events {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			e := a.Events[n]
			if e.Anonymous || e.ID != l.Topics[0] {
				continue
			}
			if args, ok := decodeWith(e, l); ok {
				ev.Name, ev.Signature, ev.Args = e.RawName, e.Sig, args
				return ev
			}
		}
	}
	return ev
}

func decodeWith(e abi.Event, l *types.Log) (args map[string]any, ok bool) {
	defer func() {
		// Log data is attacker controlled; never let it crash the caller.
		if recover() != nil {
			args, ok = nil, false
		}
	}()
	var indexed abi.Arguments
	for _, in := range e.Inputs {
		if in.Indexed {
			indexed = append(indexed, in)
		}
	}
	if len(indexed) != len(l.Topics)-1 {
		return nil, false
	}
	raw := make(map[string]any, len(e.Inputs))
	if err := e.Inputs.NonIndexed().UnpackIntoMap(raw, l.Data); err != nil {
		return nil, false
	}
	if err := abi.ParseTopicsIntoMap(raw, indexed, l.Topics[1:]); err != nil {
		return nil, false
	}
	args = make(map[string]any, len(raw))
	for k, v := range raw {
		args[argName(k)] = Normalize(v)
	}
	return args, true
}
