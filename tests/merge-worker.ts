// Runs the merges an index needs, saying when it starts and ends: the crash test kills it in between.
import { mergeUntilTidy } from '../src/index/merge.js';

process.stdout.write('ready\n');
const merges = await mergeUntilTidy(process.argv[2]!);
process.stdout.write(`merged ${merges.length}\n`);
