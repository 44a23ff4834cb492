import { storeContract } from "../storeContract.ts";
import { openJsonStore } from "./jsonStore.ts";

storeContract("json", (dir) => openJsonStore({ dir, checkpointEvery: 5 }));
