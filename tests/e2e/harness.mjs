// The harness the end-to-end tests share (`*.test.mjs` here): the example upload server
// (examples/upload-server) started on a free loopback port with a fresh data folder, and one
// headless Debian chromium driven by playwright-core.
//
// UPLOAD_SERVER_BIN overrides the server binary (default: target/debug/upload_server,
// under CARGO_TARGET_DIR when set); CHROMIUM_PATH the browser (default /usr/bin/chromium).

import { after, before } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, "..", "..");
export const SERVER_BIN =
  process.env.UPLOAD_SERVER_BIN ??
  path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target"), "debug", "upload_server");
export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const BUCKET = "examplebucket";
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

/** Registers the hooks of a test file: one headless browser for its tests, and the clean-up
 * of every server it started. Call once, at the top of the file. */
export function useBrowser() {
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
}

/** Starts the example on a free port with a fresh data folder; resolves once it answers. */
export async function startServer(extraArgs = []) {
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

/** Every file under `dir`, as paths relative to it. */
export async function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)));
}

/** A page that records its console, for failure messages. */
export async function newPage() {
  const page = await context.newPage();
  const console = [];
  page.on("console", (m) => console.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => console.push(`pageerror: ${e.message}`));
  return { page, console };
}

export async function statusWhenDone(page) {
  await page.waitForFunction(() => /success|failed/i.test(document.querySelector("#status").textContent), null, {
    timeout: 30_000,
  });
  return page.locator("#status").textContent();
}

