package ledger

import (
	"encoding/binary"
	"fmt"

	"github.com/ethereum/go-ethereum/accounts"
)

// Ethereum app instructions (app-ethereum doc/ethapp.adoc).
const (
	claEth          = 0xe0
	insGetAddress   = 0x02
	insSignTx       = 0x04
	insGetConfig    = 0x06
	insProvideERC20 = 0x0a
	insSetPlugin    = 0x12

	// GET APP AND VERSION is answered by the OS/SDK, not the app, so it
	// also works on the dashboard (which names itself "BOLOS").
	claBolos       = 0xb0
	insAppVersion  = 0x01
	dashboardName  = "BOLOS"
	ethereumApp    = "Ethereum"
	maxAPDUData    = 255
	maxPathDepth   = 10
	p1First        = 0x00
	p1More         = 0x80
	p1NoDisplay    = 0x00
	p1Display      = 0x01
	p2NoChainCode  = 0x00
	signModeBasic  = 0x00
	configFlagData = 0x01 // "arbitrary data signature enabled by user" = blind signing
	configFlagERC  = 0x02 // ERC-20 info must be provided by the host
)

// buildAPDU encodes a short APDU; data is at most 255 bytes.
func buildAPDU(cla, ins, p1, p2 byte, data []byte) ([]byte, error) {
	if len(data) > maxAPDUData {
		return nil, fmt.Errorf("ledger: APDU data of %d bytes exceeds %d", len(data), maxAPDUData)
	}
	apdu := make([]byte, 0, 5+len(data))
	apdu = append(apdu, cla, ins, p1, p2, byte(len(data)))
	return append(apdu, data...), nil
}

// encodePath encodes a BIP-32 path as count(1) then each index (4, BE).
func encodePath(path accounts.DerivationPath) ([]byte, error) {
	if len(path) == 0 || len(path) > maxPathDepth {
		return nil, fmt.Errorf("ledger: derivation path must have 1 to %d components, got %d", maxPathDepth, len(path))
	}
	b := make([]byte, 1, 1+4*len(path))
	b[0] = byte(len(path))
	for _, c := range path {
		b = binary.BigEndian.AppendUint32(b, c)
	}
	return b, nil
}
