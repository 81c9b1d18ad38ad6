/**
 * The COPY baseline in a process of its own (spawned by ingest.ts at the bench's nice level), so it
 * meets the machine as the server and the load generator do, not from inside the bench's driver.
 *   node --import tsx bench/ingest/copy-process.ts postgres <url> <rows> | pglite - <rows>
 * Prints the rows per second of one COPY.
 */
import { copyRatePglite, copyRatePostgres } from './copy-baseline';

const [storage, url, rows] = process.argv.slice(2);
const n = Number(rows);
const rate = storage === 'postgres' ? await copyRatePostgres(url!, n) : await copyRatePglite(n);
process.stdout.write(`${rate}\n`);
