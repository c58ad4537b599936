// What the mock servers (anthropicServer.ts, openaiServer.ts) share: listening on 127.0.0.1, a log of
// the requests, the in-flight count, a seeded draw of faults, the injected latency, requests left hanging,
// and GET /mock/stats (read by benchmarks running a mock in its own process).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenLocal } from './listen';

export interface MockServerOptions {
  /** Delay before every answer, in ms. */
  latencyMs?: number;
  seed?: number;
  /** How long a timeout fault holds a request before dropping the connection. */
  hangMs?: number;
  port?: number;
}

export abstract class MockServer<Options extends MockServerOptions, Entry> {
  readonly log: Entry[] = [];
  url = '';
  protected maxInFlight = 0;
  protected readonly random: () => number;
  private inFlight = 0;
  private readonly server = createServer();

  constructor(public options: Options) {
    this.random = mulberry32(options.seed ?? 1);
  }

  /** Changes latency or faults between phases of a test. */
  configure(options: Partial<Options>): void {
    this.options = { ...this.options, ...options };
  }

  abstract stats(): object;

  /** Inputs sent again after a request for them had already succeeded (from log entry `since` on): should be empty. */
  abstract sentAfterSuccess(since?: number): string[];

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Starts listening; the URL is in `url`. */
  protected async listen(): Promise<this> {
    this.url = await listenLocal(this.server, this.options.port, (request, response) => void this.receive(request, response));
    return this;
  }

  /** Answers one request but GET /mock/stats (the URL and body are read). */
  protected abstract handle(request: IncomingMessage, url: URL, body: string, response: ServerResponse): void;

  private async receive(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    response.once('close', () => this.inFlight--);
    const url = new URL(request.url ?? '/', this.url);
    const body = await readBody(request);
    if (url.pathname === '/mock/stats') {
      if (response.destroyed) return;
      response.writeHead(200, { 'content-type': 'application/json' });
      return void response.end(JSON.stringify({ ...this.stats(), sentAfterSuccess: this.sentAfterSuccess().length }));
    }
    this.handle(request, url, body, response);
  }

  protected later(send: () => void): void {
    setTimeout(send, this.options.latencyMs ?? 0);
  }

  /**
   * A timeout fault: never answer; drop the connection later (the client's own timeout normally fires
   * first, and then the timer goes with the connection, so it never keeps a test process alive).
   */
  protected hang(response: ServerResponse): void {
    const drop = setTimeout(() => response.destroy(), this.options.hangMs ?? 30_000);
    response.once('close', () => clearTimeout(drop));
  }
}

export function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function mulberry32(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
