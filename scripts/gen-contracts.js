#!/usr/bin/env node
// Compiles, with the pinned solc-js, the devnet model contracts
// (internal/devnet/contracts/src/*.sol) into
// internal/devnet/contracts/artifacts/<Name>.json, and the adapters' lenses
// (pkg/protocol/<adapter>/lens/*.sol, creation code the wallet runs with
// eth_call, never deployed) into <Name>.json beside each source: one
// artifact per contract with abi, bytecode and deployedBytecode. Deterministic: sources are read in sorted order under
// relative names, and the JSON is written with a fixed key order.
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

const root = path.resolve(__dirname, '..');
const srcDir = path.join(root, 'internal/devnet/contracts/src');
const outDir = path.join(root, 'internal/devnet/contracts/artifacts');

function compileSet(srcDir, outDir) {
const files = fs.readdirSync(srcDir).filter((f) => f.endsWith('.sol')).sort();
const sources = {};
for (const f of files) {
  sources[f] = { content: fs.readFileSync(path.join(srcDir, f), 'utf8') };
}

const input = {
  language: 'Solidity',
  sources,
  settings: {
    evmVersion: 'cancun',
    optimizer: { enabled: true, runs: 200 },
    outputSelection: {
      '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
    },
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input)));
let failed = false;
for (const e of output.errors || []) {
  if (e.severity === 'error') failed = true;
  process.stderr.write(e.formattedMessage + '\n');
}
if (failed) {
  process.stderr.write('gen-contracts: compilation failed\n');
  process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
for (const f of files) {
  // Only the contract named after its file is an artifact; the interfaces
  // declared beside it are not.
  const name = path.basename(f, '.sol');
  const c = output.contracts[f] && output.contracts[f][name];
  if (!c) {
    process.stderr.write(`gen-contracts: ${f} does not define contract ${name}\n`);
    process.exit(1);
  }
  const artifact = {
    contractName: name,
    compiler: `solc ${solc.version()}`,
    abi: c.abi,
    bytecode: '0x' + c.evm.bytecode.object,
    deployedBytecode: '0x' + c.evm.deployedBytecode.object,
  };
  fs.writeFileSync(path.join(outDir, name + '.json'), JSON.stringify(artifact, null, 2) + '\n');
  process.stdout.write(`gen-contracts: ${name} (${c.evm.deployedBytecode.object.length / 2} bytes)\n`);
}
}

compileSet(srcDir, outDir);
const protocolDir = path.join(root, 'pkg/protocol');
for (const p of fs.readdirSync(protocolDir).sort()) {
  const lensDir = path.join(protocolDir, p, 'lens');
  if (fs.existsSync(lensDir)) compileSet(lensDir, lensDir);
}
