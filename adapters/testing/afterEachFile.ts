/**
 * vitest's setup file: after each test file, no `npm start` child it started is left running,
 * even when a test failed before it could stop its own.
 */
import { afterAll } from "vitest";
import { killLeftovers } from "./npmStart.ts";

afterAll(() => {
  killLeftovers();
});
