/**
 * What the analysis reads: the resources a run registered, as plain data. tools/offline's run (the SDK under its
 * mock monitor) is one; a test can write one by hand.
 */

/** One registered resource: its type token, logical name, the inputs the program gave and the outputs it got. */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: Readonly<Record<string, unknown>>;
}

/** A run of the program as one stack: where it ran, and everything it registered in order. */
export interface RegisteredRun {
  readonly stack: string;
  readonly region: string;
  readonly accountId: string;
  readonly resources: readonly RegisteredResource[];
}
