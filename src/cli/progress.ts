import { secretsFrom, type JobContext } from '../core/util/jobContext';
import { writeStderr } from './terminal';

/**
 * A JobContext for the terminal: progress redraws one stderr line when stderr is a TTY (and is
 * silent otherwise, so logs and pipes stay clean); Ctrl-C asks the job to stop between chunks.
 */
export function terminalContext(options: { quiet?: boolean } = {}): JobContext & { dispose(): void } {
  const tty = process.stderr.isTTY && !options.quiet;
  let cancelled = false;
  let lastDraw = 0;
  let disposed = false;
  const onSigint = (): void => {
    if (cancelled) process.exit(130);
    cancelled = true;
    process.stderr.write('\ncancelling… (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);
  return {
    progress({ message, fraction }) {
      if (!tty) return;
      const now = Date.now();
      if (now - lastDraw < 100 && fraction !== 1) return;
      lastDraw = now;
      const percent = fraction === undefined ? '' : ` ${Math.round(100 * fraction)}%`;
      process.stderr.write('\r\x1b[K');
      writeStderr(`${message ?? ''}${percent}`);
    },
    log(line) {
      if (options.quiet) return;
      if (tty) process.stderr.write('\r\x1b[K');
      writeStderr(`${line}\n`);
    },
    isCancelled: () => cancelled,
    // Keys come from this process's environment only: never a flag, so never in shell history or `ps`.
    secret: secretsFrom(process.env),
    dispose() {
      if (disposed) return;
      disposed = true;
      process.off('SIGINT', onSigint);
      if (tty) process.stderr.write('\r\x1b[K');
    },
  };
}
