// A Prometheus stand-in in a process of its own: `concurrency` scrapers each GET the URL `requests` times back to back
// (each over its own keep-alive connection, reading the whole body, as Prometheus does) and the latencies, from the
// request until the last body byte, are printed as one JSON line. Kept out of the exporter's process so that the
// client's own work does not sit on the event loop being measured.
//   scrape-child.ts <url> <concurrency> <requests per scraper>
import { Agent, request } from 'undici';

async function main(): Promise<void> {
  const [url = '', concurrencyText = '4', requestsText = '50'] = process.argv.slice(2);
  const concurrency = Number(concurrencyText);
  const requests = Number(requestsText);
  const agent = new Agent({ connections: concurrency, pipelining: 1 });
  const latenciesMs: number[] = [];
  let bytes = 0;
  const scraper = async (): Promise<void> => {
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      const response = await request(url, { dispatcher: agent, headers: { accept: 'text/plain;version=0.0.4' } });
      const body = await response.body.text();
      latenciesMs.push(performance.now() - started);
      if (response.statusCode !== 200) throw new Error(`scrape answered ${response.statusCode}`);
      bytes = body.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, scraper));
  await agent.close();
  process.stdout.write(`${JSON.stringify({ latenciesMs, bytes })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`scrape child failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
