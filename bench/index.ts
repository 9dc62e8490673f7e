export {};
/**
 * `npm run bench -- <name> [args]`: runs bench/<name>.ts. Each bench prints its figures as it
 * goes and returns them; this runner prints them last as one JSON line, and exits 1 when the bench
 * lists targets it missed (`missed`: the nightly's).
 * Benches: client, import, sync, numbers, nightly.
 */
const [name, ...args] = process.argv.slice(2);
const BENCHES = ['client', 'import', 'sync', 'numbers', 'nightly'];

if (!name || !BENCHES.includes(name)) {
  console.error(`usage: npm run bench -- <${BENCHES.join('|')}> [args]`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { default: (argv: string[]) => Promise<Record<string, unknown>> };
const figures = await mod.default(args);
console.log(JSON.stringify({ bench: name, ...figures }));
// A bench with targets lists the ones it missed; any missed target fails the command.
const missed = Array.isArray(figures.missed) ? (figures.missed as string[]) : [];
if (missed.length) console.error(`${name}: missed targets: ${missed.join(', ')}`);
process.exit(missed.length ? 1 : 0);
