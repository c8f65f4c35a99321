/* fetch.js: HTTP requests for cf_fetch_t over the global fetch ($CFFetch),
 * buffered or streamed with backpressure.
 *
 * C validated the request before this runs (src/wasm/fetch_validate.c);
 * what only the host can know is checked here before the network is
 * touched: a path-only URL needs a base (a page's location), which Node
 * does not have. Every outcome, including a host object that throws
 * (a patched fetch, a fake Response), completes the C future once:
 *   rejections of fetch -> CF_ECONNREFUSED / CF_EINVAL / CF_ENETWORK,
 *   anything else JS throws -> CF_EJS with its message.
 * Invariants: a buffered body never holds more than max bytes (the request
 * is aborted at the first byte beyond); a streamed body pulls one chunk
 * only when C has asked for one.
 */
var LibraryCFutureFetch = {
  $CFFetch__deps: ['$CF', '$CFDriver'],
  $CFFetch: {
    headerList: function(ptr, len) {
      var bytes = CF.copyOut(ptr, len), out = [], parts = [], start = 0;
      for (var i = 0; i < bytes.length; i++) {
        if (bytes[i] === 0) { parts.push(CF.latin1(bytes.subarray(start, i))); start = i + 1; }
      }
      for (var j = 0; j + 1 < parts.length; j += 2) out.push([parts[j], parts[j + 1]]);
      return out;
    },
    errorCode: function(e) {
      var code, name, message;
      try {
        var c = e && e.cause;
        code = c && typeof c === 'object' ? c.code : undefined;
        name = e && e.name;
        message = e && e.message;
      } catch (e2) {
        return CF.E.EJS;
      }
      if (code === 'ECONNREFUSED') return CF.E.ECONNREFUSED;
      if (code === 'ERR_INVALID_URL' || (name === 'TypeError' && /invalid url|failed to parse url/i.test(typeof message === 'string' ? message : '')))
        return CF.E.EINVAL;
      if (name === 'AbortError') return CF.E.ECANCELED;
      return CF.E.ENETWORK;
    },
    // A URL the host cannot resolve: null if fine, else why.
    unresolvable: function(url) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return null;
      var base = typeof location === 'object' && location ? location.href : undefined;
      if (base === undefined)
        return 'relative URL "' + url.slice(0, 200) + '" has no base to resolve against here (no page location); use an absolute http(s) URL';
      return null;
    },
    start: function(f, method, url, headers, hlen, body, blen, hasBody, maxBody, stream) {
      var rec = { kind: 'fetch', ctl: new AbortController() };
      rec.cancel = function() { rec.ctl.abort(); };
      var h = CF.opNew(rec);
      CFDriver.stats.fetches++;
      var u, init;
      try {
        u = CF.str(url);
        init = { method: CF.str(method), headers: CFFetch.headerList(headers, hlen),
                 signal: rec.ctl.signal };
        if (hasBody) init.body = CF.copyOut(body, blen);
      } catch (e) {
        CFFetch.failSoon(h, rec, f, CF.E.EJS, CF.faultMessage(e));
        return h;
      }
      var why = CFFetch.unresolvable(u);
      if (why) {
        CFFetch.failSoon(h, rec, f, CF.E.EINVAL, why);
        return h;
      }
      // From a microtask: a patched fetch that throws synchronously must
      // not complete the op inside the C call that is starting it.
      queueMicrotask(function() {
        if (!CF.opLive(h, rec)) return;
        CFFetch.run(h, rec, f, u, init, maxBody, !!stream).catch(function(e) {
          CFFetch.fail(h, rec, f, CF.E.EJS, CF.faultMessage(e));
        });
      });
      return h;
    },
    // Completions never arrive inside the C call that started the op.
    failSoon: function(h, rec, f, rc, msg) {
      queueMicrotask(function() { CFFetch.fail(h, rec, f, rc, msg); });
    },
    fail: function(h, rec, f, rc, msg) {
      if (!CF.opLive(h, rec)) return;
      CF.opFree(h);
      try { rec.ctl.abort(); } catch (e) {}
      var m = msg ? CF.copyMessage(msg) : [0, 0];
      CFX.fetchDone(f, rc, m[0], m[1]);
    },
    headBlocks: function(res) {
      var parts = [], n = 0;
      res.headers.forEach(function(value, name) {
        parts.push(CF.latin1Bytes(String(name)), CF.latin1Bytes(String(value)));
        n++;
      });
      var total = 0, i;
      for (i = 0; i < parts.length; i++) total += parts[i].length + 1;
      var buf = new Uint8Array(total), o = 0;
      for (i = 0; i < parts.length; i++) { buf.set(parts[i], o); o += parts[i].length + 1; }
      return { bytes: buf, n: n };
    },
    // Deliver status and headers; false if out of memory (all freed).
    deliverHead: function(f, res, stream) {
      var status = Number(res.status) | 0;
      var hb = CFFetch.headBlocks(res);
      var st = CF.copyIn(CF.utf8(String(res.statusText || '')), true);
      var hd = st ? CF.copyIn(hb.bytes, false) : null;
      if (!st || !hd) { CF.freeBlock(st); CF.freeBlock(hd); return false; }
      CFX.fetchHead(f, status, st[0], st[1], hd[0], hd[1], hb.n, stream);
      return true;
    },
    run: async function(h, rec, f, url, init, max, stream) {
      var res;
      try {
        res = await fetch(url, init);
      } catch (e) {
        CFFetch.fail(h, rec, f, CFFetch.errorCode(e), CF.faultMessage(e));
        return;
      }
      if (!CF.opLive(h, rec)) return; // dropped: the signal already aborted the body
      if (stream) {
        var reader = res.body ? res.body.getReader() : null;
        var srec = reader ? { kind: 'body', ctl: rec.ctl, reader: reader, max: max,
                              total: 0, stash: null, pending: null, reading: false, dead: false } : null;
        if (srec) srec.cancel = function() { CFFetch.bodyCancel(srec); };
        var sh = srec ? CF.opNew(srec) : 0;
        var ok;
        try {
          ok = CFFetch.deliverHead(f, res, sh);
        } catch (e) {
          if (sh) CF.opCancel(sh);
          throw e;
        }
        if (!ok) {
          if (sh) CF.opCancel(sh);
          CFFetch.fail(h, rec, f, CF.E.ENOMEM, 'out of memory');
          return;
        }
        CF.opFree(h);
        CFX.fetchDone(f, 0, 0, 0);
        return;
      }
      // A declared length within the limit: one block in wasm memory, each
      // chunk copied in as it arrives (no second copy held in JS).
      var clh = res.headers.get('content-length');
      var declared = typeof clh === 'string' && /^\s*\d+\s*$/.test(clh) ? Number(clh) : -1;
      if (max > 0 && declared > max) {
        CFFetch.fail(h, rec, f, CF.E.EMSGSIZE, 'body of ' + declared + ' bytes exceeds the limit of ' + max + ' bytes');
        return;
      }
      var body = { ptr: 0, size: 0, total: 0, chunks: declared >= 0 ? null : [] };
      if (declared >= 0) {
        body.size = declared || 1;
        body.ptr = CFX.malloc(body.size);
        if (!body.ptr) { CFFetch.fail(h, rec, f, CF.E.ENOMEM, 'out of memory for a body of ' + declared + ' bytes'); return; }
      }
      var freeBody = function() { if (body.ptr) { CFX.free(body.ptr, body.size); body.ptr = 0; } };
      try {
        var outcome = await CFFetch.readAll(h, rec, res, body, declared, max);
        if (outcome) { freeBody(); if (outcome.rc) CFFetch.fail(h, rec, f, outcome.rc, outcome.msg); return; }
        if (!body.ptr) { // unknown length: one block now
          body.size = body.total || 1;
          body.ptr = CFX.malloc(body.size);
          if (!body.ptr) { CFFetch.fail(h, rec, f, CF.E.ENOMEM, 'out of memory'); return; }
          CF.checkRange(body.ptr, body.total);
          var heap = HEAPU8, o = body.ptr; // no call into C until the copy is done
          for (var i = 0; i < body.chunks.length; i++) { heap.set(body.chunks[i], o); o += body.chunks[i].length; }
          body.chunks = null;
        }
        if (!CFFetch.deliverHead(f, res, 0)) {
          freeBody();
          CFFetch.fail(h, rec, f, CF.E.ENOMEM, 'out of memory');
          return;
        }
      } catch (e) {
        freeBody();
        throw e;
      }
      var ptr = body.ptr;
      body.ptr = 0; // C owns it from here
      CFX.fetchBody(f, ptr, body.total, body.size);
      CF.opFree(h);
      CFX.fetchDone(f, 0, 0, 0);
    },
    // Read a buffered body into body.ptr (declared length) or body.chunks.
    // Returns null when complete, {} when the op was dropped meanwhile, or
    // { rc, msg } for a failure.
    readAll: async function(h, rec, res, body, declared, max) {
      if (!res.body) return null;
      var rd = res.body.getReader();
      for (;;) {
        var r;
        try {
          r = await rd.read();
        } catch (e) {
          return { rc: CFFetch.errorCode(e), msg: CF.faultMessage(e) };
        }
        if (!CF.opLive(h, rec)) return {};
        if (r.done) return null;
        var v = r.value instanceof Uint8Array ? r.value : new Uint8Array(r.value);
        var next = body.total + v.length;
        if (max > 0 && next > max) return { rc: CF.E.EMSGSIZE, msg: 'body exceeds the limit of ' + max + ' bytes' };
        if (declared >= 0) {
          if (next > declared) return { rc: CF.E.ENETWORK, msg: 'body longer than its Content-Length of ' + declared };
          CF.checkRange(body.ptr + body.total, v.length);
          HEAPU8.set(v, body.ptr + body.total); // HEAPU8 re-read: C may have grown memory meanwhile
        } else {
          body.chunks.push(v);
        }
        body.total = next;
      }
    },
    bodyCancel: function(srec) {
      srec.dead = true;
      try { srec.ctl.abort(); } catch (e) {}
      try { srec.reader.cancel().catch(CF.noop); } catch (e) {}
    },
    // Pull one chunk from the network: only when C has asked for one.
    pump: function(sh, srec) {
      srec.reading = true;
      CFDriver.stats.bodyReads++;
      Promise.resolve().then(function() { return srec.reader.read(); }).then(function(r) {
        srec.reading = false;
        if (srec.dead) return;
        if (r.done) srec.stash = { done: true };
        else {
          var v = r.value instanceof Uint8Array ? r.value : new Uint8Array(r.value);
          srec.total += v.length;
          if (srec.max > 0 && srec.total > srec.max)
            srec.stash = { rc: CF.E.EMSGSIZE };
          else srec.stash = { value: v };
        }
        CFFetch.deliver(sh, srec);
      }, function(e) {
        srec.reading = false;
        if (srec.dead) return;
        srec.stash = { rc: CFFetch.errorCode(e) };
        CFFetch.deliver(sh, srec);
      }).catch(function(e) {
        srec.stash = { rc: CF.E.EJS };
        CFFetch.deliver(sh, srec);
        CF.report(e);
      });
    },
    read: function(r, sh) {
      var srec = CF.opGet(sh);
      if (!srec || srec.kind !== 'body' || srec.pending) return 0;
      var rec = { kind: 'read' };
      var h = CF.opNew(rec);
      srec.pending = { h: h, rec: rec, r: r };
      if (srec.stash) queueMicrotask(function() { CFFetch.deliver(sh, srec); });
      else if (!srec.reading) CFFetch.pump(sh, srec);
      return h;
    },
    deliver: function(sh, srec) {
      var p = srec.pending;
      srec.pending = null;
      if (!p || !CF.opLive(p.h, p.rec) || !srec.stash) return; // the chunk waits for the next read
      var s = srec.stash;
      srec.stash = null;
      CF.opFree(p.h);
      if (s.value) {
        var c = null;
        try { c = CF.copyIn(s.value, false); } catch (e) { CF.report(e); }
        if (c) { CFX.fetchChunkDone(p.r, 0, c[0], s.value.length, c[1], 0); return; }
        s = { rc: CF.E.ENOMEM };
      }
      // End or error: the body handle goes away with it.
      if (CF.opFree(sh) && s.rc) CFFetch.bodyCancel(srec);
      CFX.fetchChunkDone(p.r, s.done ? 0 : s.rc, 0, 0, 0, 1);
    }
  }
};

mergeInto(LibraryManager.library, LibraryCFutureFetch);
