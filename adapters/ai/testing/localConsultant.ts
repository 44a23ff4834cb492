import { AiUnavailable, type AiPort, type ConsultInput } from "../../../actors/ai.port.ts";

export type LocalConsultantMode = "answer" | "fail" | "hang";

/**
 * An AI port that runs in the test process: it answers from the catalog text it is given, so
 * tests can check that the catalog reached it, and it can fail or hang on demand. The OpenAI
 * adapter is tested against a chat-completions stand-in over HTTP; this one stands in for the port.
 */
export function localConsultant(initial: LocalConsultantMode = "answer") {
  let mode = initial;
  const questions: ConsultInput[] = [];
  const port: AiPort = {
    consult(input, signal) {
      questions.push(input);
      if (mode === "fail") return Promise.reject(new AiUnavailable("unavailable", "the local consultant is set to fail"));
      if (mode === "answer") {
        const firstLine = input.catalog.split("\n").find((line) => line.trim().length > 0) ?? "";
        return Promise.resolve(`${input.language === "en" ? "From our catalog" : "Из нашего каталога"}: ${firstLine}`);
      }
      return new Promise<string>((_resolve, reject) => {
        const abort = () => reject(new AiUnavailable("timeout", "the local consultant did not answer in time"));
        if (signal.aborted) abort();
        else signal.addEventListener("abort", abort, { once: true });
      });
    },
  };
  return {
    port,
    /** Every question asked, with the catalog and language it came with. */
    questions,
    setMode(next: LocalConsultantMode): void {
      mode = next;
    },
  };
}
