/**
 * `npm run bench -- import [--rows N] [--keep]`: generates an N-row roster (default 1,000,000)
 * into bench/data/, then measures in the same process: csv-parse's bare rate on that file
 * (arrays, and columns:true as in perf-baseline.md), our end-to-end importRoster rate (parse +
 * normalize + stage into roster_rows on a fresh database), their ratio, and peak RSS.
 */
import { createWriteStream, createReadStream, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { parse } from 'csv-parse';
import { createApp } from '../src/app';
import { loadConfig, sourceSchema, type SourceConfig } from '../src/config';
import { importRoster } from '../src/roster/import';
import { createTestDatabase } from '../test/helpers/pg';
import { testEnv } from '../test/helpers/env';
import globalSetup from '../test/helpers/global-setup';

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

async function bareParse(file: string, columns: boolean): Promise<{ rows: number; seconds: number }> {
  const t0 = performance.now();
  let rows = 0;
  const parser = createReadStream(file, { highWaterMark: 64 * 1024 }).pipe(parse({ columns, bom: true }));
  for await (const rec of parser) if (rec) rows++;
  return { rows: columns ? rows : rows - 1, seconds: (performance.now() - t0) / 1000 };
}

export default async function bench(argv: string[]): Promise<Record<string, unknown>> {
  const rowsArg = argv.indexOf('--rows');
  const rows = rowsArg >= 0 ? Number(argv[rowsArg + 1]) : 1_000_000;
  mkdirSync(DATA, { recursive: true });
  const file = path.join(DATA, `roster-${rows}.csv`);
  if (!existsSync(file)) {
    const t0 = performance.now();
    await generate(file, rows);
    console.log(`generated ${file}: ${rows} rows, ${(statSync(file).size / 1e6).toFixed(1)} MB in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  const sizeMb = statSync(file).size / 1e6;
  await bareParse(file, false); // warm the page cache and the JIT
  const bareArr = await bareParse(file, false);
  const bareCols = await bareParse(file, true);
  const bareRate = bareArr.rows / bareArr.seconds;
  const bareColsRate = bareCols.rows / bareCols.seconds;
  console.log(`bare csv-parse (arrays):       ${bareArr.seconds.toFixed(2)} s, ${Math.round(bareRate)} rows/s`);
  console.log(`bare csv-parse (columns:true): ${bareCols.seconds.toFixed(2)} s, ${Math.round(bareColsRate)} rows/s`);

  const dropTemplate = await globalSetup();
  const tdb = await createTestDatabase();
  const app = createApp(loadConfig(testEnv({ DATABASE_URL: tdb.url, LOG_LEVEL: 'silent' })));
  try {
    const [run] = await tdb.db('runs').insert({ kind: 'import', partner_id: 'bench', source: 'bench', status: 'importing', trigger: 'test' }).returning('id');
    const source = sourceSchema.parse({ name: 'bench', kind: 'csv', path: file, assign: { by: 'column', default: 'ops@partner.example' }, accountId: { prefix: 'b-' } }) as SourceConfig;
    const t0 = performance.now();
    const result = await importRoster(app.deps, { runId: (run as { id: string }).id, source });
    const seconds = (performance.now() - t0) / 1000;
    const rate = result.stats.read / seconds;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    const figures = {
      rows: result.stats.read, fileMb: Number(sizeMb.toFixed(1)), valid: result.stats.valid, quarantined: result.stats.quarantined,
      bareParseRowsPerSec: Math.round(bareRate), bareParseColumnsRowsPerSec: Math.round(bareColsRate),
      importSeconds: Number(seconds.toFixed(2)), importRowsPerSec: Math.round(rate),
      ratio: Number((rate / bareRate).toFixed(3)), ratioVsColumns: Number((rate / bareColsRate).toFixed(3)),
      peakRssMb: Math.round(peakRssMb), targets: { ratio: 0.6, peakRssMb: 300 },
    };
    console.log(`import end-to-end:             ${seconds.toFixed(2)} s, ${Math.round(rate)} rows/s (valid ${result.stats.valid}, quarantined ${result.stats.quarantined})`);
    console.log(`ratio vs bare arrays: ${figures.ratio} (vs columns:true ${figures.ratioVsColumns}); peak RSS ${figures.peakRssMb} MB`);
    return figures;
  } finally {
    await app.close();
    await tdb.drop();
    await dropTemplate();
  }
}
