/* hostops.js: the core of cfuture's JS library ($CF): the host-op table,
 * copies in and out of the wasm heap, and the fault guard helpers that
 * every crossing uses (bindings/lib/crossings.js lists the crossings).
 *
 * Invariants:
 *   - A completion reaches C only if its slot is still live and still holds
 *     the same record; the slot is freed before C is called. Cancelling (C
 *     dropped the future) frees the slot first, so late completions are
 *     ignored: exactly one completion or one cancel per op.
 *   - Completions are never delivered synchronously inside the C call that
 *     started the op (always from a promise reaction or a microtask).
 *   - No view of the wasm heap is kept across a call into C (cfw_malloc can
 *     grow memory): HEAPU8 is re-read after each such call, and every copy
 *     checks its bounds.
 *   - Describing a thrown value never throws (faultMessage).
 */
var LibraryCFutureHostOps = {
  $CF__deps: ['$CFC'],
  $CF__postset: 'CF.init();',
  $CF: {
    SLOT_BITS: 20,
    MAX_MESSAGE: 4096,
    slots: [null],
    freeHead: 0, // first free slot (0: none); free slots link through .next
    liveOps: 0,
    encoder: null,
    decoder: null,
    E: null,
    noop: function() {},

    init: function() {
      var e = {};
      for (var k in CFC.errors) e[k.slice(3)] = CFC.errors[k].errno;
      CF.E = e;
    },

    // ---- host-op table -------------------------------------------------
    // A handle is (generation << 20) | slot, with a 10-bit generation: it
    // stays below 2^30, a small integer in every engine (a larger one would
    // be a boxed number, allocated on every await). Completions also check
    // that the slot holds their own record (opLive / opFreeIf), so a late
    // one never relies on the generation alone.
    opNew: function(rec) {
      var idx = CF.freeHead, s;
      if (idx !== 0) {
        s = CF.slots[idx];
        CF.freeHead = s.next;
      } else {
        idx = CF.slots.length;
        if (idx >= (1 << CF.SLOT_BITS)) throw new RangeError('cfuture: host-op table full');
        s = CF.slots[idx] = { gen: 0, rec: null, next: 0, own: 0 };
      }
      s.rec = rec;
      CF.liveOps++;
      return (s.gen << 20) | idx;
    },
    // A slot of its own for a record that is pooled and reused (the
    // promise records): the record is its slot object (gen, rec, next, own
    // = its index), armed by opArm for each op and released by opFreeIf
    // like any other, but never put on the free list, so an await neither
    // pops nor pushes it and touches no other object. Throws when full.
    opOwn: function(rec) {
      var idx = CF.slots.length;
      if (idx >= (1 << CF.SLOT_BITS)) throw new RangeError('cfuture: host-op table full');
      rec.gen = 0;
      rec.rec = null;
      rec.next = 0;
      rec.own = idx;
      CF.slots[idx] = rec;
    },
    // Start an op on an owned slot (free: its rec is null); its handle.
    opArm: function(rec) {
      rec.rec = rec;
      CF.liveOps++;
      return (rec.gen << 20) | rec.own;
    },
    // opFreeIf for an owned slot and a handle made by its opArm: the
    // record is the slot, so no table lookup.
    opDisarm: function(handle, rec) {
      if (rec.rec !== rec || rec.gen !== (handle >>> 20)) return false;
      rec.rec = null;
      rec.gen = (rec.gen + 1) & 0x3ff;
      CF.liveOps--;
      return true;
    },
    opGet: function(handle) {
      var s = CF.slots[handle & 0xfffff];
      return s !== undefined && s !== null && s.rec !== null && s.gen === (handle >>> 20) ? s.rec : null;
    },
    opLive: function(handle, rec) {
      return rec !== null && CF.opGet(handle) === rec;
    },
    opFree: function(handle) {
      var s = CF.slots[handle & 0xfffff];
      return s !== undefined && s !== null && CF.opFreeIf(handle, s.rec);
    },
    // Free the slot if it still holds rec (the completion's liveness check
    // and release in one lookup).
    opFreeIf: function(handle, rec) {
      var idx = handle & 0xfffff, s = CF.slots[idx];
      if (s === undefined || s === null || s.rec !== rec || rec === null || s.gen !== (handle >>> 20)) return false;
      s.rec = null;
      s.gen = (s.gen + 1) & 0x3ff;
      if (s.own === 0) {
        s.next = CF.freeHead;
        CF.freeHead = idx;
      }
      CF.liveOps--;
      return true;
    },
    opCancel: function(handle) {
      var rec = CF.opGet(handle);
      if (!rec) return;
      CF.opFree(handle);
      if (rec.cancel) {
        try { rec.cancel(); } catch (e) { CF.report(e); }
      }
    },

    // ---- faults ----------------------------------------------------------
    // Something JS did wrong that has no operation to complete (a listener,
    // a driver callback): log it, never throw it.
    report: function(e) {
      try { err('cfuture: ' + CF.faultMessage(e)); } catch (e2) {}
    },
    // A thrown or rejected value as text. Never throws: getters, Proxies
    // and objects without a prototype all end in some description.
    faultMessage: function(e) {
      var m;
      try {
        if (e !== null && (typeof e === 'object' || typeof e === 'function')) {
          var msg = e.message;
          if (typeof msg === 'string') {
            m = msg;
            var c = e.cause;
            if (c !== null && typeof c === 'object') {
              var cm = c.message, cc = c.code;
              if (typeof cm === 'string' && cm) m += ': ' + cm;
              else if (typeof cc === 'string' && cc) m += ': ' + cc;
            }
          }
        }
        if (m === undefined) m = String(e);
      } catch (e2) {
        m = 'a JavaScript value that cannot be described (reading it threw)';
      }
      if (typeof m !== 'string') m = 'a JavaScript value that cannot be described';
      return m.length > CF.MAX_MESSAGE ? m.slice(0, CF.MAX_MESSAGE) + '…' : m;
    },

    // ---- memory ---------------------------------------------------------
    utf8: function(s) {
      if (!CF.encoder) CF.encoder = new TextEncoder();
      return CF.encoder.encode(s);
    },
    fromUtf8: function(bytes) {
      if (!CF.decoder) CF.decoder = new TextDecoder();
      return CF.decoder.decode(bytes);
    },
    checkRange: function(ptr, len) {
      ptr = ptr >>> 0; len = len >>> 0;
      if (ptr + len > HEAPU8.length) throw new RangeError('cfuture: wasm range out of bounds');
    },
    // Copy bytes into a new cf_malloc'd block (+ a NUL if nul). Returns
    // [ptr, size] or null when out of memory.
    copyIn: function(bytes, nul) {
      var len = bytes.length, size = len + (nul ? 1 : 0) || 1;
      var ptr = CFX.malloc(size);
      if (!ptr) return null;
      CF.checkRange(ptr, size);
      HEAPU8.set(bytes, ptr); // HEAPU8 read after the call that may grow
      if (nul) HEAPU8[ptr + len] = 0;
      return [ptr, size];
    },
    // A message for C: a NUL-terminated copy, or [0, 0] (C then uses its
    // own text) when even that fails.
    copyMessage: function(msg) {
      try {
        return CF.copyIn(CF.utf8(msg), true) || [0, 0];
      } catch (e) {
        return [0, 0];
      }
    },
    // Copy out (never a view: the heap may be replaced later).
    copyOut: function(ptr, len) {
      ptr = ptr >>> 0; len = len >>> 0;
      CF.checkRange(ptr, len);
      return HEAPU8.slice(ptr, ptr + len);
    },
    str: function(ptr) {
      return ptr ? UTF8ToString(ptr >>> 0) : '';
    },
    freeBlock: function(r) { if (r && r[0]) CFX.free(r[0], r[1]); },
    latin1: function(bytes) {
      var s = '';
      for (var i = 0; i < bytes.length; i += 8192)
        s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
      return s;
    },
    latin1Bytes: function(s) {
      var b = new Uint8Array(s.length);
      for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
      return b;
    }
  }
};

mergeInto(LibraryManager.library, LibraryCFutureHostOps);
