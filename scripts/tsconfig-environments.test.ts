import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { root } from './package-graph';

/**
 * Each project compiles with only the environment it runs in (docs/adr/0010-lint-rules.md): a probe
 * file placed in a project's folder is type-checked with that project's tsconfig.json, in memory.
 */
function compile(project: string, code: string): string[] {
  const configPath = join(root, project, 'tsconfig.json');
  const config = ts.getParsedCommandLineOfConfigFile(
    configPath,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(String(d.messageText));
      },
    },
  )!;
  const probe = join(root, project, 'src', 'environment-probe.ts');
  const host = ts.createCompilerHost(config.options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (file, lang, ...rest) => (file === probe ? ts.createSourceFile(file, code, lang) : read(file, lang, ...rest));
  host.fileExists = (
    (exists) => (file: string) =>
      file === probe || exists(file)
  )(host.fileExists.bind(host));
  const program = ts.createProgram({ rootNames: [probe], options: config.options, host });
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === probe)
    .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

const HOST_CODE = "setTimeout(() => undefined, 1);\nexport const env = process.env;\nexport const body = document.body;\nexport const res = fetch('x');\n";

describe('a tsconfig per environment', () => {
  it.each(['packages/schema', 'packages/analysis', 'packages/replay', 'packages/simulator'])('%s has neither Node nor DOM types', (project) => {
    const errors = compile(project, HOST_CODE);
    for (const name of ['setTimeout', 'process', 'document', 'fetch']) expect(errors.join('\n')).toContain(`Cannot find name '${name}'`);
    expect(compile(project, 'export const words = new Map<string, number>([["a", 1]]).size + [1, 2].at(-1)!;\n')).toEqual([]);
  });

  it('the recorder has the DOM but not Node', () => {
    expect(compile('packages/recorder', HOST_CODE)).toEqual([expect.stringMatching(/Cannot find name 'process'/)]);
  });

  it('the server has Node but not the DOM', () => {
    expect(compile('apps/server', HOST_CODE)).toEqual([expect.stringMatching(/Cannot find name 'document'/)]);
  });
});
