// The Dockerfile without a Docker engine (none runs here): every instruction is parsed with dockerfile-ast and
// checked against what the image promises (Node 24 base, production dependencies only, the sources bundled to
// JavaScript in a build stage, non-root numeric user, no HEALTHCHECK, OCI labels, the files it copies exist and hold
// the whole runtime import graph), then its install, build and start steps are replayed in a temporary directory: the
// same `npm ci --omit=dev`, the same build command, the same COPY layout, and the same ENTRYPOINT, which must serve
// the embedded demo's metrics with nothing but production dependencies and JavaScript installed.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { DockerfileParser, type Copy, type Instruction } from 'dockerfile-ast';
import { DEFAULTS } from '../../../src/config/types.ts';
import { OtlpReceiver } from '../../helpers/otlp-receiver.ts';

const REPO = resolve(import.meta.dirname, '../../..');
const NODE24 = join(REPO, 'node_modules', '.bin', 'node');
const dockerfile = DockerfileParser.parse(readFileSync(join(REPO, 'Dockerfile'), 'utf8'));
const packageJson = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

interface Stage {
  readonly name: string;
  readonly image: string;
  readonly instructions: Instruction[];
}

/** ARG defaults declared before the first FROM, used to resolve `FROM ${NODE_IMAGE}`. */
function initialArgs(): Map<string, string> {
  const args = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property !== null) args.set(property.getName(), property.getValue() ?? '');
  }
  return args;
}

function stages(): Stage[] {
  const args = initialArgs();
  const result: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      const [image = '', as, name = ''] = instruction.getArguments().map((argument) => argument.getValue());
      assert.equal(as?.toUpperCase(), 'AS', 'every stage is named');
      result.push({ name, image: image.replace(/^\$\{(\w+)\}$/, (_m, key: string) => args.get(key) ?? ''), instructions: [] });
    } else {
      result.at(-1)?.instructions.push(instruction);
    }
  }
  return result;
}

const words = (instruction: Instruction): string[] => instruction.getArguments().map((argument) => argument.getValue());
const ofKind = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
const jsonForm = (instruction: Instruction): string[] => JSON.parse(instruction.getArgumentsContent() ?? '[]') as string[];

/** The environment a stage's ENV instructions set (name to value). */
function imageEnv(stage: Stage): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const instruction of ofKind(stage, 'ENV')) {
    for (const property of (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
      variables[property.getName()] = property.getValue() ?? '';
    }
  }
  return variables;
}

/** The stage a COPY reads from (`--from=`), or undefined for the build context. */
function copyFrom(copy: Instruction): string | undefined {
  return (copy as Copy).getFromFlag()?.getValue() ?? undefined;
}

function contextCopies(stage: Stage): { sources: string[]; destination: string }[] {
  return ofKind(stage, 'COPY')
    .filter((copy) => copyFrom(copy) === undefined)
    .map((copy) => {
      const all = words(copy);
      return { sources: all.slice(0, -1), destination: all.at(-1) ?? '' };
    });
}

/** Relative module specifiers of a file: static imports, re-exports and dynamic `import('...')`. */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = new Set<string>();
  for (const match of text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier !== undefined) specifiers.add(specifier);
  }
  return [...specifiers];
}

/** Every file reachable from the entry point, and every bare package it imports. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of relativeImports(file)) {
      if (specifier.startsWith('.')) {
        pending.push(resolve(dirname(file), specifier));
      } else if (!specifier.startsWith('node:')) {
        const parts = specifier.split('/');
        packages.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
      }
    }
  }
  return { files, packages };
}

describe('Dockerfile (static)', () => {
  const [deps, build, runtime] = stages();

  it('builds on Node.js 24 in three named stages: production dependencies, the JavaScript build, the runtime', () => {
    assert.equal(stages().length, 3);
    assert.equal(deps?.name, 'deps');
    assert.equal(build?.name, 'build');
    assert.equal(runtime?.name, 'runtime');
    for (const stage of [deps, build, runtime]) assert.match(stage.image, /^node:24(-[a-z0-9.-]+)?$/, stage.image);
    const install = ofKind(deps, 'RUN').map((run) => words(run).join(' '));
    assert.ok(install.some((command) => /\bnpm ci\b.*--omit=dev/.test(command)), install.join('\n'));
    assert.deepEqual(contextCopies(deps).flatMap((copy) => copy.sources), ['package.json', 'package-lock.json']);
    const building = ofKind(build, 'RUN').map((run) => words(run).join(' '));
    assert.deepEqual(building.at(-1), 'node scripts/build.ts', 'the build stage ends with the build script npm run build runs');
    assert.match(packageJson.scripts.build ?? '', /^node scripts\/build\.ts$/);
    // The runtime takes nothing from the build context: dependencies from deps, JavaScript from build.
    assert.deepEqual(contextCopies(runtime), []);
    assert.deepEqual(ofKind(runtime, 'COPY').map((copy) => copyFrom(copy)).sort(), ['build', 'deps']);
    assert.equal(dockerfile.getDirective()?.getValue(), 'docker/dockerfile:1');
  });

  it('runs as a numeric non-root user, has no HEALTHCHECK, and carries the OCI labels', () => {
    const users = ofKind(runtime!, 'USER').map((user) => words(user).join(''));
    assert.equal(users.length, 1);
    const uid = Number(users[0]!.split(':')[0]);
    assert.ok(Number.isInteger(uid) && uid > 0, `USER ${users[0]} must be a numeric non-root id (Kubernetes runAsNonRoot checks it)`);
    assert.equal(dockerfile.getHEALTHCHECKs().length, 0, 'Kubernetes probes, not HEALTHCHECK');
    assert.equal(dockerfile.getInstructions().filter((instruction) => instruction.getKeyword() === 'ADD').length, 0, 'COPY only');

    const labels = new Map<string, string>();
    for (const label of ofKind(runtime!, 'LABEL')) {
      for (const property of (label as unknown as { getProperties(): { getName(): string; getUnescapedValue(): string | null }[] }).getProperties()) {
        labels.set(property.getName(), (property.getUnescapedValue() ?? '').replace(/^"(.*)"$/, '$1'));
      }
    }
    for (const key of ['title', 'description', 'source', 'licenses', 'version']) assert.ok(labels.get(`org.opencontainers.image.${key}`), key);
    assert.equal(labels.get('org.opencontainers.image.licenses'), 'Apache-2.0');
    const versionArg = ofKind(runtime!, 'ARG').map((arg) => words(arg).join('')).find((arg) => arg.startsWith('VERSION='));
    assert.equal(versionArg, `VERSION=${packageJson.version}`, 'the version label defaults to package.json');
  });

  it('exposes the default port, keeps state in a volume, and starts the real entry point in exec form', () => {
    assert.deepEqual(ofKind(runtime!, 'EXPOSE').map((expose) => words(expose).join('')), [String(DEFAULTS.listen.port)]);
    assert.deepEqual(ofKind(runtime!, 'VOLUME').map(jsonForm), [['/app/data']]);
    assert.equal(DEFAULTS.statePath, './data/state.db', 'WORKDIR /app + the default state path = the volume');
    assert.deepEqual(ofKind(runtime!, 'WORKDIR').map((workdir) => words(workdir).join('')), ['/app']);
    const entrypoint = ofKind(runtime!, 'ENTRYPOINT').map(jsonForm);
    assert.equal(entrypoint.length, 1);
    const [command, ...args] = entrypoint[0] ?? [];
    assert.equal(command, 'node');
    assert.equal(args.at(-1), 'bin/snowflake-risk-exporter.js');
    // Only V8 memory settings before the script (bench/memory.bench.ts measures the image's settings as written here).
    for (const flag of args.slice(0, -1)) assert.match(flag, /^--((max-semi-space-size|heap-growing-percent)=\d+|expose-gc|no-sparkplug|no-maglev)$/, flag);
    const env = ofKind(runtime!, 'ENV').flatMap(words).join(' ');
    for (const name of ['MALLOC_ARENA_MAX', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_']) assert.match(env, new RegExp(`\\b${name}=\\d+`), name);
    assert.doesNotMatch(env, /SECRET|TOKEN|KEY|PASSWORD/i, 'no secret is baked into the image');
  });

  it('copies files that exist, are not excluded by .dockerignore, and hold the whole runtime import graph', () => {
    const ignored = readFileSync(join(REPO, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
    // The build stage compiles what it copies; the runtime holds only its output.
    const copied = contextCopies(build!).flatMap((copy) => copy.sources);
    const excludedUnlessReincluded = (source: string): boolean =>
      ignored.some((pattern) => source === pattern || source.startsWith(`${pattern}/`)) && !ignored.includes(`!${source}`);
    for (const source of [...copied, 'package-lock.json']) {
      assert.ok(existsSync(join(REPO, source)), `${source} exists`);
      assert.ok(!excludedUnlessReincluded(source), `${source} is not excluded by .dockerignore`);
    }
    for (const excluded of ['node_modules', '.git', 'test', 'data']) assert.ok(ignored.includes(excluded), `.dockerignore keeps ${excluded} out`);

    const { files, packages } = importGraph(join(REPO, 'bin', 'snowflake-risk-exporter.js'));
    assert.ok(files.size > 100, `${files.size} modules reached`);
    const inImage = (file: string): boolean => copied.some((source) => {
      const path = join(REPO, source);
      return file === path || (statSync(path).isDirectory() && file.startsWith(`${path}/`));
    });
    const outside = [...files].filter((file) => !inImage(file)).map((file) => relative(REPO, file));
    assert.deepEqual(outside, [], 'modules the entry point imports but the image does not copy');
    const notProduction = [...packages].filter((name) => !(name in packageJson.dependencies));
    assert.deepEqual(notProduction, [], 'packages imported at run time must be dependencies, not devDependencies');
  });
});

describe('Dockerfile (replayed)', () => {
  const work = mkdtempSync(join(tmpdir(), 'sre-docker-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  // `node` in the image is Node.js 24; here the devDependency's binary plays that part, first on PATH.
  const bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(NODE24, join(bin, 'node'));
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, npm_config_prefer_offline: 'true' };

  it('npm ci --omit=dev, the build and the ENTRYPOINT serve the embedded demo as JavaScript without any devDependency', { timeout: 600_000 }, async () => {
    const [deps, build, runtime] = stages();
    const app = (stage: string): string => join(work, stage, 'app');
    // Replays the RUNs of a stage with its absolute /app paths mapped into the temporary directory.
    const replay = (stage: Stage, directory: string, skip: (command: string) => boolean = () => false): void => {
      for (const run of ofKind(stage, 'RUN')) {
        const command = words(run).join(' ').replaceAll('/app', directory).replace(/&& chown \S+ \S+$/, process.getuid?.() === 0 ? '$&' : '');
        if (skip(command)) continue;
        const result = spawnSync('sh', ['-c', command], { cwd: directory, env, encoding: 'utf8' });
        assert.equal(result.status, 0, `RUN ${command}\n${result.stdout}\n${result.stderr}`);
      }
    };
    for (const [stage, directory] of [[deps!, app('deps')], [build!, app('build')], [runtime!, app('runtime')]] as const) {
      mkdirSync(directory, { recursive: true });
      for (const copy of ofKind(stage, 'COPY')) {
        const all = words(copy);
        const fromStage = copyFrom(copy);
        const sources = all.slice(0, -1);
        const destination = join(directory, all.at(-1)!);
        for (const source of sources) {
          const from = fromStage === undefined ? join(REPO, source) : join(app(fromStage), relative('/app', source));
          // As COPY does: a directory's contents go into the destination; files into it when it is a directory.
          const intoDirectory = !statSync(from).isDirectory() && (sources.length > 1 || all.at(-1)!.endsWith('/'));
          cpSync(from, intoDirectory ? join(destination, source.split('/').at(-1)!) : destination, { recursive: true });
        }
      }
      if (stage === deps) replay(stage, directory);
      if (stage === build) {
        // Not replayed: the build stage's full `npm ci` (every devDependency again, hundreds of MB). The repository's
        // own node_modules, installed from the same lockfile, stand in for it; the build command itself runs.
        symlinkSync(join(REPO, 'node_modules'), join(directory, 'node_modules'));
        replay(stage, directory, (command) => /^npm ci\b/.test(command));
      }
    }
    replay(runtime!, app('runtime'));
    const installed = app('runtime');
    assert.ok(!existsSync(join(installed, 'node_modules', 'typescript')), 'devDependencies are not installed');
    assert.ok(!existsSync(join(installed, 'node_modules', 'node', 'bin')), 'the node devDependency is not installed');
    assert.ok(existsSync(join(installed, 'data')), 'the state directory exists');
    const typescript = (readdirSync(installed, { recursive: true }) as string[]).filter((file) => !file.startsWith('node_modules') && file.endsWith('.ts'));
    assert.deepEqual(typescript, [], 'the image runs JavaScript only (no type stripping)');
    const bundle = readdirSync(join(installed, 'lib'));
    assert.ok(bundle.includes('main.js') && bundle.some((file) => /^emulator-\w+\.js$/.test(file)), `the bundle and its emulator chunk: ${bundle.join(' ')}`);
    assert.ok(!existsSync(join(installed, 'src')), 'the bundle, not the sources file by file');
    // scripts/builtin-dynamic-imports.ts: no dynamic import of a Node built-in is left to load Node's own undici.
    for (const file of bundle.filter((name) => name.endsWith('.js'))) {
      assert.doesNotMatch(readFileSync(join(installed, 'lib', file), 'utf8'), /\bimport\(\s*["'](node:)?[a-z_]+["']\s*\)/, file);
    }

    const [command, ...args] = jsonForm(ofKind(runtime!, 'ENTRYPOINT')[0]!);
    // The image's own environment (NODE_ENV, the allocator settings) over the test's.
    const runEnv: NodeJS.ProcessEnv = { ...env, ...imageEnv(runtime!) };
    assert.equal(runEnv.MALLOC_ARENA_MAX, '2');
    const version = spawnSync(command!, [...args, '--version'], { cwd: installed, env: runEnv, encoding: 'utf8' });
    assert.equal(version.stdout.trim(), packageJson.version, version.stderr);

    // OTLP logs on, to a receiver: the bundled OpenTelemetry exporter takes node:http through the build's shim.
    const receiver = await OtlpReceiver.start();
    const child = spawn(command!, args, {
      cwd: installed,
      env: { ...runEnv, SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN: '127.0.0.1:0', SNOWFLAKE_RISK_EXPORTER_OTLP__ENABLED: 'true', SNOWFLAKE_RISK_EXPORTER_OTLP__ENDPOINT: receiver.url },
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
    try {
      let metrics: string | undefined;
      for (let attempt = 0; attempt < 600 && metrics === undefined; attempt++) {
        metrics = /metrics\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output)?.[1];
        if (metrics === undefined) await new Promise((wait) => setTimeout(wait, 100));
      }
      assert.ok(metrics, output);
      let body = '';
      for (let attempt = 0; attempt < 600 && !/snowflake_risk_up\{account="demo"\} 1/.test(body); attempt++) {
        await new Promise((wait) => setTimeout(wait, 250));
        body = await (await fetch(metrics)).text();
      }
      assert.match(body, /snowflake_risk_up\{account="demo"\} 1/);
      assert.match(body, /snowflake_risk_findings_total\{account="demo"/);
      for (let attempt = 0; attempt < 600 && receiver.acknowledged().length === 0; attempt++) await new Promise((wait) => setTimeout(wait, 100));
      assert.ok(receiver.acknowledged().length > 0, `OTLP records delivered by the bundle\n${output}`);
    } finally {
      child.kill('SIGTERM');
    }
    await receiver.close();
    assert.equal(await exited, 0, output);
  });
});
