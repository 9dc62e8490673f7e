/**
 * `npm run bench -- import [--rows N] [--rounds R]`: generates an N-row roster (default
 * 1,000,000) into bench/data/, then runs R rounds (default 5), each: csv-parse's bare rate on that
 * file (arrays, in a child process: bench/bare-parse.mjs), then our end-to-end importRoster (parse
 * + normalize + stage into roster_rows, committed) in this process. It prints every round, the
 * medians, their ratio, and this process's peak RSS (the import's: main thread and both import
 * threads); once, csv-parse with columns:true as perf-baseline.md measured it. Rounds alternate
 * so that both measures see the same machine: on a shared 2-core box one run varies by ±15%.
 */
import { createRun, startStep } from '../src/runs';
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { once } from 'node:events';
import { createApp } from '../src/app';
import { loadConfig, sourceSchema, type SourceConfig } from '../src/config';
import { importRoster } from '../src/roster/import';
import { createTestDatabase } from '../test/helpers/pg';
import { testEnv } from '../test/helpers/env';
import globalSetup from '../test/helpers/global-setup';
import { numberArg } from './args';

const DATA = path.resolve(import.meta.dirname, 'data');
const STATES = ['OH', 'IL', 'NJ', 'CA', 'TX', 'NY', 'FL', 'PA', 'MA', 'PR', 'WA', 'GA'];
const STREETS = ['Main St', 'Oak Ave', 'Elm Rd', 'Lake Dr', 'Cedar Ln', 'Pine Blvd', 'Maple Ct'];
const CITIES = ['Columbus', 'Chicago', 'Newark', 'Fresno', 'Austin', 'Albany', 'Tampa', 'Erie', 'Boston', 'San Juan'];

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 4294967296);
}

async function generate(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file, { highWaterMark: 1 << 20 });
  out.write('practice_id,practice_name,address1,address2,city,state,zip,phone,fax,website,alt_website,time_zone,manager_email\n');
  const r = rng(42);
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const num = (n: number) => String(Math.floor(r() * 10 ** n)).padStart(n, '0');
  const phone = () => {
    const a = `${2 + Math.floor(r() * 8)}${num(2)}`, b = `${2 + Math.floor(r() * 8)}${num(2)}`, c = num(4);
    const f = r();
    return f < 0.4 ? `(${a}) ${b}-${c}` : f < 0.7 ? `${a}-${b}-${c}` : f < 0.85 ? `${a}.${b}.${c}` : f < 0.95 ? `${a}${b}${c}` : `+1 ${a} ${b} ${c}`;
  };
  let buf = '';
  for (let i = 1; i <= rows; i++) {
    const name = r() < 0.3 ? `"${pick(CITIES)} Family Medicine, ${i % 7 ? 'LLC' : 'PC'}"` : `${pick(CITIES)} Pediatrics ${i}`;
    const zip = r() < 0.5 ? num(5) : num(9);
    const site = r() < 0.7 ? `${r() < 0.5 ? 'https://' : ''}www.practice${i}.example` : '';
    buf += `P${String(i).padStart(7, '0')},${name},${1 + Math.floor(r() * 9999)} ${pick(STREETS)},${r() < 0.4 ? `Suite ${num(3)}` : ''},${pick(CITIES)},${pick(STATES)},${zip},${phone()},${r() < 0.6 ? phone() : ''},${site},${r() < 0.15 ? `https://social.example/p${i}` : ''},${r() < 0.5 ? 'America/New_York' : ''},${r() < 0.8 ? `manager${i % 50}@partner.example` : ''}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await once(out, 'drain');
      buf = '';
    }
  }
  out.end(buf);
  await once(out, 'finish');
}

function bareParse(file: string, columns: boolean): { rows: number; seconds: number } {
  const out = execFileSync(process.execPath, [path.join(import.meta.dirname, 'bare-parse.mjs'), file, columns ? 'columns' : 'arrays'], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()!) as { rows: number; seconds: number };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export default async function bench(argv: string[]): Promise<Record<string, unknown>> {
  const rows = numberArg(argv, 'rows', 1_000_000);
  mkdirSync(DATA, { recursive: true });
  const file = path.join(DATA, `roster-${rows}.csv`);
  if (!existsSync(file)) {
    const t0 = performance.now();
    await generate(file, rows);
    console.log(`generated ${file}: ${rows} rows, ${(statSync(file).size / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const sizeMb = statSync(file).size / 1e6;
  const rounds = numberArg(argv, 'rounds', 5);
  bareParse(file, false); // warm the page cache

  const dropTemplate = await globalSetup();
  const tdb = await createTestDatabase();
  const app = createApp(loadConfig(testEnv({ DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' })));
  try {
    const source = sourceSchema.parse({ name: 'bench', kind: 'csv', path: file, assign: { by: 'column', default: 'ops@partner.example' }, accountId: { prefix: 'b-' } }) as SourceConfig;
    const bare: number[] = [];
    const ours: number[] = [];
    let last: Awaited<ReturnType<typeof importRoster>> | null = null;
    for (let r = 1; r <= rounds; r++) {
      // Every round starts from the same database state: no rows, and no dead ones from the last
      // round for autovacuum to clean up while this one imports (deleting 1M rows instead cost
      // later rounds ~15%), and a checkpoint done rather than due mid-import.
      await tdb.db.raw('TRUNCATE roster_rows');
      await tdb.db.raw('CHECKPOINT');
      const b = bareParse(file, false);
      bare.push(b.rows / b.seconds);
      const { run } = await createRun(tdb.db, { kind: 'import', partnerId: 'bench', source: `bench-${r}`, dryRun: false, trigger: 'test' });
      await startStep(tdb.db, run.id, 'import', 'bench');
      const t0 = performance.now();
      last = await importRoster(app.deps, { runId: run.id, source });
      const seconds = (performance.now() - t0) / 1000;
      ours.push(last.stats.read / seconds);
      const cpu = last.threadCpuSeconds;
      console.log(`round ${r}: bare csv-parse ${b.seconds.toFixed(2)} s = ${Math.round(b.rows / b.seconds)} rows/s; import ${seconds.toFixed(2)} s = ${Math.round(last.stats.read / seconds)} rows/s; ratio ${(last.stats.read / seconds / (b.rows / b.seconds)).toFixed(3)}${cpu ? `; CPU s: parse thread ${cpu.parse}, format thread ${cpu.format}` : ''}`);
    }
    const cols = bareParse(file, true);
    const bareRate = median(bare);
    const rate = median(ours);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const figures = {
      rows: last!.stats.read, fileMb: Number(sizeMb.toFixed(1)), valid: last!.stats.valid, quarantined: last!.stats.quarantined, rounds,
      bareParseRowsPerSec: Math.round(bareRate), bareParseColumnsRowsPerSec: Math.round(cols.rows / cols.seconds),
      importRowsPerSec: Math.round(rate), importSeconds: Number((last!.stats.read / rate).toFixed(2)),
      ratio: Number((rate / bareRate).toFixed(3)), ratioVsColumns: Number((rate / (cols.rows / cols.seconds)).toFixed(3)),
      ratioPerRound: ours.map((o, i) => Number((o / bare[i]!).toFixed(3))),
      peakRssMb: Math.round(peakRssMb), targets: { ratio: 0.6, peakRssMb: 300 },
    };
    console.log(`median bare csv-parse (arrays): ${figures.bareParseRowsPerSec} rows/s; columns:true ${figures.bareParseColumnsRowsPerSec} rows/s`);
    console.log(`median import end-to-end:       ${figures.importRowsPerSec} rows/s (valid ${figures.valid}, quarantined ${figures.quarantined})`);
    console.log(`ratio of medians: ${figures.ratio} (target ≥ 0.6; per round ${figures.ratioPerRound.join(', ')}); vs columns:true ${figures.ratioVsColumns}; peak RSS ${figures.peakRssMb} MB (target < 300)`);
    return figures;
  } finally {
    await app.close();
    await tdb.drop();
    await dropTemplate();
  }
}
