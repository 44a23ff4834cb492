import type { SnapshotFrom } from "xstate";
import type { customerFunnelMachine } from "../machines/customerFunnel.machine.ts";

export type CustomerSnapshot = SnapshotFrom<typeof customerFunnelMachine>;
