import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../testing/npmStart.ts";
import { startLoadBalancer, type LoadBalancer } from "./loadBalancer.ts";

let servers: Server[] = [];
let balancer: LoadBalancer | undefined;
afterEach(async () => {
  await balancer?.close();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  servers = [];
  balancer = undefined;
});

/** A backend that answers each POST with its name and the body it read, or that drops the connection when the body says so. */
async function backend(name: string): Promise<number> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString();
      if (body === "die") return req.socket.destroy();
      res.writeHead(200, { "x-backend": name }).end(`${name}:${req.url}:${body}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  const address = server.address();
  return typeof address === "object" && address ? address.port : 0;
}

const post = async (body: string): Promise<{ status: number; text: string }> => {
  const response = await fetch(`${balancer?.url}/shop`, { method: "POST", body });
  return { status: response.status, text: await response.text() };
};

describe("the three-process test's load balancer", () => {
  it("forwards each POST, path and body, to the next backend in turn", async () => {
    const ports = [await backend("a"), await backend("b"), await backend("c")];
    balancer = await startLoadBalancer(ports);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post(`u${i}`));
    expect(answers).toEqual([
      { status: 200, text: "a:/shop:u0" },
      { status: 200, text: "b:/shop:u1" },
      { status: 200, text: "c:/shop:u2" },
      { status: 200, text: "a:/shop:u3" },
    ]);
    expect(balancer.answers.map((answer) => [answer.port, answer.status])).toEqual([...ports, ports[0]].map((port) => [port, 200]));
  });

  it("sends a request a dead backend refused to the next one, and answers 502 when none listens", async () => {
    // The live backend first: a port taken free before it could be the very one it is given next.
    const alive = await backend("b");
    const dead = await freePort();
    balancer = await startLoadBalancer([dead, alive]);
    expect(await post("x")).toEqual({ status: 200, text: "b:/shop:x" });
    expect(await post("y")).toEqual({ status: 200, text: "b:/shop:y" });
    await balancer.close();
    balancer = await startLoadBalancer([dead, await freePort()]);
    expect(await post("z")).toEqual({ status: 502, text: "" });
    expect(balancer.answers).toEqual([expect.objectContaining({ port: 0, status: 502 })]);
  });

  it("answers 502, without trying another backend, when a backend's connection fails after the request was sent", async () => {
    const ports = [await backend("a"), await backend("b")];
    balancer = await startLoadBalancer(ports);
    expect(await post("die")).toEqual({ status: 502, text: "" });
    expect(balancer.answers).toEqual([expect.objectContaining({ port: ports[0], status: 502 })]);
    expect(await post("after")).toEqual({ status: 200, text: "b:/shop:after" });
  });
});
