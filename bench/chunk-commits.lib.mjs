// Times every chunk commit of a recording (the one Automerge change per sealed chunk) by
// wrapping Workout.prototype.sealChunk. Used by bench/record and bench/recorder.

/**
 * Starts timing the chunk commits of `Workout` (the class from the core's build). Returns
 * `commits`, the durations in ms, which grows as chunks are sealed, and `stop()`, which puts
 * the original method back.
 */
export function timeChunkCommits(Workout) {
  const commits = [];
  const sealChunk = Workout.prototype.sealChunk;
  Workout.prototype.sealChunk = function timedSealChunk(options) {
    const t = performance.now();
    sealChunk.call(this, options);
    commits.push(performance.now() - t);
  };
  const stop = () => {
    Workout.prototype.sealChunk = sealChunk;
  };
  return { commits, stop };
}
