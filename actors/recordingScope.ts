import { createEmptyActor } from "xstate";

/** An action as XState hands it to an actor scope's `actionExecutor`: its name and resolved params. */
export interface Executable {
  readonly type: string;
  readonly params: unknown;
}

/**
 * One actor scope to step a machine with, whose `actionExecutor` records the actions a step names
 * instead of running them; `take()` hands over what the last steps recorded. Shared by every
 * step of a machine: XState's exported `transition()` builds an actor per call (~25 µs), a shared
 * scope costs nothing. The customer runtime (actors/durableStep.ts) and the owner's flow runner
 * (adapters/telegram/flowState.ts) both step this way, and decide what each recorded action becomes.
 */
export function createRecordingScope() {
  const self = createEmptyActor();
  let recorded: Executable[] = [];
  const scope = {
    self,
    id: "",
    sessionId: "",
    system: self.system,
    logger: () => {},
    defer: () => {},
    emit: () => {},
    stopChild: () => {},
    actionExecutor: (action: Executable) => {
      recorded.push(action);
    },
  };
  return {
    scope,
    self,
    /** What was recorded since the last `take`, and a fresh start. */
    take(): Executable[] {
      const taken = recorded;
      recorded = [];
      return taken;
    },
  };
}
