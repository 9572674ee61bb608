#!/usr/bin/env node
// Drives a Speculos-compatible APDU port (the real Speculos, or stakewallet's
// Go emulator in internal/ledgeremu) with Ledger's own JavaScript client,
// @ledgerhq/hw-app-eth over @ledgerhq/hw-transport-node-speculos, so that the
// emulator is checked against the reference host implementation rather than
// only against our Go client.
//
// Usage:
//   node scripts/ledger-crosscheck.js --port N [--host 127.0.0.1]
//        [--mnemonic WORDS] [--address PATH]... [--erc20 ADDRESS:CHAINID]
//        [--sign PATH:UNSIGNED_TX_HEX]... [--eip712 PATH:JSON_FILE]...
//
// --address   getAddress(PATH) (PATH like 44'/60'/1'/0/0); with --mnemonic
//             the address is also derived here, independently of the device,
//             with node:crypto (BIP-39 seed, BIP-32 CKDpriv) and elliptic.
// --erc20     before each signature, provide Ledger's signed descriptor of
//             that token, looked up by hw-app-eth in the descriptors of
//             @ledgerhq/cryptoassets-evm-signatures (no network).
// --sign      signTransaction(PATH, TX) with TX the unsigned serialisation
//             (typed: type byte || RLP; legacy: RLP with chainId, 0, 0).
// --eip712    signEIP712Message(PATH, MESSAGE) in full mode (struct
//             definitions, then values, then SIGN with P2 = 1), MESSAGE the
//             eth_signTypedData_v4 JSON in JSON_FILE. No filters are looked
//             up (no CAL service, no network): the app's default display.
//
// Prints one JSON document: {config, addresses: [...], signatures: [...],
// typed: [...]}.
"use strict";

const crypto = require("crypto");
const path = require("path");

const req = (m) => require(require.resolve(m, { paths: [__dirname] }));
const Eth = req("@ledgerhq/hw-app-eth").default;
const SpeculosTransport = req("@ledgerhq/hw-transport-node-speculos").default;
const erc20 = req("@ledgerhq/hw-app-eth/lib/services/ledger/erc20");
const EC = req("elliptic").ec;
const BN = req("bn.js");
const { keccak256 } = req("@ethersproject/keccak256");

function parseArgs(argv) {
  const o = { host: "127.0.0.1", address: [], sign: [], erc20: [], eip712: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    switch (a) {
      case "--port": o.port = Number(v()); break;
      case "--host": o.host = v(); break;
      case "--mnemonic": o.mnemonic = v(); break;
      case "--address": o.address.push(v()); break;
      case "--sign": o.sign.push(v()); break;
      case "--erc20": o.erc20.push(v()); break;
      case "--eip712": o.eip712.push(v()); break;
      default: throw new Error(`unknown argument ${a}`);
    }
  }
  if (!Number.isInteger(o.port) || o.port <= 0) throw new Error("--port N is required");
  return o;
}

// Independent BIP-32 derivation, for comparison with the device's answer.
function deriveAddress(mnemonic, p) {
  const ec = new EC("secp256k1");
  const seed = crypto.pbkdf2Sync(Buffer.from(mnemonic.normalize("NFKD")), Buffer.from("mnemonic"), 2048, 64, "sha512");
  let I = crypto.createHmac("sha512", "Bitcoin seed").update(seed).digest();
  let k = new BN(I.subarray(0, 32));
  let c = I.subarray(32);
  for (const part of p.replace(/^m\//, "").split("/")) {
    const hard = part.endsWith("'");
    const idx = (parseInt(part, 10) + (hard ? 0x80000000 : 0)) >>> 0;
    const ib = Buffer.alloc(4);
    ib.writeUInt32BE(idx);
    const data = hard
      ? Buffer.concat([Buffer.alloc(1), k.toArrayLike(Buffer, "be", 32), ib])
      : Buffer.concat([Buffer.from(ec.keyFromPrivate(k).getPublic(true, "array")), ib]);
    I = crypto.createHmac("sha512", c).update(data).digest();
    k = new BN(I.subarray(0, 32)).add(k).umod(ec.curve.n);
    c = I.subarray(32);
  }
  const pub = Buffer.from(ec.keyFromPrivate(k).getPublic(false, "array")).subarray(1);
  return "0x" + keccak256(pub).slice(-40);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const transport = await SpeculosTransport.open({ apduPort: o.port, host: o.host });
  try {
    const eth = new Eth(transport);
    const out = { config: await eth.getAppConfiguration(), addresses: [], signatures: [] };
    for (const p of o.address) {
      const r = await eth.getAddress(p, false, false);
      const entry = { path: p, address: r.address, publicKey: r.publicKey };
      if (o.mnemonic) entry.derived = deriveAddress(o.mnemonic, p);
      out.addresses.push(entry);
    }
    const tokens = [];
    for (const spec of o.erc20) {
      const [addr, chain] = spec.split(":");
      const blob = require(path.join(
        path.dirname(require.resolve("@ledgerhq/cryptoassets-evm-signatures/package.json", { paths: [__dirname] })),
        "lib", "data", "evm", chain, "erc20-signatures.json"));
      const info = erc20.byContractAddressAndChainId(addr, Number(chain), blob);
      if (!info) throw new Error(`no Ledger descriptor for ${spec}`);
      tokens.push(info.data.toString("hex"));
    }
    for (const spec of o.sign) {
      const i = spec.lastIndexOf(":");
      const p = spec.slice(0, i);
      const tx = spec.slice(i + 1).replace(/^0x/, "");
      // An explicit resolution keeps hw-app-eth off the network: only the
      // ERC-20 descriptors asked for, everything else blind.
      const resolution = { erc20Tokens: tokens, nfts: [], externalPlugin: [], plugin: [], domains: [] };
      const sig = await eth.signTransaction(p, tx, resolution);
      out.signatures.push({ path: p, v: sig.v, r: sig.r, s: sig.s });
    }
    out.typed = [];
    if (o.eip712.length > 0) {
      // No CAL service and no crypto-assets CDN: hw-app-eth then sends no
      // filters and the app shows every field.
      const offline = new Eth(transport, "w0w", { calServiceURL: null, cryptoassetsBaseURL: null });
      for (const spec of o.eip712) {
        const i = spec.indexOf(":");
        const p = spec.slice(0, i);
        const msg = JSON.parse(require("fs").readFileSync(spec.slice(i + 1), "utf8"));
        const sig = await offline.signEIP712Message(p, msg);
        out.typed.push({ path: p, v: sig.v, r: sig.r, s: sig.s });
      }
    }
    process.stdout.write(JSON.stringify(out) + "\n");
  } finally {
    await transport.close();
  }
}

main().catch((e) => {
  process.stderr.write(`ledger-crosscheck: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
