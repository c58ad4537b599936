// Runs a mock server in its own process (benchmarks use it so the server does not share the client's
// event loop): the Anthropic mock, or with `"kind": "openai"` the OpenAI-compatible one. Options come as
// one JSON argument; prints {"url": …} once listening. GET /mock/stats answers the request counts.
import { MockAnthropic, type MockOptions } from './anthropicServer';
import { MockOpenAI, type OpenAIMockOptions } from './openaiServer';

const { kind, ...options } = JSON.parse(process.argv[2] ?? '{}') as { kind?: 'anthropic' | 'openai' } & MockOptions & OpenAIMockOptions;
void (kind === 'openai' ? MockOpenAI.start(options) : MockAnthropic.start(options)).then((mock) => {
  process.stdout.write(`${JSON.stringify({ url: mock.url })}\n`);
  process.on('SIGTERM', () => void mock.close().then(() => process.exit(0)));
});
