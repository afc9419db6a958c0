#!/usr/bin/env node
// One signed V4 PostObject form per iteration with ali-oss 6.23.0, the way Alibaba's direct-upload guide's
// Node sample does it (minus the STS call and Express): format x-oss-date, build the
// credential and the policy object, client.signPostObjectPolicyV4(policy, date), base64 the
// policy for the form, assemble the response. The client is created once, outside the loop
// (the sample creates one per request, which would only make ali-oss slower).
//
// Usage: NODE_PATH=<scratch>/node_modules node ali_oss.js [iterations]
// Prints one JSON line: {"peer", "version", "signature", "policy_bytes", "per_form_us"}.
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');
const OSS = require('ali-oss');
const { getCredential } = require('ali-oss/lib/common/signUtils');
const { getStandardRegion } = require('ali-oss/lib/common/utils/getStandardRegion');
const { policy2Str } = require('ali-oss/lib/common/utils/policy2Str');
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
  region: inputs.region,
  accessKeyId: inputs.access_key_id,
  accessKeySecret: inputs.access_key_secret,
  stsToken: token,
});
console.warn = warn;

const pad = (n) => n.toString().padStart(2, '0');
const xOssDate = (d) =>
  `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}T` +
  `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
const now = new Date(inputs.now);

function signForm() {
  const date = new Date(now.getTime());
  const expiration = new Date(date.getTime() + inputs.expires_in_seconds * 1000);
  const formattedDate = xOssDate(date);
  const credential = getCredential(formattedDate.split('T')[0], getStandardRegion(client.options.region), client.options.accessKeyId);
  const policy = {
    expiration: expiration.toISOString(),
    conditions: [
      { bucket: inputs.bucket },
      { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
      { 'x-oss-credential': credential },
      { 'x-oss-date': formattedDate },
      { 'x-oss-security-token': client.options.stsToken },
      ...inputs.conditions_after_signer_fields,
    ],
  };
  const signature = client.signPostObjectPolicyV4(policy, date);
  return {
    host: `https://${client.options.bucket}.oss-${client.options.region}.aliyuncs.com`,
    policy: Buffer.from(policy2Str(policy), 'utf8').toString('base64'),
    x_oss_signature_version: 'OSS4-HMAC-SHA256',
    x_oss_credential: credential,
    x_oss_date: formattedDate,
    signature,
    dir: 'user-dir/',
    security_token: client.options.stsToken,
  };
}

const iterations = Number(process.argv[2] || 20000);
const first = signForm();
for (let i = 0; i < iterations; i++) signForm(); // warm-up: let the JIT settle
const rounds = [];
for (let r = 0; r < 7; r++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) signForm();
  rounds.push(Number(process.hrtime.bigint() - t0) / 1000 / iterations);
}
rounds.sort((a, b) => a - b);
console.log(JSON.stringify({
  peer: 'ali-oss',
  version,
  signature: first.signature,
  policy_bytes: Buffer.from(first.policy, 'base64').length,
  per_form_us: rounds[3],
}));
