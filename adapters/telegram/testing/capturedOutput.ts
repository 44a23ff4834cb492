import { vi } from "vitest";

/**
 * Everything written to the console or to the process's stdout and stderr while it is installed:
 * unstructured output (grammY's "No error handler was set!", the runner's "::: ERROR ERROR ERROR :::")
 * that a test asserts never happens. The JSON logger of the bots under test writes elsewhere.
 */
export function captureOutput(): { readonly lines: () => string[]; readonly restore: () => void } {
  const lines: string[] = [];
  const record = (...args: unknown[]): void => {
    lines.push(args.map((arg) => (arg instanceof Error ? `${arg.name}: ${arg.message}` : String(arg))).join(" "));
  };
  const spies = [
    vi.spyOn(console, "error").mockImplementation(record),
    vi.spyOn(console, "warn").mockImplementation(record),
    vi.spyOn(console, "log").mockImplementation(record),
    vi.spyOn(console, "info").mockImplementation(record),
    vi.spyOn(console, "debug").mockImplementation(record),
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      record(String(chunk));
      return true;
    }),
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      record(String(chunk));
      return true;
    }),
  ];
  return { lines: () => [...lines], restore: () => spies.forEach((spy) => spy.mockRestore()) };
}
