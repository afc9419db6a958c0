// Presigned-URL vectors from ali-oss's signatureUrlV4 (version pinned in package.json).
// Writes tests/vectors/presign-ali-oss.json on stdout.
//
// Deterministic: `new Date()` (the only clock signatureUrlV4 reads) is fixed per vector, the
// credentials are fixed, and presigning sends nothing.
//
// Run: npm install --no-package-lock && node presign_ali_oss.js > ../presign-ali-oss.json
'use strict';

const { makeClient, aliOssPkg, STS_TOKEN } = require('./common');

const KEYS = { id: 'LTAI5tExampleAccessKey', secret: 'ExampleSecretKeyForVectors0123456789', token: null };
const RealDate = Date;

// signatureUrlV4 calls `new Date()`; every other use of Date keeps working.
function withClock(iso, fn) {
  const fixed = new RealDate(iso).getTime();
  class FixedDate extends RealDate {
    constructor(...args) {
      super(...(args.length === 0 ? [fixed] : args));
    }
    static now() {
      return fixed;
    }
  }
  global.Date = FixedDate;
  return Promise.resolve()
    .then(fn)
    .finally(() => {
      global.Date = RealDate;
    });
}

async function vector(name, o) {
  const keys = { ...KEYS, token: o.token || null };
  const options = { region: o.region || 'cn-hangzhou', bucket: o.bucket || 'examplebucket', secure: true };
  if (o.cloudBoxId) options.cloudBoxId = o.cloudBoxId;
  const client = makeClient(keys, options);
  const headers = Object.fromEntries(o.headers || []);
  const queries = Object.fromEntries((o.query || []).map(([n, v]) => [n, v === '' ? null : v]));
  const url = await withClock(o.now, () =>
    client.signatureUrlV4(o.method, o.expires, { headers, queries }, o.key, o.additional || [])
  );
  const out = {
    name,
    source: `ali-oss ${aliOssPkg.version}: signatureUrlV4`,
    method: o.method,
    bucket: options.bucket,
    key: o.key,
    region: options.region,
    access_key_id: keys.id,
    access_key_secret: keys.secret,
    security_token: keys.token,
    now: o.now,
    expires_in: o.expires,
    query: o.query || [],
    headers: o.headers || [],
    additional_headers: o.additional || [],
    expected: { url },
  };
  if (o.cloudBoxId) out.cloudbox_id = o.cloudBoxId;
  if (o.note) out.note = o.note;
  return out;
}

async function main() {
  const now = '2024-11-27T06:09:41Z';
  const vectors = [
    await vector('put-content-type', { method: 'PUT', key: 'user-dir/cat.png', now, expires: 3600, headers: [['Content-Type', 'image/png']] }),
    await vector('put-key-space-unicode', { method: 'PUT', key: '照片/猫 咪 é.jpg', now, expires: 600 }),
    await vector('put-key-reserved-characters', { method: 'PUT', key: 'a+b%c?d#e&f=g~h//i', now, expires: 3600 }),
    await vector('put-meta-and-options', {
      method: 'PUT', key: 'k.txt', now, expires: 3600,
      headers: [['Content-Type', 'text/plain'], ['x-oss-meta-owner', 'Ann B'], ['x-oss-forbid-overwrite', 'true'], ['x-oss-storage-class', 'IA'], ['Content-MD5', '1B2M2Y8AsgTpgAmY7PhCfg==']],
    }),
    await vector('put-additional-headers', {
      method: 'PUT', key: 'k.txt', now, expires: 3600,
      headers: [['Content-Type', 'text/plain'], ['Cache-Control', 'no-cache'], ['Content-Disposition', 'attachment; filename="a b.txt"']],
      additional: ['Content-Disposition', 'cache-control', 'Content-Type'],
    }),
    await vector('put-sts-token', { method: 'PUT', key: 'k.txt', now, expires: 3600, token: STS_TOKEN, headers: [['Content-Type', 'text/plain']] }),
    await vector('get-query-needing-encoding', {
      method: 'GET', key: 'report 1.pdf', now, expires: 604800,
      query: [['response-content-type', 'application/pdf'], ['response-content-disposition', 'attachment; filename="r 1.pdf"'], ['x-oss-process', 'image/resize,w_100'], ['versionId', 'CAEQNhiB+/=']],
    }),
    await vector('post-uploads-bare-name', { method: 'POST', key: 'big.bin', now, expires: 60, query: [['uploads', '']] }),
    await vector('head-cloudbox', { method: 'HEAD', key: 'a.txt', now, expires: 1, region: 'cn-hangzhou', cloudBoxId: 'cb-123' }),
    await vector('get-oss-region-prefix', { method: 'GET', key: 'a.txt', now: '2024-12-31T23:59:59Z', expires: 3600, region: 'oss-cn-shanghai' }),
  ];
  // Written by ali-oss differently from OSS's canonical form (Go and Python SDKs): recorded,
  // not reproduced.
  const knownDifferences = [];
  const client = makeClient(KEYS, { region: 'cn-hangzhou', bucket: 'examplebucket', secure: true });
  const emptyValue = await withClock(now, () =>
    client.signatureUrlV4('POST', 60, { headers: {}, queries: { uploads: '' } }, 'big.bin', [])
  );
  knownDifferences.push({
    name: 'empty-query-value-written-with-equals',
    source: `ali-oss ${aliOssPkg.version}: signatureUrlV4`,
    method: 'POST', bucket: 'examplebucket', key: 'big.bin', region: 'cn-hangzhou',
    access_key_id: KEYS.id, access_key_secret: KEYS.secret, security_token: null,
    now, expires_in: 60, query: [['uploads', '']], headers: [], additional_headers: [],
    expected: { url: emptyValue },
    note: "queries {uploads: ''} is signed as 'uploads=' in the canonical query, where OSS (and the Go and Python SDKs) write the bare name; pass null for the bare name. This crate always writes the bare name: its signature equals the 'post-uploads-bare-name' vector, not this one.",
  });
  const ordering = await withClock(now, () =>
    client.signatureUrlV4('GET', 60, { headers: {}, queries: { 'b': '1', 'B': '2', '+a': '3', '|a': '4' } }, 'a.txt', [])
  );
  knownDifferences.push({
    name: 'query-sorted-by-locale-compare',
    source: `ali-oss ${aliOssPkg.version}: signatureUrlV4`,
    method: 'GET', bucket: 'examplebucket', key: 'a.txt', region: 'cn-hangzhou',
    access_key_id: KEYS.id, access_key_secret: KEYS.secret, security_token: null,
    now, expires_in: 60, query: [['b', '1'], ['B', '2'], ['+a', '3'], ['|a', '4']], headers: [], additional_headers: [],
    expected: { url: ordering },
    note: 'the canonical query is sorted with localeCompare on the raw names, not by the encoded names in byte order as OSS, Go and Python do; names that differ in case or start with punctuation sort differently, and the signature differs.',
  });
  process.stdout.write(`${JSON.stringify({
    generator: 'tests/vectors/generator/presign_ali_oss.js',
    sdk: `ali-oss ${aliOssPkg.version}`,
    node: process.version,
    vectors,
    known_differences: knownDifferences,
  }, null, 1)}\n`);
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
