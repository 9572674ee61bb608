package sonic

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// reqID is a withdrawal request: the validator and the wrID.
type reqID struct {
	validator, wr uint64
}

func (r reqID) id() protocol.RequestID {
	return protocol.RequestID(strconv.FormatUint(r.validator, 10) + "/" + strconv.FormatUint(r.wr, 10))
}

// parseReqID parses "<validatorID>/<wrID>" (decimal; validator ≥ 1).
func parseReqID(s string) (reqID, error) {
	v, w, ok := strings.Cut(strings.TrimSpace(s), "/")
	bad := &protocol.LimitError{Reason: fmt.Sprintf("invalid Sonic request id %q: want <validator id>/<wrID>, e.g. 1/0 (`stakewallet withdrawals` lists yours)", s)}
	if !ok {
		return reqID{}, bad
	}
	vid, err := strconv.ParseUint(v, 10, 64)
	if err != nil || vid == 0 || strings.HasPrefix(v, "+") {
		return reqID{}, bad
	}
	wid, err := strconv.ParseUint(w, 10, 64)
	if err != nil || strings.HasPrefix(w, "+") {
		return reqID{}, bad
	}
	return reqID{validator: vid, wr: wid}, nil
}

// ParseRequestID implements protocol.Requests.
func (a *Sonic) ParseRequestID(s string) (protocol.RequestID, error) {
	r, err := parseReqID(s)
	if err != nil {
		return "", err
	}
	return r.id(), nil
}

// parseIDs parses ids, keeping the first of duplicates.
func parseIDs(ids []protocol.RequestID) ([]reqID, error) {
	return protocol.ParseIDs(ids, parseReqID)
}
