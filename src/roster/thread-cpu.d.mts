/** This thread's CPU seconds (user + system), from /proc on Linux; null elsewhere. */
export function threadCpuSeconds(): number | null;
