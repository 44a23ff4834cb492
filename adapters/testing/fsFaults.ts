/**
 * A file-layer fault for `npm start` children, loaded with `node --import <this file>`: every
 * `mkdirSync` under SHOP_CRM_TEST_FAULT_UNDER fails with the errno code in SHOP_CRM_TEST_MKDIR_FAULT
 * (e.g. EROFS), as the kernel's would. It stands in for a read-only mount on machines where a test
 * cannot make one (not root); the product recognises the error by its code either way.
 */
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";

/** The `nodeArgs` of `startMain` that load this fault. */
export const fsFaultArgs = ["--import", new URL(import.meta.url).pathname] as const;

const code = process.env["SHOP_CRM_TEST_MKDIR_FAULT"];
const under = process.env["SHOP_CRM_TEST_FAULT_UNDER"];
if (code && under) {
  const mkdirSync = fs.mkdirSync;
  const faulty = (path: fs.PathLike, options?: fs.MakeDirectoryOptions | fs.Mode | null) => {
    if (String(path).startsWith(under)) {
      throw Object.assign(new Error(`${code}: injected fault, mkdir '${String(path)}'`), { code, syscall: "mkdir", path: String(path) });
    }
    return mkdirSync(path, options);
  };
  fs.mkdirSync = faulty as typeof fs.mkdirSync;
  // ES module imports of node:fs see the change too.
  syncBuiltinESMExports();
}
