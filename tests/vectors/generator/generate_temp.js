#!/usr/bin/env node
// Known-answer vectors for temporary upload URLs (Cloud Backup CreateTempFileUploadUrl shape)
// and for the plain V1 builder layout, produced by the official Alibaba Cloud Node SDK
// `ali-oss` (pinned to 6.23.0).
//
// Deterministic: no clock, no randomness, no network. Every timestamp is a fixed constant and
// the STS token is derived from SHA-256 of a fixed seed.
//
// Usage (see ../README.md):
//   NODE_PATH=/tmp/aligen/node_modules node generate_temp.js [output-path]
// The default output path is ../ali-oss-temp-upload.json (next to this directory).
'use strict';

const assert = require('assert');
const fs = require('fs');
const path = require('path');

const {
  EXPECTED_ALI_OSS_VERSION, aliOssPkg, policy2Str, getStandardRegion, signUtils, STS_TOKEN, xOssDate, makeClient,
  independentV4, independentV1,
} = require('./common');

const SOURCE_TEMP =
  'ali-oss 6.23.0: new OSS({region, internal, secure: true}).options.endpoint.host (Endpoint), ' +
  '_getReqUrl({bucket}) (url), policy2Str, calculatePostSignature (V1), ' +
  'signPostObjectPolicyV4 + signUtils.getCredential (V4); key layout and ExpireTime from ' +
  'Date.prototype.toISOString / getTime';
const SOURCE_V1 = 'ali-oss 6.23.0: policy2Str, calculatePostSignature';

// ---------------------------------------------------------------------------
// Fixed inputs
// ---------------------------------------------------------------------------


const KEYS = {
  plain: { id: 'LTAI5tQ9ZX8Y7W6V5U4T3S2R', secret: 'aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789', token: null },
  sts: { id: 'STS.NUgYrLnoC37mZZCNnAbez2Ly9', secret: 'Fq9kXz3RmW7pL2vN8bT4yH6jC1dG5sA0eU', token: STS_TOKEN },
  docs: { id: '44CF9590006BF252F707', secret: 'OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV', token: null },
  cjk: { id: 'LTAI4GUnicodeSecret01', secret: '秘密Secret🔑key', token: null },
};

const HOUR = 3600;
const DAY = 24 * HOUR;
const GIB5 = 5 * 1024 * 1024 * 1024;

// The Cloud Backup API's sample answer (CreateTempFileUploadUrl).
const SEED = {
  account: '1440155109798732',
  unique: '49bed34c-b430-4e7e-89b1-4be2b734f95c',
  request: 'F4EEB401-DD21-588D-AE3B-1E835C7655E1',
  bucket: 'hbr-temp-bucket',
  key: 'temp/1440155109798732/upload/2022-07-29/49bed34c-b430-4e7e-89b1-4be2b734f95c/iaclone.diff',
  endpoint: 'oss-cn-shenzhen.aliyuncs.com',
};

// A file name that makes the key exactly 1023 bytes: two-byte characters, padded with 'x'.
function nameForKeyBytes(account, now, unique, total) {
  const prefix = `temp/${account}/upload/${new Date(now).toISOString().slice(0, 10)}/${unique}/`;
  const room = total - Buffer.byteLength(prefix, 'utf8');
  const name = 'é'.repeat(Math.floor(room / 2)) + (room % 2 ? 'x' : '');
  assert.strictEqual(Buffer.byteLength(prefix + name, 'utf8'), total);
  return name;
}

// Temporary upload cases. `v4: false` marks a lifetime V4 refuses (over 7 days).
const TEMP_CASES = [
  { name: 'seed-iaclone-diff', key: 'docs', region: 'oss-cn-shenzhen', internal: false, bucket: SEED.bucket,
    file_name: 'iaclone.diff', account_id: SEED.account, unique_id: SEED.unique, request_id: SEED.request,
    now: '2022-07-29T08:15:30Z', lifetime: HOUR, max_size: GIB5, v4: true },
  { name: 'seed-file-list-sts', key: 'sts', region: 'oss-cn-shenzhen', internal: false, bucket: SEED.bucket,
    file_name: 'file-list.txt', account_id: SEED.account, unique_id: '0f8fad5b-d9cb-469f-a165-70867728950e',
    request_id: '7C9E6679-7425-40DE-944B-E07FC1F90AE7', now: '2022-07-29T23:59:59Z', lifetime: 15 * 60,
    max_size: 10485760, v4: true },
  { name: 'unicode-chinese-name-internal', key: 'plain', region: 'oss-cn-hangzhou', internal: true,
    bucket: 'examplebucket', file_name: '备份清单 2024（最终版）.txt', account_id: 'tenant-42',
    unique_id: 'a1b2c3d4-0000-4000-8000-000000000001', request_id: 'req-0001', now: '2024-02-29T12:00:00Z',
    lifetime: 2 * HOUR, max_size: 1048576, v4: true },
  { name: 'unicode-emoji-name-sts', key: 'sts', region: 'oss-ap-southeast-1', internal: false,
    bucket: 'sg-media', file_name: '📦 archive—v2.tar.gz', account_id: '5577006791947779',
    unique_id: 'c7f3e6a0-1d2b-4c5e-9f80-123456789abc', request_id: 'B1C2D3E4-F5A6-4B7C-8D9E-0F1A2B3C4D5E',
    now: '2024-01-01T00:00:00Z', lifetime: 6 * HOUR, max_size: GIB5, v4: true },
  { name: 'quotes-spaces-and-dollar', key: 'plain', region: 'oss-cn-beijing', internal: false,
    bucket: 'bj-bucket', file_name: 'my "quoted" file\'s name $1 & <more>.txt', account_id: 'acct',
    unique_id: 'u-1', request_id: 'r-1', now: '2025-04-30T23:59:59Z', lifetime: HOUR, max_size: 1, v4: true },
  { name: 'decomposed-unicode-kept', key: 'cjk', region: 'oss-eu-central-1', internal: false,
    bucket: 'eu-archive', file_name: 'cafe\u0301 résumé.pdf', account_id: 'acct-eu',
    unique_id: 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f70', request_id: 'req-eu', now: '2024-03-31T23:59:59Z',
    lifetime: HOUR, max_size: 52428800, v4: true },
  { name: 'year-end-seven-days', key: 'plain', region: 'oss-us-west-1', internal: false,
    bucket: 'us-west-bucket', file_name: '.hidden', account_id: 'acct-us',
    unique_id: 'e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7081', request_id: 'req-us', now: '2023-12-31T23:59:59Z',
    lifetime: 7 * DAY, max_size: GIB5, v4: true },
  { name: 'non-utc-now-date-is-utc', key: 'docs', region: 'oss-cn-shenzhen', internal: false,
    bucket: SEED.bucket, file_name: 'leap.bin', account_id: SEED.account, unique_id: SEED.unique,
    request_id: SEED.request, now: '2024-03-01T07:00:00+08:00', lifetime: HOUR, max_size: GIB5, v4: true },
  { name: 'key-exactly-1023-bytes', key: 'plain', region: 'oss-cn-hangzhou', internal: false,
    bucket: 'examplebucket', file_name: nameForKeyBytes(SEED.account, '2024-06-15T10:20:30Z', SEED.unique, 1023),
    account_id: SEED.account, unique_id: SEED.unique, request_id: 'req-long', now: '2024-06-15T10:20:30Z',
    lifetime: HOUR, max_size: GIB5, v4: true },
  { name: 'v1-only-thirty-days', key: 'sts', region: 'oss-cn-shanghai', internal: false, bucket: 'sh-bucket-01',
    file_name: 'monthly.csv', account_id: 'acct-sh', unique_id: 'f6a7b8c9-d0e1-4f2a-8b3c-4d5e6f708192',
    request_id: 'req-sh', now: '2024-02-01T00:00:00Z', lifetime: 30 * DAY, max_size: GIB5, v4: false },
];

// Plain V1 builder layout: {"expiration", "conditions": [{"bucket"}, {"x-oss-security-token"}?, ...user]}.
const SEED_CONDITIONS = [
  ['content-length-range', 1, 10485760],
  ['eq', '$success_action_status', '200'],
  ['starts-with', '$key', 'user-dir/'],
  ['in', '$content-type', ['image/jpeg', 'image/png']],
  ['not-in', '$cache-control', ['no-cache']],
];

const V1_CASES = [
  { name: 'v1-seed-conditions', key: 'plain', bucket: 'examplebucket', region: 'cn-hangzhou',
    now: '2024-02-29T23:59:59Z', ttl: HOUR, conditions: SEED_CONDITIONS },
  { name: 'v1-seed-conditions-sts', key: 'sts', bucket: 'examplebucket', region: 'cn-hangzhou',
    now: '2024-02-29T23:59:59Z', ttl: HOUR, conditions: SEED_CONDITIONS },
  { name: 'v1-docs-example-credentials', key: 'docs', bucket: 'examplebucket', region: 'cn-hangzhou',
    now: '2024-11-27T06:09:41Z', ttl: HOUR, conditions: SEED_CONDITIONS },
  { name: 'v1-minimal', key: 'plain', bucket: 'examplebucket', region: 'cn-hangzhou',
    now: '2024-01-01T00:00:00Z', ttl: HOUR, conditions: [] },
  { name: 'v1-minimal-sts', key: 'sts', bucket: 'examplebucket', region: 'cn-hangzhou',
    now: '2024-01-01T00:00:00Z', ttl: HOUR, conditions: [] },
  { name: 'v1-exact-key-and-size', key: 'docs', bucket: 'hbr-temp-bucket', region: 'cn-shenzhen',
    now: '2022-07-29T08:15:30Z', ttl: HOUR, conditions: [
      ['eq', '$key', SEED.key],
      ['content-length-range', 0, GIB5],
    ] },
  { name: 'v1-unicode-meta-and-prefix', key: 'plain', bucket: 'examplebucket', region: 'cn-hangzhou',
    now: '2024-02-29T12:00:00Z', ttl: HOUR, conditions: [
      ['starts-with', '$key', '用户/照片/'],
      { 'x-oss-meta-author': '张三' },
      ['eq', '$x-oss-meta-mood', '😀🎉'],
    ] },
  { name: 'v1-escaping', key: 'plain', bucket: 'examplebucket', region: 'cn-hangzhou',
    now: '2024-03-31T23:59:59Z', ttl: HOUR, conditions: [
      { 'x-oss-meta-path': 'C:\\dir\\"quoted"' },
      ['eq', '$x-oss-meta-ctl', 'a\u0000b\u0001c\bd\fe\nf\rg\th\u001fi\u007fj'],
      ['starts-with', '$key', 'a/b/<c>&\'d\'/\u2028\u2029'],
    ] },
  { name: 'v1-typed-fields', key: 'sts', bucket: 'sg-media', region: 'ap-southeast-1',
    now: '2025-04-30T23:59:59Z', ttl: 3 * HOUR, conditions: [
      ['eq', '$x-oss-object-acl', 'private'],
      ['eq', '$x-oss-storage-class', 'IA'],
      ['eq', '$x-oss-forbid-overwrite', 'true'],
      ['eq', '$Content-Type', 'application/pdf'],
      ['starts-with', '$Content-Disposition', 'attachment'],
      ['in', '$Cache-Control', ['no-cache', 'max-age=60']],
    ] },
  { name: 'v1-non-ascii-secret', key: 'cjk', bucket: 'examplebucket', region: 'cn-hangzhou',
    now: '2024-06-15T10:20:30Z', ttl: HOUR, conditions: SEED_CONDITIONS },
  { name: 'v1-thirty-days', key: 'plain', bucket: 'examplebucket', region: 'cn-hangzhou',
    now: '2024-02-01T00:00:00Z', ttl: 30 * DAY, conditions: [['starts-with', '$key', 'monthly/']] },
];

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

function parseNow(now) {
  assert.match(now, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/, `now must be RFC 3339 whole seconds: ${now}`);
  const d = new Date(now);
  assert.ok(!Number.isNaN(d.getTime()), `bad date ${now}`);
  assert.strictEqual(d.getTime() % 1000, 0);
  return d;
}




// calculatePostSignature (V1) of a policy object, checked three ways.
function signV1(client, k, policyObject) {
  const policy = policy2Str(policyObject);
  assert.strictEqual(policy, JSON.stringify(policyObject));
  const policyBase64 = Buffer.from(policy, 'utf8').toString('base64');
  const v1 = client.calculatePostSignature(policyObject);
  assert.strictEqual(v1.OSSAccessKeyId, k.id);
  assert.strictEqual(v1.policy, policyBase64);
  assert.strictEqual(v1.Signature, signUtils.computeSignature(k.secret, policyBase64));
  assert.strictEqual(v1.Signature, independentV1(k.secret, policyBase64));
  return { policy, policyBase64, signature: v1.Signature };
}

function assertNoDuplicates(items) {
  const names = new Set();
  for (const v of items) {
    assert.match(v.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, `name must be kebab-case: ${v.name}`);
    assert.ok(!names.has(v.name), `duplicate vector name ${v.name}`);
    names.add(v.name);
  }
}

// ---------------------------------------------------------------------------
// Temporary upload vectors
// ---------------------------------------------------------------------------

function buildTempVector(c) {
  const k = KEYS[c.key];
  assert.ok(k, `unknown key set ${c.key}`);
  const d = parseNow(c.now);
  const date = d.toISOString().slice(0, 10);
  const key = `temp/${c.account_id}/upload/${date}/${c.unique_id}/${c.file_name}`;
  assert.ok(Buffer.byteLength(key, 'utf8') <= 1023, `${c.name}: key over 1023 bytes`);
  const expirationMs = d.getTime() + c.lifetime * 1000;
  const expiration = new Date(expirationMs).toISOString();
  const expireTime = expirationMs / 1000;
  assert.ok(Number.isInteger(expireTime));
  assert.strictEqual(Date.parse(expiration) / 1000, expireTime);

  const client = makeClient(k, { region: c.region, internal: c.internal, secure: true, bucket: c.bucket });
  const endpoint = client.options.endpoint.host;
  const url = client._getReqUrl({ bucket: c.bucket }).replace(/\/$/, '');
  const region = getStandardRegion(c.region);
  const userConditions = [['eq', '$key', key], ['content-length-range', 0, c.max_size]];

  // V1: the Cloud Backup API's shape.
  const v1Conditions = [{ bucket: c.bucket }];
  if (k.token !== null) v1Conditions.push({ 'x-oss-security-token': k.token });
  const v1Object = { expiration, conditions: [...v1Conditions, ...userConditions] };
  const v1 = signV1(client, k, v1Object);
  const response = (policyBase64, signature) => ({
    Endpoint: endpoint,
    RequestId: c.request_id,
    ExpireTime: expireTime,
    Success: true,
    Code: '200',
    TempFileKey: key,
    Message: 'successful',
    BucketName: c.bucket,
    OssAccessKeyId: k.id,
    Policy: policyBase64,
    Signature: signature,
  });
  const responseV1 = response(v1.policyBase64, v1.signature);
  if (k.token !== null) responseV1.OssSecurityToken = k.token;

  // V4: signer fields after bucket, as signPostObjectPolicyV4's documentation builds them.
  let v4 = null;
  if (c.v4) {
    assert.ok(c.lifetime <= 7 * DAY);
    const xDate = xOssDate(d);
    const ymd = xDate.split('T')[0];
    const credential = signUtils.getCredential(ymd, region, k.id);
    assert.strictEqual(credential, `${k.id}/${ymd}/${region}/oss/aliyun_v4_request`);
    const v4Conditions = [
      { bucket: c.bucket },
      { 'x-oss-signature-version': 'OSS4-HMAC-SHA256' },
      { 'x-oss-credential': credential },
      { 'x-oss-date': xDate },
    ];
    if (k.token !== null) v4Conditions.push({ 'x-oss-security-token': k.token });
    const v4Object = { expiration, conditions: [...v4Conditions, ...userConditions] };
    const policy = policy2Str(v4Object);
    const policyBase64 = Buffer.from(policy, 'utf8').toString('base64');
    const signature = client.signPostObjectPolicyV4(v4Object, new Date(d.getTime()));
    assert.match(signature, /^[0-9a-f]{64}$/);
    assert.strictEqual(signature, signUtils.getSignatureV4(k.secret, ymd, region, policyBase64));
    assert.strictEqual(signature, independentV4(k.secret, ymd, region, policyBase64));
    const responseV4 = response(policyBase64, signature);
    responseV4.OssSignatureVersion = 'OSS4-HMAC-SHA256';
    responseV4.OssCredential = credential;
    responseV4.OssDate = xDate;
    if (k.token !== null) responseV4.OssSecurityToken = k.token;
    v4 = { policy_object: v4Object, policy, response: responseV4 };
  }

  return {
    name: c.name,
    source: SOURCE_TEMP,
    access_key_id: k.id,
    access_key_secret: k.secret,
    security_token: k.token,
    region_input: c.region,
    region,
    internal: c.internal,
    bucket: c.bucket,
    file_name: c.file_name,
    account_id: c.account_id,
    unique_id: c.unique_id,
    request_id: c.request_id,
    now: c.now,
    lifetime_seconds: c.lifetime,
    max_size: c.max_size,
    url,
    v1: { policy_object: v1Object, policy: v1.policy, response: responseV1 },
    v4,
  };
}

// ---------------------------------------------------------------------------
// Plain V1 builder vectors
// ---------------------------------------------------------------------------

function buildV1Vector(c) {
  const k = KEYS[c.key];
  assert.ok(k, `unknown key set ${c.key}`);
  const d = parseNow(c.now);
  assert.ok(c.now.endsWith('Z'));
  const expiration = new Date(d.getTime() + c.ttl * 1000).toISOString();
  const conditions = [{ bucket: c.bucket }];
  if (k.token !== null) conditions.push({ 'x-oss-security-token': k.token });
  for (const uc of c.conditions) conditions.push(uc);
  const policyObject = { expiration, conditions };
  const client = makeClient(k, { region: c.region, bucket: c.bucket });
  const v1 = signV1(client, k, policyObject);
  return {
    name: c.name,
    source: SOURCE_V1,
    access_key_id: k.id,
    access_key_secret: k.secret,
    security_token: k.token,
    region_input: c.region,
    bucket: c.bucket,
    now: c.now,
    ttl_seconds: c.ttl,
    conditions: c.conditions,
    policy_object: policyObject,
    policy: v1.policy,
    policy_base64: v1.policyBase64,
    signature_v1: v1.signature,
  };
}

// ---------------------------------------------------------------------------

function main() {
  const outPath = process.argv[2]
    ? path.resolve(process.argv[2])
    : path.join(__dirname, '..', 'ali-oss-temp-upload.json');

  const temp = TEMP_CASES.map(buildTempVector);
  const v1 = V1_CASES.map(buildV1Vector);
  assertNoDuplicates([...temp, ...v1]);

  // The API's own sample: same key and endpoint as its documented answer.
  const seed = temp.find((v) => v.name === 'seed-iaclone-diff');
  assert.strictEqual(seed.v1.response.TempFileKey, SEED.key);
  assert.strictEqual(seed.v1.response.Endpoint, SEED.endpoint);
  // The date segment is UTC's even for a +08:00 input.
  assert.ok(temp.find((v) => v.name === 'non-utc-now-date-is-utc').v1.response.TempFileKey.includes('/2024-02-29/'));
  assert.strictEqual(
    Buffer.byteLength(temp.find((v) => v.name === 'key-exactly-1023-bytes').v1.response.TempFileKey, 'utf8'), 1023);

  const out = {
    about: 'Known-answer vectors for temporary upload URLs in the Cloud Backup CreateTempFileUploadUrl shape ' +
      '("temp_upload": key temp/{account}/upload/{YYYY-MM-DD UTC}/{unique}/{file}, policy [bucket, signer fields, ' +
      '["eq","$key",key], ["content-length-range",0,max]], V1 and V4 signed) and for the plain V1 builder layout ' +
      '("v1_builder": [bucket, x-oss-security-token with STS, user conditions]), computed with the official Node SDK ' +
      `ali-oss ${EXPECTED_ALI_OSS_VERSION}. Deterministic; regenerate with tests/vectors/generator/generate_temp.js.`,
    generator: 'tests/vectors/generator/generate_temp.js',
    ali_oss_version: aliOssPkg.version,
    node_version: process.version,
    temp_upload: temp,
    v1_builder: v1,
  };

  fs.writeFileSync(outPath, JSON.stringify(out, null, 2) + '\n', 'utf8');
  process.stderr.write(`wrote ${temp.length} temp_upload + ${v1.length} v1_builder vectors to ${outPath}\n`);
}

main();
