/**
 * Several relay processes on one PostgreSQL database, for the scale-out tests: each is the
 * real `ridevault-relay` binary (built) started with `--database-url`, and a small TCP
 * balancer stands in for the load balancer in front of them (no sticky sessions: a new
 * connection goes to the first instance that accepts it, starting after the last one used).
 */
import { promises as fs } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { type RelayProcess, startRelayProcess } from "./relay-process.js";

/** One relay process and the port it listens on. */
export interface ClusterRelay extends RelayProcess {
  readonly port: number;
}

/** Starts `ridevault-relay --database-url URL` on 127.0.0.1, port 0, and waits until it serves. */
export async function startClusterRelay(databaseUrl: string): Promise<ClusterRelay> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), "ridevault-cluster-"));
  const relay = await startRelayProcess(dataDir, 0, ["--database-url", databaseUrl]).catch(
    async (error: unknown) => {
      await fs.rm(dataDir, { recursive: true, force: true });
      throw error;
    },
  );
  void relay.exited.then(() => fs.rm(dataDir, { recursive: true, force: true }));
  return { ...relay, port: Number(new URL(relay.url).port) };
}

/** A TCP balancer in front of relay ports. */
export interface Balancer {
  readonly url: string;
  /** The backend port each accepted connection went to, in order. */
  readonly routed: number[];
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0) and forwards each connection to a backend that accepts it. */
export async function startBalancer(backends: readonly number[]): Promise<Balancer> {
  const routed: number[] = [];
  const sockets = new Set<net.Socket>();
  let next = 0;
  const connectBackend = (tries: number): Promise<{ socket: net.Socket; port: number }> => {
    const port = backends[next % backends.length] as number;
    next++;
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => resolve({ socket, port }));
      socket.once("error", (error) => {
        if (tries + 1 >= backends.length) reject(error);
        else connectBackend(tries + 1).then(resolve, reject);
      });
    });
  };
  const server = net.createServer((client) => {
    sockets.add(client);
    client.pause();
    client.on("error", () => client.destroy());
    client.once("close", () => sockets.delete(client));
    connectBackend(0).then(
      ({ socket, port }) => {
        routed.push(port);
        sockets.add(socket);
        socket.once("close", () => {
          sockets.delete(socket);
          client.destroy();
        });
        socket.on("error", () => socket.destroy());
        client.once("close", () => socket.destroy());
        client.pipe(socket);
        socket.pipe(client);
        client.resume();
      },
      () => client.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/sync`,
    routed,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP proxy to a local port that can play "unreachable": for database outages in tests. */
export interface OutageProxy {
  readonly port: number;
  /** Cuts every open connection and refuses new ones (true), or lets them through (false). */
  setDown(down: boolean): void;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0) and forwards to 127.0.0.1:`targetPort` while up. */
export async function startOutageProxy(targetPort: number): Promise<OutageProxy> {
  const sockets = new Set<net.Socket>();
  let down = false;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("error", () => socket.destroy());
    socket.once("close", () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    track(client);
    const upstream = net.connect(targetPort, "127.0.0.1");
    track(upstream);
    upstream.once("close", () => client.destroy());
    client.once("close", () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    setDown(value) {
      down = value;
      if (down) for (const socket of sockets) socket.destroy();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
