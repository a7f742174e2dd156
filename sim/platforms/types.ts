// What the demo needs from a platform's simulator: a running fake with seeded data, the scope configuration that
// points the real collector at it, and the fake credentials to scrub from the output.
export interface DemoPlatform {
  /** The raw scope configuration (validated by the collector's own schema, as a user's would be). */
  scope: Record<string, unknown>;
  secrets: string[];
  close(): Promise<void>;
}

export interface DemoOptions {
  /** The simulated data ends here. */
  now: Date;
  /** Runs per platform. */
  runs: number;
}

export type StartDemo = (o: DemoOptions) => Promise<DemoPlatform>;
