// End-to-end tests of presigned PUT URLs in a real browser (headless Debian chromium driven by
// playwright-core), with the harness of harness.mjs: the page asks the server's
// /presign_put for a URL and PUTs the file with fetch, cross-origin, to the local bucket, which
// verifies the URL with the crate before reading the body.
//
//   cargo build -p upload-server
//   (cd tests/e2e && npm install --no-package-lock)
//   node --test tests/e2e/
//
// The server binary and the browser: see harness.mjs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { BUCKET, filesUnder, newPage, startServer, statusWhenDone, useBrowser } from "./harness.mjs";

useBrowser();

async function storedFiles(dataDir) {
  return (await filesUnder(dataDir)).filter((f) => !f.startsWith(".meta"));
}

/** Loads the page from "localhost" while the bucket is at 127.0.0.1: every PUT is cross-origin. */
async function openPage(server) {
  const { page, console } = await newPage();
  await page.goto(server.url.replace("127.0.0.1", "localhost") + "/");
  return { page, console };
}

/**
 * In the page: a presigned PUT URL from /presign_put for `fileName` and `contentType`, then a
 * fetch PUT of `bytes` with its headers, `overrides` replacing some. Resolves to the signed URL
 * and the answer's status, text and ETag.
 */
function presignAndPut(page, { fileName, contentType, bytes, overrides = {}, waitMs = 0 }) {
  return page.evaluate(
    async ({ fileName, contentType, bytes, overrides, waitMs }) => {
      const query = `FileName=${encodeURIComponent(fileName)}&Size=${bytes.length}&ContentType=${encodeURIComponent(contentType)}`;
      const signed = await (await fetch(`/presign_put?${query}`)).json();
      await new Promise((r) => setTimeout(r, waitMs));
      const body = new Uint8Array(bytes);
      const answer = await fetch(signed.url, { method: signed.method, headers: { ...signed.headers, ...overrides }, body });
      return { signed, status: answer.status, text: await answer.text(), etag: answer.headers.get("ETag") };
    },
    { fileName, contentType, bytes: [...bytes], overrides, waitMs },
  );
}

test("the page uploads with a presigned PUT URL and the bucket stores the exact bytes", { timeout: 60_000 }, async () => {
  const server = await startServer();
  const { page, console } = await openPage(server);
  const bytes = randomBytes(200 * 1024);
  await page.setInputFiles("#file", { name: "presigned photo.png", mimeType: "image/png", buffer: bytes });
  await page.check("#presigned");
  await page.click("button[type=submit]");
  const status = await statusWhenDone(page);
  assert.match(status, /success/, `status: ${status}\nconsole:\n${console.join("\n")}\nserver:\n${server.log()}`);

  const key = status.match(/Upload success: (\S+\/presigned photo\.png) \(HTTP 200, ETag "([0-9A-F]{32})"\)/);
  assert.ok(key, `status names the key and the ETag: ${status}`);
  assert.ok(key[1].startsWith("user-dir/"), key[1]);
  assert.equal(key[2], createHash("md5").update(bytes).digest("hex").toUpperCase());
  const stored = await readFile(path.join(server.dataDir, BUCKET, key[1]));
  assert.ok(stored.equals(bytes), "the stored object has the uploaded bytes");
  assert.deepEqual(await storedFiles(server.dataDir), [path.join(BUCKET, key[1])], "nothing else, nothing staged");
  const type = await readFile(path.join(server.dataDir, ".meta", BUCKET, key[1]), "utf8");
  assert.equal(type, "image/png", "stored with the signed Content-Type");
});

test("the same URL with another Content-Type is SignatureDoesNotMatch and stores nothing", { timeout: 60_000 }, async () => {
  const server = await startServer();
  const { page } = await openPage(server);
  const bytes = randomBytes(4096);
  const refused = await presignAndPut(page, {
    fileName: "note.txt",
    contentType: "text/plain",
    bytes,
    overrides: { "Content-Type": "image/png" },
  });
  assert.equal(refused.signed.headers["Content-Type"], "text/plain");
  assert.equal(refused.status, 403, refused.text);
  assert.match(refused.text, /<Code>SignatureDoesNotMatch<\/Code>/);
  assert.match(refused.text, /<StringToSign>OSS4-HMAC-SHA256/);
  assert.deepEqual(await storedFiles(server.dataDir), [], "nothing stored, nothing staged");

  // The headers it was signed with do work, through the same browser path.
  const accepted = await presignAndPut(page, { fileName: "note.txt", contentType: "text/plain", bytes });
  assert.equal(accepted.status, 200, accepted.text);
  const stored = await readFile(path.join(server.dataDir, BUCKET, accepted.signed.key));
  assert.ok(stored.equals(bytes));
});

test("an expired presigned URL is refused with AccessDenied and stores nothing", { timeout: 60_000 }, async () => {
  // URLs live one second; the page waits 2.5 s before using its URL.
  const server = await startServer(["--expires-in", "1"]);
  const { page } = await openPage(server);
  const refused = await presignAndPut(page, { fileName: "late.bin", contentType: "", bytes: randomBytes(1024), waitMs: 2500 });
  assert.equal(refused.status, 403, refused.text);
  assert.match(refused.text, /<Code>AccessDenied<\/Code>/);
  assert.match(refused.text, /Request has expired/);
  assert.deepEqual(await storedFiles(server.dataDir), [], "nothing stored, nothing staged");
});

test("a file over --max-size gets no presigned URL: the page says why and nothing is stored", { timeout: 60_000 }, async () => {
  const server = await startServer(["--max-size", "1024"]);
  const { page } = await openPage(server);
  await page.setInputFiles("#file", { name: "big.bin", mimeType: "application/octet-stream", buffer: randomBytes(2048) });
  await page.check("#presigned");
  await page.click("button[type=submit]");
  const status = await statusWhenDone(page);
  assert.match(status, /failed: could not get a presigned URL: InvalidParameter: Size "2048" must be .* 1 to 1024/, status);
  assert.deepEqual(await storedFiles(server.dataDir), [], "nothing stored, nothing staged");
});
