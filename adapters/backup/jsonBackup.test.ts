import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCustomerRuntime } from "../../actors/customerRuntime.ts";
import type { CrmStore } from "../../actors/store.port.ts";
import { openJsonStore } from "../json/jsonStore.ts";
import type { Exited } from "../testing/npmStart.ts";
import { runCommand } from "./testing/backupCommands.ts";

const userIds = [11, 12, 13, 14];

async function fill(dir: string): Promise<void> {
  const store = await openJsonStore({ dir });
  const runtime = createCustomerRuntime({ store });
  for (const userId of userIds) {
    await runtime.dispatch(userId, { type: "start", source: "json-backup", key: `start:${userId}` });
    await runtime.dispatch(userId, { type: "catalog_view", key: `view:${userId}` });
  }
  await runtime.close();
  await store.close();
}

async function logsOf(dir: string): Promise<string[][]> {
  const store = await openJsonStore({ dir });
  try {
    return userIds.map((userId) => store.loadEvents(userId).map((event) => `${event.seq} ${event.type} ${event.key}`));
  } finally {
    await store.close();
  }
}

function expectOneLine(exited: Exited, line: string): void {
  expect(exited.stdout).toBe("");
  expect(exited.stderr).toBe(`${line}\n`);
  expect(exited.code).toBe(1);
}

describe("npm run backup and npm run restore on the JSON store", () => {
  const dirs: string[] = [];
  const open: CrmStore[] = [];
  afterEach(async () => {
    for (const store of open.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it("refuses while npm start holds the store: it lives in that process's memory", async () => {
    const root = mkdtempSync(join(tmpdir(), "crm-json-backup-"));
    dirs.push(root);
    const dir = join(root, "json");
    await fill(dir);
    const backupDir = join(root, "backup");
    expect((await runCommand("backup", [backupDir], { STORE: "json", JSON_STORE_DIR: dir }, root)).code).toBe(0);
    open.push(await openJsonStore({ dir }));
    const inUse = `JSON_STORE_DIR: ${dir} is in use by a running Shop CRM (it holds ${join(dir, "LOCK")}); the JSON store lives in that process's memory and is copied only while it is stopped: stop npm start, then run this again (a SQLite store backs up while it serves)`;
    expectOneLine(await runCommand("backup", [join(root, "second")], { STORE: "json", JSON_STORE_DIR: dir }, root), `Shop CRM cannot back up: ${inUse}`);
    expect(existsSync(join(root, "second"))).toBe(false);
    expectOneLine(await runCommand("restore", [backupDir], { STORE: "json", JSON_STORE_DIR: dir }, root), `Shop CRM cannot restore: ${inUse}`);
  });

  it("copies a stopped store to a folder, restores it whole, and keeps the store it replaces", async () => {
    const root = mkdtempSync(join(tmpdir(), "crm-json-backup-"));
    dirs.push(root);
    const dir = join(root, "json");
    await fill(dir);
    const expected = await logsOf(dir);
    const env = { STORE: "json", JSON_STORE_DIR: dir };
    const backupDir = join(root, "backup");
    const backedUp = await runCommand("backup", [backupDir], env, root);
    expect(backedUp.stderr).toBe("");
    expect(backedUp.stdout).toMatch(new RegExp(`^backed up the JSON store ${dir} to the folder ${backupDir}: ${userIds.length} customers in \\d+ files\\n$`));
    expect(readdirSync(backupDir)).not.toContain("LOCK");
    expectOneLine(await runCommand("backup", [backupDir], env, root), `Shop CRM cannot back up: the backup folder: ${backupDir} already exists; choose another name, or add --force to replace it`);

    const fresh = join(root, "fresh", "json");
    const into = await runCommand("restore", [backupDir], { STORE: "json", JSON_STORE_DIR: fresh }, root);
    expect(into.stdout).toMatch(/; there was no store before\n$/);
    expect(await logsOf(fresh)).toEqual(expected);

    const over = await runCommand("restore", [backupDir], { STORE: "json", JSON_STORE_DIR: fresh }, root);
    expect(over.code, over.stderr).toBe(0);
    const keptAs = /the previous store is kept as (\S+)\n$/.exec(over.stdout)?.[1] ?? "";
    expect(keptAs).toMatch(/json\.before-restore-/);
    expect(await logsOf(keptAs)).toEqual(expected);
    expect(await logsOf(fresh)).toEqual(expected);

    const empty = join(root, "empty");
    mkdirSync(empty);
    expectOneLine(
      await runCommand("restore", [empty], env, root),
      `Shop CRM cannot restore: the backup folder ${empty} is not a Shop CRM JSON store (it has none of events.jsonl, actors.jsonl, leads.json)`,
    );
    const gone = join(root, "gone");
    expectOneLine(await runCommand("backup", [join(root, "b2")], { STORE: "json", JSON_STORE_DIR: gone }, root), `Shop CRM cannot back up: JSON_STORE_DIR: ${gone} does not exist; there is nothing to back up`);
    expectOneLine(await runCommand("restore", [join(root, "nothing")], env, root), `Shop CRM cannot restore: the backup folder ${join(root, "nothing")} does not exist or is not a folder`);
  });
});
