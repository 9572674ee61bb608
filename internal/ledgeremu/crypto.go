package ledgeremu

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/asn1"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

func addressOf(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// elliptic65 is the uncompressed public key 04||X||Y.
func elliptic65(k *ecdsa.PrivateKey) []byte { return crypto.FromECDSAPub(&k.PublicKey) }

// verifyDER checks a DER ECDSA signature over SHA-256(msg), as the app's
// check_signature_with_pubkey does.
func verifyDER(pub, msg, der []byte) bool {
	var sig struct{ R, S *big.Int }
	rest, err := asn1.Unmarshal(der, &sig)
	if err != nil || len(rest) != 0 || sig.R.Sign() <= 0 || sig.S.Sign() <= 0 {
		return false
	}
	n := crypto.S256().Params().N
	if sig.S.Cmp(new(big.Int).Rsh(n, 1)) > 0 { // go-ethereum verifies low-S only
		sig.S = new(big.Int).Sub(n, sig.S)
	}
	rs := make([]byte, 64)
	sig.R.FillBytes(rs[:32])
	sig.S.FillBytes(rs[32:])
	h := sha256.Sum256(msg)
	return crypto.VerifySignature(pub, h[:], rs)
}
