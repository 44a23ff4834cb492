import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readServiceAccount, ServiceAccountInvalid } from "./sheetsClient.ts";

const key = { type: "service_account", client_email: "crm@project.iam.gserviceaccount.com", private_key: "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n" };

describe("the service account key", () => {
  it("is read inline or from the key file's path", () => {
    const dir = mkdtempSync(join(tmpdir(), "sa-"));
    try {
      const path = join(dir, "key.json");
      writeFileSync(path, JSON.stringify(key));
      expect(readServiceAccount(JSON.stringify(key))).toEqual({ client_email: key.client_email, private_key: key.private_key });
      expect(readServiceAccount(` ${path} `)).toEqual({ client_email: key.client_email, private_key: key.private_key });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("explains what is wrong without repeating the key", () => {
    expect(() => readServiceAccount("/no/such/key.json")).toThrow(new ServiceAccountInvalid("GOOGLE_SERVICE_ACCOUNT: cannot read the key file /no/such/key.json"));
    expect(() => readServiceAccount("{not json, BEGIN PRIVATE KEY")).toThrow(/^GOOGLE_SERVICE_ACCOUNT is not valid JSON/);
    let message = "";
    try {
      readServiceAccount(JSON.stringify({ private_key: key.private_key }));
    } catch (error) {
      message = error instanceof Error ? error.message : "";
    }
    expect(message).toContain("has no client_email and private_key");
    expect(message).not.toContain("BEGIN PRIVATE KEY");
  });
});
