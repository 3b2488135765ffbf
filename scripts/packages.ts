// The workspace's packages as a site owner gets them: packed (each builds itself on prepack), installed
// into an empty project, and measured. `npm run bench` prints the figures; the install test uses them.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });

/** `npm pack` of workspace packages (by name) into `dir`; the tarballs' paths, by package name. */
export const packWorkspaces = (names: string[], dir: string): Record<string, string> => {
  mkdirSync(dir, { recursive: true });
  npm(['pack', ...names.flatMap((n) => ['-w', n]), '--pack-destination', dir], root);
  return Object.fromEntries(
    names.map((name) => {
      // npm names @scope/name's tarball scope-name-<version>.tgz.
      const base = name.replace(/^@/, '').replace('/', '-');
      const found = readdirSync(dir).find((f) => f.startsWith(`${base}-`) && /^\d/.test(f.slice(base.length + 1)));
      if (!found) throw new Error(`npm pack wrote no tarball for ${name} in ${dir}`);
      return [name, join(dir, found)];
    }),
  );
};

/** A new project in `dir` with only these tarballs installed (their dependencies from the registry). */
export const installTarballs = (dir: string, tarballs: string[]) => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'a-site', private: true, type: 'module' }));
  npm(['install', '--prefer-offline', ...tarballs], dir);
  return dir;
};

const sizeOf = (path: string): number => {
  const stat = lstatSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((n, f) => n + sizeOf(join(path, f)), 0) : stat.size;
};

/** Every package folder under a node_modules (scoped and nested ones too). */
export const installedPackages = (modules: string): string[] =>
  existsSync(modules)
    ? readdirSync(modules)
        .filter((f) => !f.startsWith('.'))
        .flatMap((f) =>
          f.startsWith('@') ? readdirSync(join(modules, f)).map((g) => join(modules, f, g)) : [join(modules, f)],
        )
        .flatMap((dir) => [dir, ...installedPackages(join(dir, 'node_modules'))])
    : [];

/** What an install added: how many packages, and their files' bytes. */
export const installSize = (project: string) => {
  const modules = join(project, 'node_modules');
  return { packages: installedPackages(modules).length, bytes: sizeOf(modules) };
};
