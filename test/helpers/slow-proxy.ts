// A real HTTP proxy in front of a real server that can be made slow: every request waits
// `delayMs` before it is forwarded. For faults where a dependency answers, but too late.
import { createServer, request, type IncomingMessage, type ServerResponse } from "node:http";

export interface SlowProxy {
  url: string;
  delayMs: number;
  close(): Promise<void>;
}

export async function startSlowProxy(target: string): Promise<SlowProxy> {
  const upstream = new URL(target);
  const forward = (incoming: IncomingMessage, outgoing: ServerResponse) => {
    const proxied = request({ hostname: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers }, (response) => {
      outgoing.writeHead(response.statusCode ?? 502, response.headers);
      response.pipe(outgoing);
    });
    proxied.on("error", () => outgoing.destroy());
    incoming.pipe(proxied);
  };
  const proxy: SlowProxy = {
    url: "",
    delayMs: 0,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  const server = createServer((incoming, outgoing) => {
    if (proxy.delayMs === 0) return forward(incoming, outgoing);
    incoming.pause();
    setTimeout(() => (incoming.resume(), forward(incoming, outgoing)), proxy.delayMs).unref();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}
