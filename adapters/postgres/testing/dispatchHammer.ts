/**
 * A process that hammers customers of a PostgreSQL store, for the multi-process tests:
 * `node dispatchHammer.ts <url> <name> <customers> <events per customer>` adds one unit of product
 * p1 to each customer's cart per event, all customers at once, keys `<name>:<customer>:<n>`, and
 * exits 0 once every dispatch is durable (1, with one line on stderr, otherwise).
 */
import { createCustomerRuntime } from "../../../actors/customerRuntime.ts";
import { openPostgresStore } from "../pgStore.ts";

const [url = "", name = "p", customers = "10", perCustomer = "10"] = process.argv.slice(2);
try {
  const store = await openPostgresStore({ url });
  const runtime = createCustomerRuntime({ store });
  for (let n = 0; n < Number(perCustomer); n++) {
    const wave = [];
    for (let customer = 1; customer <= Number(customers); customer++) {
      wave.push(runtime.dispatch(customer, { type: "add_to_cart", productId: "p1", qty: 1, key: `${name}:${customer}:${n}` }));
    }
    await Promise.all(wave);
  }
  await runtime.close();
  await store.close();
} catch (error) {
  process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
