// The memory settings the container image runs with, read from the Dockerfile itself so the benchmark measures
// exactly what ships: the V8 flags between `node` and the script in the runtime stage's ENTRYPOINT, and the
// allocator variables (MALLOC_*) its ENV sets.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';

export interface MemorySettings {
  readonly nodeFlags: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export function imageMemorySettings(dockerfilePath = join(import.meta.dirname, '..', '..', 'Dockerfile')): MemorySettings {
  const dockerfile = DockerfileParser.parse(readFileSync(dockerfilePath, 'utf8'));
  const instructions = dockerfile.getInstructions();
  const lastFrom = instructions.findLastIndex((instruction) => instruction.getKeyword() === 'FROM');
  const runtime = instructions.slice(lastFrom + 1);
  const entrypoint = runtime.find((instruction) => instruction.getKeyword() === 'ENTRYPOINT');
  const words = JSON.parse(entrypoint?.getArgumentsContent() ?? '[]') as string[];
  if (words[0] !== 'node') throw new Error(`the Dockerfile's ENTRYPOINT does not start with node: ${JSON.stringify(words)}`);
  const env: Record<string, string> = {};
  for (const instruction of runtime.filter((candidate) => candidate.getKeyword() === 'ENV')) {
    for (const property of (instruction as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }).getProperties()) {
      if (property.getName().startsWith('MALLOC_')) env[property.getName()] = property.getValue() ?? '';
    }
  }
  return { nodeFlags: words.slice(1, -1).filter((word) => word.startsWith('--')), env };
}

export function describeSettings(settings: MemorySettings): string {
  return [...settings.nodeFlags, ...Object.entries(settings.env).map(([name, value]) => `${name}=${value}`)].join(' ') || 'none';
}
