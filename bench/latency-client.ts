/**
 * The HTTP client of bench/landlord.ts, in a process of its own (forked, IPC):
 * in the server's own process its allocations were collected in the server's
 * pauses and its parsing ran on the server's event loop, which a real
 * client's never do. Requests are made one at a time over one keep-alive
 * connection (latency, not throughput).
 *
 * Receives { base, warmup, requests: [{ method, path, key, body? }], n } and
 * answers { times, rows, error? }: n timed requests after `warmup` untimed
 * ones, going round the list; rows is the persons per answer (the length of
 * `residents` in a landlord answer, else 1).
 */
import * as http from 'node:http';

export interface ClientRequest {
  method: 'GET' | 'POST';
  path: string;
  key: string;
  body?: string;
}
export interface ClientJob {
  base: string;
  warmup: number;
  n: number;
  requests: ClientRequest[];
}
export interface ClientResult {
  times: number[];
  rows: number;
  error?: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function send(base: string, r: ClientRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${r.key}` };
    if (r.body !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(r.body) });
    const req = http.request(`${base}${r.path}`, { method: r.method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`${r.method} ${r.path} answered ${res.statusCode}: ${text.slice(0, 300)}`));
        const residents = (JSON.parse(text) as { residents?: unknown[] }).residents;
        resolve(residents ? residents.length : 1);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

async function run(job: ClientJob): Promise<ClientResult> {
  const at = (i: number) => job.requests[i % job.requests.length]!;
  for (let i = 0; i < job.warmup; i++) await send(job.base, at(i));
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < job.n; i++) {
    const t = performance.now();
    rows += await send(job.base, at(i));
    times.push(performance.now() - t);
  }
  return { times, rows: rows / job.n };
}

process.on('message', (job: ClientJob | 'exit') => {
  if (job === 'exit') {
    agent.destroy();
    process.disconnect();
    return;
  }
  run(job).then(
    (r) => process.send!(r),
    (e: unknown) => process.send!({ times: [], rows: 0, error: e instanceof Error ? e.message : String(e) }),
  );
});
