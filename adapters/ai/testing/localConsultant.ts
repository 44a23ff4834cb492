import { AiUnavailable, type AiPort, type ConsultInput, type SummaryInput } from "../../../actors/ai.port.ts";

export type LocalConsultantMode = "answer" | "fail" | "hang";

/**
 * An AI port that runs in the test process: it answers from the catalog text it is given, so
 * tests can check that the catalog reached it, and it can fail or hang on demand. The OpenAI
 * adapter is tested against a chat-completions stand-in over HTTP; this one stands in for the port.
 */
export function localConsultant(initial: LocalConsultantMode = "answer") {
  let mode = initial;
  const questions: ConsultInput[] = [];
  const summaries: SummaryInput[] = [];

  function respond(signal: AbortSignal, answer: () => string): Promise<string> {
    if (mode === "fail") return Promise.reject(new AiUnavailable("unavailable", "the local AI is set to fail"));
    if (mode === "answer") return Promise.resolve(answer());
    return new Promise<string>((_resolve, reject) => {
      const abort = () => reject(new AiUnavailable("timeout", "the local AI did not answer in time"));
      if (signal.aborted) abort();
      else signal.addEventListener("abort", abort, { once: true });
    });
  }

  const port: AiPort = {
    consult(input, signal) {
      questions.push(input);
      return respond(signal, () => {
        const firstLine = input.catalog.split("\n").find((line) => line.trim().length > 0) ?? "";
        return `${input.language === "en" ? "From our catalog" : "Из нашего каталога"}: ${firstLine}`;
      });
    },
    summarize(input, signal) {
      summaries.push(input);
      return respond(signal, () =>
        input.language === "en"
          ? `Summary: ${input.stage}, ${input.ordersCount} orders, ${input.lifetimeValue} ${input.currency}; ${input.chat.length} messages; notes: ${input.notes.join("; ") || "none"}.`
          : `Сводка: этап ${input.stage}, заказов ${input.ordersCount}, сумма ${input.lifetimeValue} ${input.currency}; сообщений ${input.chat.length}; заметки: ${input.notes.join("; ") || "нет"}.`,
      );
    },
  };
  return {
    port,
    /** Every question asked, with the catalog and language it came with. */
    questions,
    /** Every client summary asked for, with what it was given. */
    summaries,
    setMode(next: LocalConsultantMode): void {
      mode = next;
    },
  };
}
