/**
 * Removes secrets from text that may reach a log, a file or an error message. Errors from HTTP
 * clients can echo request details; this is the last line of defence, not the only one.
 */
export function redact(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 8) result = result.split(secret).join('[redacted]');
  }
  // Anything shaped like an Anthropic key, even one we were not told about.
  return result.replace(/sk-ant-[A-Za-z0-9_-]{8,}/g, '[redacted]');
}
