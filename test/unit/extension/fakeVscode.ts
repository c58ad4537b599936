// Just enough of the `vscode` API for the webview panel hosts to run under node's test runner: panels that
// record what is posted and let a test send what the page would, and the serializers registered. Loaded in
// place of `vscode` by ./useFakeVscode.ts.

type Listener<T> = (value: T) => void;

export interface FakeUri {
  path: string;
  fsPath: string;
}

function uri(path: string): FakeUri {
  return { path, fsPath: path };
}

export const Uri = {
  file: uri,
  joinPath: (base: FakeUri, ...segments: string[]): FakeUri => uri([base.path, ...segments].join('/')),
};

export const ViewColumn = { Beside: -2 } as const;

export class FakePanel {
  /** Messages the host posted while the panel was open. */
  readonly posted: unknown[] = [];
  /** Messages the host posted after the panel closed (VS Code would reject them). */
  readonly postedAfterClose: unknown[] = [];
  readonly revealedIn: unknown[] = [];
  visible = true;
  disposed = false;
  private readonly received: Array<Listener<unknown>> = [];
  private readonly disposeListeners: Array<() => void> = [];

  readonly webview = {
    html: '',
    options: undefined as unknown,
    cspSource: 'fake-csp-source',
    asWebviewUri: (resource: FakeUri) => ({ toString: () => `webview:${resource.path}` }),
    postMessage: async (message: unknown): Promise<boolean> => {
      (this.disposed ? this.postedAfterClose : this.posted).push(message);
      return !this.disposed;
    },
    onDidReceiveMessage: (listener: Listener<unknown>) => {
      this.received.push(listener);
      return { dispose: () => undefined };
    },
  };

  constructor(
    readonly viewType: string,
    readonly title: string,
    readonly showOptions?: unknown,
    readonly options?: unknown,
  ) {}

  onDidDispose(listener: () => void): { dispose(): void } {
    this.disposeListeners.push(listener);
    return { dispose: () => undefined };
  }

  reveal(column?: unknown): void {
    this.revealedIn.push(column);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.visible = false;
    for (const listener of this.disposeListeners) listener();
  }

  /** What the page sends. */
  send(message: unknown): void {
    for (const listener of this.received) listener(message);
  }

  lastPosted(): unknown {
    return this.posted[this.posted.length - 1];
  }
}

interface Serializer {
  deserializeWebviewPanel(panel: FakePanel, state: unknown): Promise<void>;
}

/** Every panel created, and the serializer of each view type, for the tests to look at. */
export const created: FakePanel[] = [];
export const serializers = new Map<string, Serializer>();

export const window = {
  createWebviewPanel(viewType: string, title: string, showOptions: unknown, options: unknown): FakePanel {
    const panel = new FakePanel(viewType, title, showOptions, options);
    created.push(panel);
    return panel;
  },
  registerWebviewPanelSerializer(viewType: string, serializer: Serializer): { dispose(): void } {
    serializers.set(viewType, serializer);
    return { dispose: () => serializers.delete(viewType) };
  },
};

/** Every setting at its default. */
export const workspace = {
  getConfiguration: () => ({ get: <T>(_key: string, fallback: T): T => fallback }),
};

export class CancellationTokenSource {
  cancelled = false;
  readonly token = { isCancellationRequested: false, onCancellationRequested: () => ({ dispose: () => undefined }) };
  cancel(): void {
    this.cancelled = true;
    this.token.isCancellationRequested = true;
  }
  dispose(): void {}
}
