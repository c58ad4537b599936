// One JSON POST over node:http(s) with a keep-alive agent. Used where many requests run at once on one
// event loop (the HTTP embedder): fetch's web-stream machinery costs several times the CPU per request of
// node:http, and at concurrency 16 that time is spent on the one thread every lane shares.
import http from 'node:http';
import https from 'node:https';

export interface PostAnswer {
  status: number;
  header(name: string): string | undefined;
  text: string;
}

/** A pool of kept-alive connections for one job; `close()` when the job ends. */
export class HttpPool {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(maxSockets: number) {
    this.agents = { http: new http.Agent({ keepAlive: true, maxSockets }), https: new https.Agent({ keepAlive: true, maxSockets }) };
  }

  /**
   * POSTs `body` and reads the whole answer. Rejects on a network error, on `signal` (its reason), after
   * `timeoutMs` (an error named TimeoutError), and when the body ends before the length the server
   * announced (a reply cut off mid-transfer).
   */
  post(url: string, body: string, headers: Record<string, string>, signal: AbortSignal, timeoutMs: number): Promise<PostAnswer> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      let settled = false;
      const finish = (error: Error | undefined, answer?: PostAnswer): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (error) {
          request.destroy();
          reject(error);
        } else resolve(answer!);
      };
      const onAbort = (): void => finish(signal.reason instanceof Error ? signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' }));
      const request = (secure ? https : http).request(
        target,
        { method: 'POST', agent: secure ? this.agents.https : this.agents.http, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => finish(error));
          response.on('close', () => {
            if (!response.complete) return finish(new Error('the answer was cut off before its end'));
            const raw = response.headers;
            finish(undefined, {
              status: response.statusCode ?? 0,
              header: (name) => {
                const value = raw[name.toLowerCase()];
                return Array.isArray(value) ? value[0] : value;
              },
              text: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      const timer = setTimeout(() => finish(Object.assign(new Error('request timed out'), { name: 'TimeoutError' })), timeoutMs);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      request.on('error', (error) => finish(error));
      request.end(body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
