// The webview side of the host API, typed by each view's protocol.
export interface VsCodeApi<Out, State> {
  postMessage(message: Out): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): { postMessage(message: unknown): void; getState(): unknown; setState(state: unknown): void };

let api: ReturnType<typeof acquireVsCodeApi> | undefined;

/** acquireVsCodeApi may be called once per page; every caller shares the one instance. */
export function vscodeApi<Out, State>(): VsCodeApi<Out, State> {
  api ??= acquireVsCodeApi();
  return api as VsCodeApi<Out, State>;
}
