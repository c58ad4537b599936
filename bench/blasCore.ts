import { readFileSync } from 'node:fs';

/**
 * For the PyTorch reference's environment: OpenBLAS 0.3.21 (Debian 12) does not know recent cores and
 * may fall back to slower kernels than the CPU runs. OpenBLAS reads OPENBLAS_CORETYPE when the library
 * loads, so the benchmarks also time PyTorch with the kernel family named from the CPU's flags, and
 * take the faster. Returns the value set, if any.
 */
export function chooseBlasCoreType(env: NodeJS.ProcessEnv = process.env, cpuinfo = readCpuinfo()): string | undefined {
  if (env.OPENBLAS_CORETYPE || !cpuinfo) return undefined;
  const flags = new Set((/^flags\s*:(.*)$/m.exec(cpuinfo)?.[1] ?? '').trim().split(/\s+/));
  const core = ['avx512f', 'avx512bw', 'avx512dq', 'avx512vl', 'avx512cd'].every((flag) => flags.has(flag))
    ? 'SkylakeX'
    : flags.has('avx2') && flags.has('fma')
      ? 'Haswell'
      : undefined;
  if (core) env.OPENBLAS_CORETYPE = core;
  return core;
}

function readCpuinfo(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return undefined;
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return undefined;
  }
}
