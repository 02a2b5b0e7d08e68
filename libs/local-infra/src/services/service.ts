/** One locally provisioned server: what infra up/status/down need from it. */
export interface LocalService {
  readonly name: string;
  readonly endpoint: string;
  /** Downloads or builds into the cache when missing; returns true when it had to. */
  provision(report: (line: string) => void): Promise<boolean>;
  /** Started by us and still running. */
  pid(): number | undefined;
  /** The endpoint it was started with, while it runs. */
  runningEndpoint(): string | undefined;
  /** Answers requests. */
  healthy(): Promise<boolean>;
  start(): Promise<void>;
  stop(): Promise<boolean>;
  logFile: string;
}
