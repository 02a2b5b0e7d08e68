import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InfraError } from './infra.errors';

/** Major version of a java binary, or undefined when it cannot run. */
export function javaMajor(java: string): number | undefined {
  const result = spawnSync(java, ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(result.stderr);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first; // "1.8" style
}

export function requireJava(java: string, minMajor: number, forWhat: string, envVar: string): string {
  const major = javaMajor(java);
  if (major === undefined) {
    throw new InfraError('PREREQUISITE_MISSING', `${forWhat} needs Java ${minMajor}+, but "${java}" does not run; install a JDK (apt-get install openjdk-17-jdk-headless) or set ${envVar}=/path/to/bin/java`);
  }
  if (major < minMajor) {
    throw new InfraError('PREREQUISITE_MISSING', `${forWhat} needs Java ${minMajor}+, but "${java}" is Java ${major}; set ${envVar}=/path/to/bin/java of a newer JDK`);
  }
  return java;
}

/**
 * Apicurio Registry 3.3 is compiled for Java 21 (class file 65), while the
 * machine's default is 17: look for a newer JDK beside it (/usr/lib/jvm) before giving up.
 */
export function findJavaAtLeast(minMajor: number, candidates: Array<string | undefined>): string | undefined {
  const jvmRoot = '/usr/lib/jvm';
  const installed = existsSync(jvmRoot)
    ? readdirSync(jvmRoot)
        .map((dir) => join(jvmRoot, dir))
        .filter((home) => existsSync(join(home, 'bin', 'java')))
        .map((home) => ({ java: join(home, 'bin', 'java'), major: releaseMajor(home) }))
        .sort((a, b) => (b.major ?? 0) - (a.major ?? 0))
        .map((c) => c.java)
    : [];
  for (const java of [...candidates.filter((c): c is string => !!c), 'java', ...installed]) {
    const major = javaMajor(java);
    if (major !== undefined && major >= minMajor) return java;
  }
  return undefined;
}

function releaseMajor(javaHome: string): number | undefined {
  const release = join(javaHome, 'release');
  if (!existsSync(release)) return undefined;
  const match = /JAVA_VERSION="(\d+)/.exec(readFileSync(release, 'utf8'));
  return match ? Number(match[1]) : undefined;
}

export function requireTool(command: string, versionArg: string, forWhat: string, install: string): void {
  const result = spawnSync(command, [versionArg], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new InfraError('PREREQUISITE_MISSING', `${forWhat} needs "${command}" on PATH to provision; ${install}`);
  }
}
