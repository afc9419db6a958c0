// End-to-end tests of the example upload server (examples/upload-server) in a real browser:
// headless Debian chromium driven by playwright-core. Each test starts the built server on a
// free loopback port with a fresh data folder, uploads through a page, and checks what landed
// on disk.
//
//   cargo build -p upload-server
//   (cd tests/e2e && npm install --no-package-lock)
//   node --test tests/e2e/
//
// The server binary and the browser: see harness.mjs.

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { BUCKET, HERE, filesUnder, newPage, startServer, statusWhenDone, useBrowser } from "./harness.mjs";

const GUIDE_PAGE = path.join(HERE, "guide_page.html");

useBrowser();

test("uploads a file through the example page and stores its bytes", { timeout: 60_000 }, async () => {
  const server = await startServer();
  const { page, console } = await newPage();
  // Load the page from "localhost" while the bucket is at 127.0.0.1: a cross-origin upload,
  // which only works with the bucket's CORS answers (the XHR progress listener forces a preflight).
  const pageUrl = server.url.replace("127.0.0.1", "localhost");
  await page.goto(pageUrl + "/");
  const sig = await page.evaluate(async () => (await fetch("/get_post_signature_for_oss_upload")).json());
  assert.notEqual(new URL(sig.host).origin, new URL(pageUrl).origin, "the upload must be cross-origin");
  assert.equal(sig.host, `${server.url}/oss/${BUCKET}`);

  const name = "photo-e2e.bin";
  const bytes = randomBytes(300 * 1024);
  await page.setInputFiles("#file", { name, mimeType: "application/octet-stream", buffer: bytes });
  await page.click("button[type=submit]");
  const status = await statusWhenDone(page);

  assert.match(status, /success/, `status: ${status}\nconsole:\n${console.join("\n")}\nserver:\n${server.log()}`);
  assert.match(status, new RegExp(`user-dir/${name}`));
  assert.equal(await page.locator("#progress").evaluate((p) => p.value), 100);
  const stored = await readFile(path.join(server.dataDir, BUCKET, "user-dir", name));
  assert.ok(stored.equals(bytes), `stored ${stored.length} bytes differ from the ${bytes.length} sent`);
  assert.deepEqual(await filesUnder(path.join(server.dataDir, ".incoming")), [], "no staging file left");
  await page.close();
});

test("a file over the policy's size limit is refused with EntityTooLarge and not stored", { timeout: 60_000 }, async () => {
  const server = await startServer(["--max-size", "1024"]);
  const { page, console } = await newPage();
  await page.goto(server.url + "/");
  await page.setInputFiles("#file", { name: "too-big.bin", mimeType: "application/octet-stream", buffer: randomBytes(2048) });
  await page.click("button[type=submit]");
  const status = await statusWhenDone(page);

  assert.match(status, /failed/, `status: ${status}\nconsole:\n${console.join("\n")}`);
  assert.match(status, /EntityTooLarge/, `status: ${status}\nserver:\n${server.log()}`);
  assert.deepEqual(await filesUnder(path.join(server.dataDir, BUCKET)), [], "nothing stored in the bucket");
  assert.deepEqual(await filesUnder(path.join(server.dataDir, ".incoming")), [], "no staging file left");
  await page.close();
});

test("the direct-upload guide's own page, unchanged, uploads to the local bucket", { timeout: 60_000 }, async () => {
  const server = await startServer(["--guide-page", GUIDE_PAGE]);
  const { page, console } = await newPage();
  const alerts = [];
  const alerted = new Promise((resolve) =>
    page.on("dialog", async (dialog) => {
      alerts.push(dialog.message());
      await dialog.accept();
      resolve();
    }),
  );
  // The guide's page posts to `host` with fetch and no CORS mode tweaks: cross-origin again.
  await page.goto(server.url.replace("127.0.0.1", "localhost") + "/guide");
  assert.equal(await page.title(), "Generate a signature on the server to upload a file to OSS");

  const name = "guide-page-upload.txt";
  const bytes = Buffer.from(`uploaded by the guide's page ${randomBytes(8).toString("hex")}\n`);
  await page.setInputFiles("#file", { name, mimeType: "text/plain", buffer: bytes });
  await page.click("button[type=submit]");
  let timer;
  await Promise.race([
    alerted,
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no alert\nconsole:\n${console.join("\n")}\nserver:\n${server.log()}`)),
        30_000,
      );
    }),
  ]).finally(() => clearTimeout(timer));

  assert.deepEqual(alerts, ["The file was uploaded successfully."], `console:\n${console.join("\n")}\nserver:\n${server.log()}`);
  const stored = await readFile(path.join(server.dataDir, BUCKET, "user-dir", name));
  assert.ok(stored.equals(bytes), "stored bytes differ from the file");
  await page.close();
});

for (const [version, args] of [["V4", []], ["V1", ["--temp-upload-v1"]]]) {
  test(`a temporary upload URL (CreateTempFileUploadUrl shape, ${version}) stores the file under its temp/ key`, { timeout: 60_000 }, async () => {
    const server = await startServer(args);
    const { page, console } = await newPage();
    await page.goto(server.url.replace("127.0.0.1", "localhost") + "/");
    const answer = await page.evaluate(async () => (await fetch("/temp_file_upload_url?FileName=probe.txt")).json());
    assert.equal(answer.OssSignatureVersion, version === "V4" ? "OSS4-HMAC-SHA256" : undefined, JSON.stringify(answer));
    const name = "temp upload ü.txt";
    const bytes = randomBytes(10 * 1024);
    await page.setInputFiles("#file", { name, mimeType: "text/plain", buffer: bytes });
    await page.check("#temp");
    await page.click("button[type=submit]");
    const status = await statusWhenDone(page);

    assert.match(status, /success/, `status: ${status}\nconsole:\n${console.join("\n")}\nserver:\n${server.log()}`);
    const key = status.match(/Upload success: (.+) \(HTTP 201\)/)?.[1];
    assert.match(key ?? "", /^temp\/1440155109798732\/upload\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\//);
    assert.ok(key.endsWith("/" + name), key);
    const stored = await readFile(path.join(server.dataDir, BUCKET, ...key.split("/")));
    assert.ok(stored.equals(bytes), "stored bytes differ from the file");
    assert.deepEqual(await filesUnder(path.join(server.dataDir, BUCKET)), [key.split("/").join(path.sep)]);
    await page.close();
  });
}
