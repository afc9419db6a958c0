#!/usr/bin/env node
// One presigned V4 PUT URL per iteration with ali-oss 6.23.0's signatureUrlV4, on the inputs of
// the crate's `presign/put_v4` bench (benches/post_policy.rs): bucket and region of inputs.json,
// key `user-dir/cat.png`, `Content-Type: image/png`, 3600 s, the same 600-character STS token.
// signatureUrlV4 derives the signing key on every call (four HMACs), builds the canonical
// request, hashes it, signs, and formats the URL; the client is created once, outside the loop.
// Its clock (`new Date()`) is fixed to inputs.json's `now`, so the signature can be compared.
//
// Usage: NODE_PATH=<scratch>/node_modules node ali_oss_presign.js [iterations]
// Prints one JSON line: {"peer", "version", "signature", "per_url_us"}.
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const OSS = require('ali-oss');
const version = require('ali-oss/package.json').version;
assert.strictEqual(version, '6.23.0', `expected ali-oss 6.23.0, found ${version}`);

const inputs = JSON.parse(fs.readFileSync(path.join(__dirname, 'inputs.json'), 'utf8'));
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
let token = 'CAIS';
while (token.length < 600) token += ALPHABET;
token = token.slice(0, 600);

const warn = console.warn;
console.warn = () => {}; // stsToken without refreshSTSToken warns once
const client = new OSS({
  bucket: inputs.bucket,
  region: `oss-${inputs.region}`,
  accessKeyId: inputs.access_key_id,
  accessKeySecret: inputs.access_key_secret,
  stsToken: token,
  secure: true,
});
console.warn = warn;

// signatureUrlV4 reads the clock with `new Date()`: fixed to inputs.json's `now`.
const RealDate = Date;
const fixed = new RealDate(inputs.now).getTime();
global.Date = class FixedDate extends RealDate {
  constructor(...args) {
    super(...(args.length === 0 ? [fixed] : args));
  }
  static now() {
    return fixed;
  }
};

const presign = () =>
  client.signatureUrlV4('PUT', inputs.expires_in_seconds, { headers: { 'Content-Type': 'image/png' } }, 'user-dir/cat.png');

async function main() {
  const iterations = Number(process.argv[2] || 20000);
  const first = await presign();
  for (let i = 0; i < iterations; i++) await presign(); // warm-up: let the JIT settle
  const rounds = [];
  for (let r = 0; r < 7; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) await presign();
    rounds.push(Number(process.hrtime.bigint() - t0) / 1000 / iterations);
  }
  rounds.sort((a, b) => a - b);
  console.log(JSON.stringify({
    peer: 'ali-oss `signatureUrlV4`',
    version,
    signature: new URL(first).searchParams.get('x-oss-signature'),
    per_url_us: rounds[3],
  }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
