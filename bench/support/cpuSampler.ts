/**
 * CPU used during a window, from /proc (Linux): the whole machine, and a set of processes.
 * On a shared machine this tells a reader whether a slow run was the server or the neighbours.
 */
import fs from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux
export interface CpuSample {
  at: number;
  busyTicks: number;
  stealTicks: number;
  processTicks: Map<number, number>;
}

export function sampleCpu(pids: number[]): CpuSample | null {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = fields;
    const processTicks = new Map<number, number>();
    for (const pid of pids) {
      const ticks = processCpuTicks(pid);
      if (ticks !== null) processTicks.set(pid, ticks);
    }
    return { at: Date.now(), busyTicks: user + nice + system + irq + softirq, stealTicks: steal, processTicks };
  } catch {
    return null; // not Linux
  }
}

/** Percent of one core, between two samples: machine busy, steal, and the sum of the processes (or of `only`). */
export function cpuBetween(start: CpuSample, end: CpuSample, only?: number[]): { machineBusy: number; steal: number; processes: number } {
  const elapsed = Math.max(1, end.at - start.at);
  let processTicks = 0;
  for (const [pid, ticks] of end.processTicks) {
    if (!only || only.includes(pid)) processTicks += ticks - (start.processTicks.get(pid) ?? ticks);
  }
  const percent = (ticks: number) => Math.round((1000 * ticks * TICK_MS) / elapsed) / 10;
  return {
    machineBusy: percent(end.busyTicks - start.busyTicks),
    steal: percent(end.stealTicks - start.stealTicks),
    processes: percent(processTicks),
  };
}

function processCpuTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime, stime
  } catch {
    return null; // exited
  }
}
