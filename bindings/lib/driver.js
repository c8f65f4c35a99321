/* driver.js: the event-loop driver behind src/wasm/driver_js.c ($CFDriver)
 * and the pausable virtual clock.
 *
 * One record per C runtime: its one host timer (for the earliest deadline),
 * its pending microtask/macrotask run, the Node keepalive handle, the
 * virtual clock, and the per-runtime state the JS API keeps beside it (host
 * functions). Invariants:
 *   - at most one host timer armed per runtime, never firing C early (an
 *     early host timer re-arms instead);
 *   - at most one run request outstanding per runtime;
 *   - after free (`dead`) no callback of this record enters C;
 *   - the clock C reads is finite, non-negative and monotonic: advance()
 *     takes only finite, non-negative, safe-integer-bounded amounts.
 */
var LibraryCFutureDriver = {
  $CFDriver__deps: ['$CF'],
  $CFDriver: {
    drivers: [null],
    isNode: null, // decided in the running host, not at link time
    stats: { hostTimersArmed: 0, maxHostTimersArmed: 0, timerFires: 0, overdueArms: 0,
             earlyFires: 0, microtasks: 0, macrotasks: 0, fetches: 0, bodyReads: 0 },

    create: function() {
      var d = { id: CFDriver.drivers.length, rt: 0, timer: null, timerIsImmediate: false,
                deadline: -1, runPending: 0, keep: null, alive: 0, paused: false, virt: 0,
                offset: 0, dead: false, channel: null, arms: 0, hostFns: new Map() };
      d.runNow = function() {
        d.runPending = 0;
        if (!d.dead && d.rt) CFX.runtimeTurn(d.rt);
      };
      d.fire = function() {
        d.timer = null;
        CFDriver.stats.hostTimersArmed--;
        CFDriver.stats.timerFires++;
        if (d.dead || d.deadline < 0) return;
        if (CFDriver.now(d) < d.deadline) { // host timers may fire early: never let C see that
          CFDriver.stats.earlyFires++;
          CFDriver.schedule(d);
          return;
        }
        if (d.rt) CFX.runtimeTurn(d.rt);
      };
      CFDriver.drivers.push(d);
      return d;
    },
    get: function(id) {
      var d = CFDriver.drivers[id];
      return d && !d.dead ? d : null;
    },
    of: function(rt) {
      for (var i = 1; i < CFDriver.drivers.length; i++) {
        var d = CFDriver.drivers[i];
        if (d && !d.dead && d.rt === rt) return d;
      }
      return null;
    },
    hostNow: function() { return performance.now(); },
    now: function(d) {
      return d.paused ? d.virt : CFDriver.hostNow() - d.offset;
    },
    clearTimer: function(d) {
      if (d.timer !== null) {
        if (d.timerIsImmediate) clearImmediate(d.timer);
        else clearTimeout(d.timer);
        d.timer = null;
        CFDriver.stats.hostTimersArmed--;
      }
    },
    schedule: function(d) {
      CFDriver.clearTimer(d);
      if (d.deadline < 0 || d.paused || d.dead) return;
      var delay = Math.ceil(d.deadline - CFDriver.now(d));
      // setTimeout takes at most 2^31-1 ms; a longer wait re-arms on fire.
      delay = Math.min(Math.max(delay, 0), 2147483647);
      // Already due (the runtime fell behind a burst of timers): fire on
      // the next check phase, not through setTimeout(0)'s 1 ms clamp, or
      // every batch of a burst would add a millisecond of lateness.
      d.timerIsImmediate = delay === 0 && typeof setImmediate === 'function';
      if (delay === 0) CFDriver.stats.overdueArms++;
      d.timer = d.timerIsImmediate ? setImmediate(d.fire) : setTimeout(d.fire, delay);
      // Liveness is the keepalive handle's job (the runtime counts timers).
      // Never unref an Immediate: Node then blocks in its poll phase as if it
      // were not there (until some other timer), instead of running it.
      if (!d.timerIsImmediate && d.timer && typeof d.timer.unref === 'function') d.timer.unref();
      var s = CFDriver.stats;
      s.hostTimersArmed++;
      if (s.hostTimersArmed > s.maxHostTimersArmed) s.maxHostTimersArmed = s.hostTimersArmed;
    },
    arm: function(d, deadline) {
      d.arms++;
      d.deadline = deadline;
      CFDriver.schedule(d);
    },
    requestRun: function(d, kind) {
      if (d.runPending) return; // coalesce: one outstanding run per runtime
      d.runPending = kind + 1;
      if (kind === 0) { CFDriver.stats.microtasks++; queueMicrotask(d.runNow); }
      else { CFDriver.stats.macrotasks++; CFDriver.macrotask(d); }
    },
    macrotask: function(d) {
      if (typeof setImmediate === 'function') {
        setImmediate(d.runNow);
        return;
      }
      if (!d.channel) { // browsers: MessageChannel is not clamped like setTimeout(0)
        d.channel = new MessageChannel();
        d.channel.port1.onmessage = d.runNow;
      }
      d.channel.port2.postMessage(0);
    },
    keepalive: function(d, alive) {
      d.alive = alive;
      if (CFDriver.isNode === null)
        CFDriver.isNode = typeof process === 'object' && process.versions != null &&
          process.versions.node != null;
      if (!CFDriver.isNode) return;
      if (!d.keep) {
        d.keep = setInterval(CF.noop, 1 << 30);
        d.keep.unref();
      }
      if (alive) d.keep.ref(); else d.keep.unref();
    },
    free: function(d) {
      d.dead = true;
      d.rt = 0;
      CFDriver.clearTimer(d);
      d.deadline = -1;
      if (d.keep) { clearInterval(d.keep); d.keep = null; }
      if (d.channel) { d.channel.port1.close(); d.channel = null; }
      d.hostFns.clear();
      CFDriver.drivers[d.id] = null;
    },

    // ---- virtual clock (tokio's time::pause) ------------------------------
    pause: function(d) {
      if (d.paused) return;
      // Whole milliseconds, so virtual deadlines are exact: sleep(100) then
      // advance(100) fires it (a fractional start would round it up).
      d.virt = Math.ceil(CFDriver.now(d));
      d.paused = true;
      CFDriver.clearTimer(d);
    },
    resume: function(d) {
      if (!d.paused) return;
      d.offset = CFDriver.hostNow() - d.virt; // continue from the virtual time
      d.paused = false;
      CFDriver.schedule(d);
    },
    settle: function() {
      return new Promise(function(resolve) {
        if (typeof setImmediate === 'function') setImmediate(resolve);
        else { var c = new MessageChannel(); c.port1.onmessage = function() { c.port1.close(); resolve(); }; c.port2.postMessage(0); }
      });
    },
    // Amounts a clock may move by: C reads the clock as int64 ms, so the
    // sum must stay an exactly representable integer.
    checkAdvance: function(d, ms) {
      if (typeof ms !== 'number') throw new TypeError('cfuture: clock.advance(ms) needs a number of milliseconds, got ' + (ms === null ? 'null' : typeof ms));
      if (!(ms >= 0) || !isFinite(ms) || d.virt + ms > Number.MAX_SAFE_INTEGER)
        throw new RangeError('cfuture: clock.advance(ms) needs a finite, non-negative amount below 2^53 ms, got ' + ms);
      if (!d.paused) throw new Error('cfuture: clock.advance needs a paused clock (call clock.pause() first)');
    },
    // Move virtual time forward by ms, stopping at each due deadline so that
    // timers fire in order and tasks they wake run before later timers.
    advance: async function(d, ms) {
      var target = d.virt + ms;
      await CFDriver.settle();
      while (!d.dead && d.deadline >= 0 && d.deadline <= target) {
        d.virt = Math.max(d.virt, d.deadline);
        if (d.rt) CFX.runtimeTurn(d.rt);
        await CFDriver.settle();
      }
      if (!d.dead) d.virt = Math.max(d.virt, target);
      await CFDriver.settle();
    }
  }
};

mergeInto(LibraryManager.library, LibraryCFutureDriver);
