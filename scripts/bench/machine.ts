import os from 'node:os';

/** The machine and runtime a benchmark ran on. */
export interface MachineInfo {
  cpuModel: string;
  logicalCores: number;
  memoryBytes: number;
  nodeVersion: string;
  esbuildVersion: string;
  os: string;

  /** ISO 8601 time in UTC when the benchmark started. */
  date: string;
}

export function describeMachine(esbuildVersion: string): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    logicalCores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    nodeVersion: process.version,
    esbuildVersion,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}
