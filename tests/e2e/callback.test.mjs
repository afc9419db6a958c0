// End-to-end test of upload callbacks in a real browser (headless Debian chromium driven by
// playwright-core), with the harness of harness.mjs: the example page asks the
// signature endpoint for a callback, the local bucket stores the file, calls the application's
// /callback (which verifies the signature with the crate) and relays its JSON to the page.
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
import { BUCKET, newPage, startServer, statusWhenDone, useBrowser } from "./harness.mjs";

useBrowser();

test("the page asks for a callback and shows the application's answer relayed by the local bucket", { timeout: 60_000 }, async () => {
  const server = await startServer();
  const { page, console } = await newPage();
  // Page on "localhost", bucket on 127.0.0.1: the upload, and its relayed answer, are cross-origin.
  const pageUrl = server.url.replace("127.0.0.1", "localhost");
  const requests = [];
  page.on("request", (r) => requests.push(`${r.method()} ${r.url()}`));
  const bucketAnswers = [];
  page.on("response", async (r) => {
    if (r.request().method() === "POST" && r.url() === `${server.url}/oss/${BUCKET}`) {
      bucketAnswers.push({ status: r.status(), type: r.headers()["content-type"], body: await r.text() });
    }
  });
  await page.goto(pageUrl + "/");

  const name = "callback-e2e.txt";
  const bytes = Buffer.from(`asked for a callback ${randomBytes(8).toString("hex")}\n`);
  await page.setInputFiles("#file", { name, mimeType: "text/plain", buffer: bytes });
  await page.check("#callback");
  await page.click("button[type=submit]");
  const status = await statusWhenDone(page);
  const context = `status: ${status}\nconsole:\n${console.join("\n")}\nserver:\n${server.log()}`;

  assert.match(status, /^Upload success: user-dir\/callback-e2e\.txt \(HTTP 200\); the application answered: /, context);
  const answer = JSON.parse(status.slice(status.indexOf("answered: ") + "answered: ".length));
  assert.equal(answer.status, "ok", context);
  assert.equal(answer.bucket, BUCKET);
  assert.equal(answer.object, `user-dir/${name}`);
  assert.equal(answer.size, bytes.length);
  assert.equal(answer.etag, createHash("md5").update(bytes).digest("hex").toUpperCase());
  assert.equal(answer.mimeType, "text/plain");
  assert.equal(answer["x:filename"], name);
  // The answer came from the bucket's POST (the bucket called /callback), not from the page.
  assert.equal(bucketAnswers.length, 1, requests.join("\n"));
  assert.equal(bucketAnswers[0].status, 200);
  assert.match(bucketAnswers[0].type, /application\/json/);
  assert.deepEqual(JSON.parse(bucketAnswers[0].body), answer);
  assert.ok(!requests.some((r) => r.includes("/callback")), `the page itself called /callback:\n${requests.join("\n")}`);
  assert.ok(requests.includes(`GET ${pageUrl}/get_post_signature_for_oss_upload?callback=1`), requests.join("\n"));
  const stored = await readFile(path.join(server.dataDir, BUCKET, "user-dir", name));
  assert.ok(stored.equals(bytes), "the object is stored as sent");
  await page.close();
});

test("without the checkbox there is no callback: the usual 201 answer", { timeout: 60_000 }, async () => {
  const server = await startServer();
  const { page, console } = await newPage();
  await page.goto(server.url.replace("127.0.0.1", "localhost") + "/");
  await page.setInputFiles("#file", { name: "plain.txt", mimeType: "text/plain", buffer: Buffer.from("plain") });
  await page.click("button[type=submit]");
  const status = await statusWhenDone(page);
  assert.equal(status, "Upload success: user-dir/plain.txt (HTTP 201)", `console:\n${console.join("\n")}`);
  await page.close();
});
