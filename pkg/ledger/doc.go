// Package ledger talks to the Ethereum app of a Ledger hardware wallet.
//
// It has its own transports instead of go-ethereum's accounts/usbwallet:
// that package links github.com/ethereum/hid, whose vendored libusb/hidapi C
// symbols clash with github.com/karalabe/usb at link time, and it ignores the
// APDU status word, so a refusal or a closed app surfaces as "reply lacks
// signature". Here every status word is decoded into an error that tells the
// user what to do (see errors.go).
//
// Layers:
//   - Transport: exchange one APDU, get data and status word. HID (USB, via
//     karalabe/usb, cgo builds only) and TCP (the Speculos emulator's APDU
//     port) implement it.
//   - App: the Ethereum app's commands: GET APP CONFIGURATION, GET ADDRESS,
//     SIGN TRANSACTION, PROVIDE ERC20 TOKEN INFORMATION, and EIP-712 typed
//     data (eip712.go): full mode — EIP712 SEND STRUCT DEFINITION (0x1A) for
//     every type, SEND STRUCT IMPLEMENTATION (0x1C) for the domain's and the
//     message's values (long values cut into 255-byte APDUs), SIGN ETH EIP
//     712 (0x0C, P2 = 1) — on apps from 1.9.19, else v0 (0x0C, P2 = 0: the
//     two hashes, blind) from 1.5.0.
package ledger
