// Shared by generate.js and generate_temp.js: the pinned ali-oss modules, the deterministic
// STS token, x-oss-date, client construction, and independent HMAC re-implementations used
// only to cross-check ali-oss.
'use strict';

const assert = require('assert');
const crypto = require('crypto');
const path = require('path');

const EXPECTED_ALI_OSS_VERSION = '6.23.0';

const OSS = require('ali-oss');
const aliOssPkg = require('ali-oss/package.json');
const { policy2Str } = require('ali-oss/lib/common/utils/policy2Str');
const { getStandardRegion } = require('ali-oss/lib/common/utils/getStandardRegion');
const signUtils = require('ali-oss/lib/common/signUtils');

// Same `dateformat` instance ali-oss's signPostObjectPolicyV4 uses internally.
const aliOssDir = path.dirname(require.resolve('ali-oss/package.json'));
const dateformat = require(require.resolve('dateformat', { paths: [aliOssDir] }));
const dateformatVersion = require(require.resolve('dateformat/package.json', { paths: [aliOssDir] })).version;

assert.strictEqual(aliOssPkg.version, EXPECTED_ALI_OSS_VERSION,
  `expected ali-oss ${EXPECTED_ALI_OSS_VERSION}, found ${aliOssPkg.version}`);

// A realistic-looking (~600 chars, base64 alphabet incl. '+' and '/') STS token,
// derived deterministically from SHA-256.
function makeStsToken(len) {
  let s = 'CAIS';
  for (let i = 0; s.length < len; i++) {
    s += crypto.createHash('sha256').update(`oss-post-policy sts token block ${i}`).digest('base64').replace(/=+$/, '');
  }
  return s.slice(0, len);
}
const STS_TOKEN = makeStsToken(600);

// x-oss-date computed two ways: from the ISO string, and with the exact mask
// signPostObjectPolicyV4 uses.
function xOssDate(d) {
  const manual = d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const viaDateformat = dateformat(d, "UTC:yyyymmdd'T'HHMMss'Z'");
  assert.strictEqual(viaDateformat, manual, 'dateformat UTC mask disagrees with toISOString');
  return manual;
}

// A client for key set `k` with extra options; checks it kept the credentials as given.
function makeClient(k, opts) {
  const all = { accessKeyId: k.id, accessKeySecret: k.secret, ...opts };
  if (k.token !== null) all.stsToken = k.token;
  // initOptions console.warn()s when stsToken is given without refreshSTSToken;
  // silence it (it has no effect on signing).
  const warn = console.warn;
  console.warn = () => {};
  try {
    const client = new OSS(all);
    assert.strictEqual(client.options.accessKeyId, k.id, 'client changed the access key id (trim?)');
    assert.strictEqual(client.options.accessKeySecret, k.secret, 'client changed the secret (trim?)');
    return client;
  } finally {
    console.warn = warn;
  }
}

// Independent re-implementations with plain node crypto (keys = UTF-8 bytes),
// used only as a cross-check of ali-oss.
function independentV4(secret, ymd, region, stringToSign) {
  const h = (key, data) => crypto.createHmac('sha256', key).update(Buffer.from(data, 'utf8')).digest();
  let k = h(Buffer.from(`aliyun_v4${secret}`, 'utf8'), ymd);
  k = h(k, region);
  k = h(k, 'oss');
  k = h(k, 'aliyun_v4_request');
  return crypto.createHmac('sha256', k).update(Buffer.from(stringToSign, 'utf8')).digest('hex');
}
function independentV1(secret, stringToSign) {
  return crypto.createHmac('sha1', Buffer.from(secret, 'utf8')).update(Buffer.from(stringToSign, 'utf8')).digest('base64');
}

module.exports = {
  EXPECTED_ALI_OSS_VERSION, OSS, aliOssPkg, policy2Str, getStandardRegion, signUtils, dateformat,
  dateformatVersion, STS_TOKEN, xOssDate, makeClient, independentV4, independentV1,
};
