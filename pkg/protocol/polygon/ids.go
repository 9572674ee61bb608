package polygon

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/ethereum/go-ethereum/core/types"

	"github.com/stakewallet/stakewallet/pkg/protocol"
)

// reqID is a parsed request id: "<validator id>/<unbond nonce>".
type reqID struct {
	validator, nonce uint64
}

func (r reqID) id() protocol.RequestID {
	return protocol.RequestID(strconv.FormatUint(r.validator, 10) + "/" + strconv.FormatUint(r.nonce, 10))
}

// maxDigits bounds the numbers of an id (uint64 has 20 digits).
const maxDigits = 20

func parseNumber(s string) (uint64, bool) {
	if s == "" || len(s) > maxDigits || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	return n, err == nil && n > 0
}

func parseID(s string) (reqID, error) {
	t := strings.TrimSpace(s)
	v, n, ok := strings.Cut(t, "/")
	vid, ok1 := parseNumber(v)
	nonce, ok2 := parseNumber(n)
	if !ok || !ok1 || !ok2 {
		return reqID{}, &protocol.LimitError{Reason: fmt.Sprintf("Polygon request id %q is not <validator id>/<unbond nonce> (two whole numbers from 1, e.g. 4/2), as `stakewallet withdrawals` lists them", s)}
	}
	return reqID{validator: vid, nonce: nonce}, nil
}

// ParseRequestID implements protocol.Requests.
func (a *Polygon) ParseRequestID(s string) (protocol.RequestID, error) {
	r, err := parseID(s)
	if err != nil {
		return "", err
	}
	return r.id(), nil
}

// parseIDs parses ids, keeping the first of duplicates.
func parseIDs(ids []protocol.RequestID) ([]reqID, error) {
	return protocol.ParseIDs(ids, parseID)
}

// RequestIDs implements protocol.Requests: one id per ShareBurnedWithId
// event (validatorId and user indexed, nonce in the data). The real system
// logs it through its EventsHub, the devnet model from the ValidatorShare;
// the event is recognized by its topic, whoever emitted it, since the
// receipt is of the wallet's own sellVoucher_newPOL.
func (a *Polygon) RequestIDs(receipt *types.Receipt) []protocol.RequestID {
	if receipt == nil || receipt.Status != types.ReceiptStatusSuccessful {
		return nil
	}
	ev := a.abis.share.Events["ShareBurnedWithId"]
	var out []protocol.RequestID
	for _, l := range receipt.Logs {
		if len(l.Topics) != 4 || l.Topics[0] != ev.ID || len(l.Data) != 64 {
			continue
		}
		vid := new(big.Int).SetBytes(l.Topics[1].Bytes())
		nonce := new(big.Int).SetBytes(l.Data[32:64])
		if !vid.IsUint64() || !nonce.IsUint64() || vid.Sign() == 0 || nonce.Sign() == 0 {
			continue
		}
		out = append(out, reqID{validator: vid.Uint64(), nonce: nonce.Uint64()}.id())
	}
	return out
}
