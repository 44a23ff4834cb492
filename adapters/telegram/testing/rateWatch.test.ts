import { describe, expect, it } from "vitest";
import { createRateWatch } from "./rateWatch.ts";

const send = (at: number, chat: number, method = "sendMessage") => ({ token: "1:a", method, payload: { chat_id: chat }, at });

describe("the stand-in's rate watch", () => {
  it("counts a send that made more than 30 in one second, and none at 30", () => {
    const watch = createRateWatch();
    for (let i = 0; i < 30; i++) watch.record(send(i * 33, i + 1));
    expect(watch.violations()).toEqual({ sends: 30, overall: 0, perChat: 0 });
    watch.record(send(990, 100));
    expect(watch.violations().overall).toBe(1);
    watch.record(send(2_000, 101));
    expect(watch.violations().overall).toBe(1);
  });

  it("counts a second message to one chat within a second, and not one a second later; edits and other methods are not sends", () => {
    const watch = createRateWatch();
    watch.record(send(0, 5));
    watch.record(send(999, 5, "sendPhoto"));
    watch.record(send(1_999, 5));
    watch.record(send(2_100, 5, "editMessageText"));
    watch.record(send(2_200, 5, "answerCallbackQuery"));
    expect(watch.violations()).toEqual({ sends: 3, overall: 0, perChat: 1 });
  });
});
