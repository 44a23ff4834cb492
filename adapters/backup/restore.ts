/** `npm run restore -- <file>`: see backupCli.ts for what it does on each store. */
import { backupMain } from "./backupMain.ts";

await backupMain("restore");
