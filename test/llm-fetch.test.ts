// The fetch the model is called through behaves like fetch where the openai SDK relies on it:
// status, headers and body, redirects, empty bodies and aborts; checked against a real local server.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { llmFetch } from "../server/llm-fetch.ts";

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.url === "/moved") return res.writeHead(307, { location: "/echo" }).end();
    if (req.url === "/empty") return res.writeHead(204).end();
    if (req.url === "/slow") return void setTimeout(() => res.end("late"), 5000).unref();
    res.writeHead(201, { "content-type": "application/json", "x-request-id": "req_1" });
    res.end(JSON.stringify({ method: req.method, auth: req.headers.authorization, body: Buffer.concat(chunks).toString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));

describe("the model's fetch", () => {
  it("sends the method, headers and body, and gives back status, headers and JSON", async () => {
    const response = await llmFetch(`${base}/echo`, { method: "POST", headers: new Headers({ authorization: "Bearer sk-test" }), body: '{"model":"m"}' });
    expect(response.status).toBe(201);
    expect(response.headers.get("x-request-id")).toBe("req_1");
    expect(await response.json()).toEqual({ method: "POST", auth: "Bearer sk-test", body: '{"model":"m"}' });
  });

  it("follows a redirect, answers an empty 204, and stops when its signal aborts", async () => {
    expect(await (await llmFetch(`${base}/moved`, { method: "POST", body: "x" })).json()).toMatchObject({ body: "x" });
    const empty = await llmFetch(`${base}/empty`);
    expect([empty.status, await empty.text()]).toEqual([204, ""]);
    const started = Date.now();
    await expect(llmFetch(`${base}/slow`, { signal: AbortSignal.timeout(200) })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
