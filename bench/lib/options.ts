/** Command-line options shared by every benchmark: `--only <name>[,<name>…]` and `--quick`. */

export interface BenchOptions {
  /** Benchmark names to run; undefined runs all of them. */
  only: Set<string> | undefined;
  /** Shorter runs (2 s instead of 5 s per measurement, smaller fan-out) for a quick look. */
  quick: boolean;
}

export function parseBenchArgs(argv: readonly string[], known: readonly string[]): BenchOptions {
  let only: Set<string> | undefined;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--quick') quick = true;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      if (!value) throw new Error('--only needs a benchmark name');
      only ??= new Set();
      for (const name of value.split(',')) {
        if (!known.includes(name))
          throw new Error(`unknown benchmark "${name}" (known: ${known.join(', ')})`);
        only.add(name);
      }
    } else if (arg === '--help' || arg === '-h') {
      throw new Error(`usage: npm run bench -- [--quick] [--only <${known.join('|')}>[,…]]`);
    } else {
      throw new Error(`unknown argument "${arg}"`);
    }
  }
  return { only, quick };
}

/** What a benchmark hands back to bench/run.ts for the summary. */
export interface BenchResult {
  title: string;
  lines: string[];
}
