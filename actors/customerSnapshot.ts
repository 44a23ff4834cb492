import type { SnapshotFrom } from "xstate";
import type { customerMachine } from "../machines/customer.machine.ts";

export type CustomerSnapshot = SnapshotFrom<typeof customerMachine>;
