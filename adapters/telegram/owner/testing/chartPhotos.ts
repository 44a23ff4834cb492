import { expect } from "vitest";
import type { RecordedCall } from "../../testing/botApiStandIn.ts";
import { ownerToken, type OwnerChat, type OwnerHarness } from "./ownerHarness.ts";

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** What a chart photo is, read from its upload: its PNG header's size, its bytes and its caption. */
export interface SentChart {
  readonly width: number;
  readonly height: number;
  readonly size: number;
  readonly caption: string;
}

/** The owner bot's photo uploads so far. */
export const photosSent = (crm: OwnerHarness): RecordedCall[] => crm.standIn.calls.filter((call) => call.token === ownerToken && call.method === "sendPhoto");

/** The one photo a press of `button` sent: checked to be a PNG (signature, then IHDR first), with its width and height, its size and its caption. */
export async function chartFrom(crm: OwnerHarness, olga: OwnerChat, button: string): Promise<SentChart> {
  const before = photosSent(crm).length;
  await olga.press(button);
  const sent = photosSent(crm).slice(before);
  expect(sent).toHaveLength(1);
  const upload = sent[0]?.files[0];
  if (!upload) throw new Error("sendPhoto carried no file");
  expect(upload.field).toBe("photo");
  expect(upload.head.subarray(0, 8).equals(pngSignature)).toBe(true);
  expect(upload.head.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: upload.head.readUInt32BE(16), height: upload.head.readUInt32BE(20), size: upload.size, caption: String(sent[0]?.payload.caption ?? "") };
}

/** Owner 100 on 📊 CRM → 📊 Графики. */
export async function openCharts(crm: OwnerHarness): Promise<OwnerChat> {
  const olga = crm.ownerChat(100);
  await olga.command("crm");
  await olga.press("📊 Графики");
  return olga;
}
