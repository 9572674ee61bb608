//go:build !cgo || !(linux || (darwin && !ios) || windows || freebsd)

package ledger

import (
	"context"
	"errors"
	"testing"

	"github.com/stakewallet/stakewallet/pkg/signer"
)

func TestNoUSBBuild(t *testing.T) {
	if USBSupported() {
		t.Fatal("USB reported in a build without it")
	}
	for _, open := range []func() error{
		func() error { _, err := OpenHID(); return err },
		func() error { _, err := ListHID(); return err },
		func() error { _, err := OpenTransport(context.Background(), "hid"); return err },
	} {
		err := open()
		if !errors.Is(err, ErrNoUSB) || !errors.Is(err, signer.ErrUnavailable) || err.Error() != "built without USB support; use --ledger-transport tcp://… or a cgo build" {
			t.Errorf("got %v", err)
		}
	}
}
