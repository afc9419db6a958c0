// End-to-end test of upload callbacks in a real browser (headless Debian chromium driven by
// playwright-core), with the same harness as upload.test.mjs: the example page asks the
// signature endpoint for a callback, the local bucket stores the file, calls the application's
// /callback (which verifies the signature with the crate) and relays its JSON to the page.
//
//   cargo build -p upload-server
//   (cd tests/e2e && npm install --no-package-lock)
//   node --test tests/e2e/
//
// UPLOAD_SERVER_BIN overrides the server binary (default: target/debug/upload_server,
// under CARGO_TARGET_DIR when set); CHROMIUM_PATH the browser (default /usr/bin/chromium).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");
const SERVER_BIN =
  process.env.UPLOAD_SERVER_BIN ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target"), "debug", "upload_server");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const BUCKET = "examplebucket";
// The flags this machine needs: no sandbox as root, and no background traffic to Google hosts,
// which the closed network refuses.
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

let context; // one browser, fresh user-data dir
let profileDir;
const cleanups = [];

before(async () => {
  assert.ok(existsSync(SERVER_BIN), `no server binary at ${SERVER_BIN}: run cargo build -p upload-server`);
  assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}: apt-get install chromium`);
  profileDir = await mkdtemp(path.join(tmpdir(), "e2e-chromium-"));
  context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
});

after(async () => {
  await context?.close();
  for (const cleanup of cleanups.reverse()) await cleanup();
  if (profileDir) await rm(profileDir, { recursive: true, force: true });
});

/** Starts the example on a free port with a fresh data folder; resolves once it answers. */
async function startServer(extraArgs = []) {
  const dataDir = await mkdtemp(path.join(tmpdir(), "e2e-upload-data-"));
  const env = { ...process.env };
  // The documented example pair: the local bucket verifies with the same credentials.
  for (const name of ["OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN"]) delete env[name];
  const child = spawn(SERVER_BIN, ["--listen", "127.0.0.1:0", "--data-dir", dataDir, ...extraArgs], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  cleanups.push(async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${stderr}`)), 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(url)).ok) break;
    } catch (e) {
      if (i > 100) throw e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, dataDir, log: () => stderr };
}

/** A page that records its console, for failure messages. */
async function newPage() {
  const page = await context.newPage();
  const console = [];
  page.on("console", (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => console.push(`pageerror: ${e.message}`));
  return { page, console };
}

async function statusWhenDone(page) {
  await page.waitForFunction(() => /success|failed/i.test(document.querySelector("#status").textContent), null, {
    timeout: 30_000,
  });
  return page.locator("#status").textContent();
}

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
