import { describe, expect, it } from "vitest";
import { unstructuredLines } from "./threeProcessHarness.ts";

describe("the three-process test's check of what the processes printed", () => {
  it("passes JSON lines on stdout and the bots' links on stderr, and names a stack, a bare line or a JSON scalar with its process", () => {
    const clean = { label: "port 1, start 1", stdout: '{"time":"t","level":"info","event":"started"}\n', stderr: "Shop bot: https://t.me/shop_bot\nOwner bot: https://t.me/crm_bot\n" };
    expect(unstructuredLines([clean])).toEqual([]);
    const dirty = { label: "port 2, start 3", stdout: '{"event":"ok"}\nError in middleware\n42\n', stderr: "Shop bot: https://t.me/shop_bot\n    at handle (file.ts:1:1)\n" };
    expect(unstructuredLines([clean, dirty])).toEqual(["port 2, start 3 stdout: Error in middleware", "port 2, start 3 stdout: 42", "port 2, start 3 stderr:     at handle (file.ts:1:1)"]);
  });
});
