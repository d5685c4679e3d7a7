// A one-line progress bar on a terminal; silent when stderr is not a TTY.

export interface ProgressBar {
  update(phase: string, done: number, total: number): void;
  done(): void;
}

export function progressBar(stream: NodeJS.WriteStream, disabled: boolean): ProgressBar {
  const live = !disabled && stream.isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update(phase, done, total) {
      if (!live) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = total ? Math.round((done / total) * width) : 0;
      stream.write(`\r${phase.padEnd(8)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}
