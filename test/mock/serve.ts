// Runs the mock Anthropic server in its own process (benchmarks use it so the server does not share
// the client's event loop). Options come as one JSON argument; prints {"url": …} once listening.
// GET /mock/stats answers the request counts.
import { MockAnthropic, type MockOptions } from './anthropicServer';

const options = JSON.parse(process.argv[2] ?? '{}') as MockOptions;
void MockAnthropic.start(options).then((mock) => {
  process.stdout.write(`${JSON.stringify({ url: mock.url })}\n`);
  process.on('SIGTERM', () => void mock.close().then(() => process.exit(0)));
});
