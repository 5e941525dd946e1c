/**
 * The layout as a rule that fails when broken: data flows one way through the pipeline's floors,
 * no module imports itself through others, and only entry points touch the process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** Lowest first. A module may import from its own floor or a lower one, never a higher one. */
const FLOORS: [string, string[]][] = [
  ['base', ['src/errors.ts', 'src/log.ts', 'src/cleanup.ts']],
  ['articles', ['src/articles/', 'src/people/', 'src/web/']],
  ['embedding', ['src/embedding/']],
  ['index', ['src/index/', 'src/postgres/']],
  ['retrieval', ['src/retrieval/']],
  ['answers', ['src/answers/', 'src/engine.ts']],
  ['rendering', ['src/rendering/']],
  ['front ends', ['src/config/', 'src/console/', 'src/discord/', 'src/background/', 'src/cli/', 'commands/']],
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative('.', path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

const FILES = [...sourceFiles('src'), ...sourceFiles('commands')];

function floorOf(file: string): number {
  const floor = FLOORS.findIndex(([, prefixes]) => prefixes.some((p) => (p.endsWith('/') ? file.startsWith(p) : file === p)));
  if (floor < 0) throw new Error(`${file} belongs to no floor: add it to FLOORS`);
  return floor;
}

interface Import {
  target: string;
  typeOnly: boolean;
}

function importsOf(file: string): Import[] {
  const source = readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const m of source.matchAll(/^\s*(import|export)\s+(type\s+)?[^'";]*?from\s+'(\.{1,2}\/[^']+)'/gm)) {
    const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[3]!)).replace(/\.js$/, '.ts');
    found.push({ target, typeOnly: Boolean(m[2]) });
  }
  for (const m of source.matchAll(/import\(\s*'(\.{1,2}\/[^']+)'\s*\)/g)) {
    found.push({ target: path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]!)).replace(/\.js$/, '.ts'), typeOnly: false });
  }
  return found;
}

const GRAPH = new Map(FILES.map((f) => [f, importsOf(f)]));

describe('the layout', () => {
  it('every relative import resolves to a module of the project', () => {
    for (const [file, imports] of GRAPH) for (const i of imports) expect(FILES, `${file} imports ${i.target}`).toContain(i.target);
  });

  it('imports go down the pipeline floors, never up', () => {
    const upward: string[] = [];
    for (const [file, imports] of GRAPH) {
      for (const i of imports) if (floorOf(i.target) > floorOf(file)) upward.push(`${file} → ${i.target}`);
    }
    expect(upward).toEqual([]);
  });

  it('has no import circle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        circles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'visiting');
      // Type-only imports count: a circle of types still ties the modules together.
      for (const i of GRAPH.get(file) ?? []) visit(i.target, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of FILES) visit(file, []);
    expect(circles).toEqual([]);
  });

  it('src/index/types.ts holds types only: compiled, nothing of it remains', () => {
    // verbatimModuleSyntax keeps a value import, so importing one counts as runtime code too.
    const { outputText } = ts.transpileModule(readFileSync('src/index/types.ts', 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true, removeComments: true },
    });
    expect(outputText.trim()).toBe('export {};');
  });

  it('only entry points (src/cli) end the process or handle its signals', () => {
    const offenders = FILES.filter((f) => !f.startsWith('src/cli/')).filter((f) =>
      /process\.exit\s*\(|process\.(on|once|addListener)\(\s*'SIG/.test(readFileSync(f, 'utf8')),
    );
    expect(offenders).toEqual([]);
    expect(FILES.filter((f) => /process\.exit\s*\(/.test(readFileSync(f, 'utf8')))).toEqual(['src/cli/runtime.ts']);
  });

  it('reads the environment only through the configuration', () => {
    const readers = FILES.filter((f) => /process\.env\b/.test(readFileSync(f, 'utf8').replace(/\/\*\*[^]*?\*\//g, '')));
    expect(readers).toEqual(['src/config/config.ts']);
  });
});
