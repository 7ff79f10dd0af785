/**
 * What a `tribune` subcommand may touch of the outside world. main.ts passes the process's streams;
 * tests pass captured ones, so every command runs without a real terminal.
 */
export interface CliIO {
  stdout(s: string): void;
  stderr(s: string): void;
  stdin(): Promise<Buffer>;
  env: NodeJS.ProcessEnv;
  /**
   * Raw bytes to stdout, for KV values that need not be UTF-8 (`kv get`). Optional: without it the
   * bytes go through `stdout` decoded as UTF-8, which replaces invalid sequences.
   */
  stdoutBytes?(b: Uint8Array): void;
}

/** Runs one subcommand with the arguments after its name; resolves to the process exit code. */
export type CommandRunner = (args: string[], io: CliIO) => Promise<number>;

/** Writes bytes through `stdoutBytes` when the host offers it, else as UTF-8 text. */
export function writeStdoutBytes(io: CliIO, bytes: Uint8Array): void {
  if (io.stdoutBytes) io.stdoutBytes(bytes);
  else io.stdout(Buffer.from(bytes).toString('utf8'));
}
