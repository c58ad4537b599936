// The kernel configs a kernel family registers on a backend, from its functions by kernel name.
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs';

export function kernelConfigs(backendName: string, funcs: Record<string, KernelFunc>): KernelConfig[] {
  return Object.entries(funcs).map(([kernelName, kernelFunc]) => ({ kernelName, backendName, kernelFunc }));
}
