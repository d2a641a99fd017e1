import 'reflect-metadata';
import type { Server } from 'node:http';
import { Server as NetServer, Socket } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { appConfig, AppConfig, ConfigurationError } from '@pcn/common';
import { ApiModule } from './api.module';
import { addNotFoundFallback, configureApp } from './setup-app';

const IDLE_END_MS = 1000;
const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, { bodyParser: false, bufferLogs: true, abortOnError: false });
  configureApp(app);
  await app.init();
  addNotFoundFallback(app);
  const config = app.get<AppConfig>(appConfig.KEY);
  await app.listen(config.PORT);
  drainOnSignals(app, config.SHUTDOWN_GRACE_MS);
  console.log(JSON.stringify({ level: 'info', msg: `API listening on ${config.PUBLIC_BASE_URL} (docs at /api/docs)` }));
}

/**
 * SIGTERM/SIGINT: stop accepting connections, let every request already received finish
 * (each answered with `Connection: close`), and only then close the app (database pool,
 * Redis). Nest's own shutdown hooks (set by configureApp) close the providers first and
 * the HTTP server last, so a request in flight would find its pool already gone; they are
 * replaced here for the real process only.
 */
function drainOnSignals(app: NestExpressApplication, shutdownGraceMs: number): void {
  const server: Server = app.getHttpServer();
  const sockets = new Set<Socket>();
  const busy = new WeakMap<Socket, number>();
  const lastActive = new WeakMap<Socket, number>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    lastActive.set(socket, Date.now());
    socket.once('close', () => sockets.delete(socket));
  });
  let draining = false;
  server.prependListener('request', (req, res) => {
    const socket = req.socket;
    busy.set(socket, (busy.get(socket) ?? 0) + 1);
    res.once('close', () => {
      busy.set(socket, (busy.get(socket) ?? 1) - 1);
      lastActive.set(socket, Date.now());
      if (draining && busy.get(socket) === 0) socket.end();
    });
    if (draining) res.setHeader('Connection', 'close');
  });

  const shutdown = async (signal: string): Promise<void> => {
    if (draining) return;
    draining = true;
    console.log(JSON.stringify({ level: 'info', msg: `${signal}: finishing ${sockets.size} open connection(s), then stopping` }));
    // net.Server#close, not http.Server#close: the latter also drops "idle" keep-alive
    // connections, which includes one whose request bytes have arrived but not yet been read.
    const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    // Keep-alive connections with nothing in progress for a second are ended (a request that
    // arrived on one in the meantime is answered first: its connection is busy).
    const endIdle = () => sockets.forEach((socket) => (busy.get(socket) ?? 0) === 0 && Date.now() - (lastActive.get(socket) ?? 0) >= IDLE_END_MS && socket.end());
    const idleTimer = setInterval(endIdle, 250);
    const forceTimer = setTimeout(() => sockets.forEach((socket) => socket.destroy()), shutdownGraceMs);
    await closed;
    clearInterval(idleTimer);
    clearTimeout(forceTimer);
    await app.close();
    process.exit(0);
  };
  for (const signal of SHUTDOWN_SIGNALS) {
    process.removeAllListeners(signal);
    process.once(signal, () => void shutdown(signal).catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    }));
  }
}

bootstrap().catch((error: unknown) => {
  if (error instanceof ConfigurationError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
