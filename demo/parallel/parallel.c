/* demo/parallel/parallel.c: the "parallel" demo (issue 12): one CPU-heavy
 * job, a Mandelbrot image, split into row bands (tiles), each band a
 * cf_spawn_blocking job on the runtime's pool of Web Workers, all awaited
 * together by one task on the event-loop thread. Built only in the threaded
 * flavour (demo/parallel/parallel.cmake, dist/parallel/).
 *
 *   rt.call('demo_parallel', tiles, threads, size, max_iter)
 *     -> JSON {ms, threads, tiles, size, checksum, thumb, thumb_side}
 *
 * Owns: the image (size*size bytes, allocated at the first poll, shared
 * with the jobs by reference count) and one job per tile. Invariants: a tile's
 * job writes only its own rows of the image and its own checksum, so jobs share
 * no mutable state; the checksum is a function of (size, max_iter) only, the
 * same whatever the number of threads or tiles (the CLI and the page check
 * that); a job checks cf_blocking_cancelled once per row, so aborting the
 * call stops the workers within a row's time. `ms` is measured on the
 * event-loop thread from the first spawn to the last completion.
 * Costs: tiles * (one spawn + one completion), size^2 * iterations of the
 * inner loop spread over `threads` workers; nothing runs on the event-loop
 * thread but the spawns and the completions. */
#include <emscripten.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cfuture.h>
#include <cfuture/wasm.h>

#define PAR_MAX_TILES 64
#define PAR_MAX_SIZE 4096
#define PAR_THUMB 48

/* What the jobs and the frame share: the image and one checksum slot per
 * tile. Reference-counted on the event-loop thread only (the frame holds
 * one reference, each queued or running job one, released by its
 * drop_arg), so an aborted call that leaves jobs running frees it when the
 * last of them is finalized, never under a running job. */
typedef struct par_shared {
  int refs;
  int size, max_iter;
  uint32_t sums[PAR_MAX_TILES];
  uint8_t px[];
} par_shared_t;

typedef struct par_tile {
  par_shared_t *s;
  int i, y0, y1;
} par_tile_t;

static void shared_unref(par_shared_t *s) {
  if (s && --s->refs == 0)
    free(s);
}

static void tile_drop(void *arg) {
  par_tile_t *t = arg;
  shared_unref(t->s);
  free(t);
}

typedef struct par_demo {
  cf_future_t base;
  int tiles, threads, size, max_iter;
  int spawned, done;
  double t0, ms;
  par_shared_t *s;
  uint32_t checksum;
  uint8_t done_flags[PAR_MAX_TILES];
  cf_blocking_handle_t h[PAR_MAX_TILES];
} par_demo_t;

/* One band of rows (worker thread): escape-time iteration counts into the
 * image; an order-independent checksum of the band (FNV-1a per row,
 * summed) into the tile's own slot. */
static int tile_fn(void *arg, const cf_blocking_ctx_t *ctx) {
  const par_tile_t *t = arg;
  par_shared_t *s = t->s;
  const int n = s->size, max_iter = s->max_iter;
  uint32_t sum = 0;
  for (int y = t->y0; y < t->y1; y++) {
    if (cf_blocking_cancelled(ctx))
      return CF_ECANCELED;
    uint8_t *row = s->px + (size_t)y * (size_t)n;
    const double ci = -1.25 + 2.5 * (double)y / (double)n;
    uint32_t h = 2166136261u;
    for (int x = 0; x < n; x++) {
      const double cr = -2.1 + 2.8 * (double)x / (double)n;
      double zr = 0, zi = 0;
      int it = 0;
      while (it < max_iter && zr * zr + zi * zi <= 4.0) {
        const double t2 = zr * zr - zi * zi + cr;
        zi = 2.0 * zr * zi + ci;
        zr = t2;
        it++;
      }
      row[x] = (uint8_t)(it == max_iter ? 0 : 1 + it % 255);
      h = (h ^ row[x]) * 16777619u;
    }
    sum += h;
  }
  s->sums[t->i] = sum;
  return 0;
}

/* Spawn tile i; on failure its handle is ready with the error. */
static void spawn_tile(par_demo_t *d, cf_runtime_t *rt, int i) {
  par_tile_t *t = malloc(sizeof *t);
  if (!t) {
    /* A refused spawn makes the handle a ready future; then the error. */
    (void)cf_spawn_blocking(rt, NULL, NULL, NULL, &d->h[i]);
    d->h[i].base.rc = CF_ENOMEM;
    return;
  }
  t->s = d->s;
  t->i = i;
  t->y0 = (int)((int64_t)d->size * i / d->tiles);
  t->y1 = (int)((int64_t)d->size * (i + 1) / d->tiles);
  d->s->refs++;
  const cf_blocking_options_t o = {tile_drop};
  if (cf_spawn_blocking(rt, tile_fn, t, &o, &d->h[i]) < 0)
    tile_drop(t); /* not taken: still ours */
}

static cf_poll_t par_poll(cf_future_t *f, cf_context_t *cx) {
  par_demo_t *d = (par_demo_t *)f;
  if (!d->spawned) {
    d->spawned = 1;
    cf_blocking_pool_options_t o = {(uint32_t)d->threads, 1000};
    int err = cf_blocking_configure(cx->rt, &o);
    if (err < 0) {
      f->rc = err;
      return CF_READY;
    }
    d->s = malloc(sizeof *d->s + (size_t)d->size * (size_t)d->size);
    if (!d->s) {
      f->rc = CF_ENOMEM;
      return CF_READY;
    }
    d->s->refs = 1;
    d->s->size = d->size;
    d->s->max_iter = d->max_iter;
    memset(d->s->sums, 0, sizeof d->s->sums);
    d->t0 = emscripten_get_now();
    for (int i = 0; i < d->tiles; i++)
      spawn_tile(d, cx->rt, i);
  }
  for (int i = 0; i < d->tiles; i++) {
    if (d->done_flags[i] || cf_future_poll(&d->h[i].base, cx) == CF_PENDING)
      continue;
    d->done_flags[i] = 1;
    d->done++;
    if (d->h[i].base.rc < 0 && f->rc == 0)
      f->rc = d->h[i].base.rc;
    d->checksum += d->s->sums[i];
  }
  if (d->done < d->tiles)
    return CF_PENDING;
  d->ms = emscripten_get_now() - d->t0;
  return CF_READY;
}

/* Dropping a handle removes a queued job and cancels a running one (which
 * keeps its reference to the shared block until it is finalized). */
static void par_drop(cf_future_t *f) {
  par_demo_t *d = (par_demo_t *)f;
  if (!d->spawned)
    return;
  for (int i = 0; i < d->tiles; i++)
    cf_future_drop(&d->h[i].base);
  shared_unref(d->s);
  d->s = NULL;
}

static const cf_future_vtable_t par_vt = {"demo_parallel", par_poll, par_drop,
                                          0};

static int par_init(cf_future_t *f, const cf_args_t *a) {
  par_demo_t *d = (par_demo_t *)f;
  cf_future_init(f, &par_vt);
  d->tiles = (int)cf_args_number(a, 0);
  d->threads = (int)cf_args_number(a, 1);
  d->size = (int)cf_args_number(a, 2);
  d->max_iter = (int)cf_args_number(a, 3);
  d->spawned = d->done = 0;
  d->t0 = d->ms = 0;
  d->s = NULL;
  d->checksum = 0;
  memset(d->done_flags, 0, sizeof d->done_flags);
  if (d->tiles < 1 || d->tiles > PAR_MAX_TILES)
    return cf_args_fail(a, CF_EINVAL, "tiles must be 1..64");
  if (d->threads < 1 || d->threads > 64)
    return cf_args_fail(a, CF_EINVAL, "threads must be 1..64");
  if (d->size < d->tiles || d->size > PAR_MAX_SIZE)
    return cf_args_fail(a, CF_EINVAL, "size must be tiles..4096");
  if (d->max_iter < 1 || d->max_iter > 100000)
    return cf_args_fail(a, CF_EINVAL, "max_iter must be 1..100000");
  return 0;
}

/* 0..15: the iteration count on a log scale (most points escape fast). */
static int par_bucket(uint8_t v) {
  int b = 0;
  for (unsigned x = v; x > 1; x >>= 1)
    b += 2;
  return b > 15 ? 15 : b;
}

/* The result, with a PAR_THUMB^2 thumbnail of the image (one letter a..p
 * per pixel: par_bucket of its iteration count; '.' inside the set). */
static char par_json[160 + PAR_THUMB * PAR_THUMB];
static void par_result(const cf_future_t *f, cf_value_t *out) {
  const par_demo_t *d = (const par_demo_t *)f;
  char thumb[PAR_THUMB * PAR_THUMB + 1];
  for (int y = 0; y < PAR_THUMB; y++) {
    for (int x = 0; x < PAR_THUMB; x++) {
      const size_t sy = (size_t)y * (size_t)d->size / PAR_THUMB;
      const size_t sx = (size_t)x * (size_t)d->size / PAR_THUMB;
      const uint8_t v = d->s ? d->s->px[sy * (size_t)d->size + sx] : 0;
      thumb[y * PAR_THUMB + x] = v == 0 ? '.' : (char)('a' + par_bucket(v));
    }
  }
  thumb[PAR_THUMB * PAR_THUMB] = '\0';
  snprintf(par_json, sizeof par_json,
           "{\"ms\":%.3f,\"threads\":%d,\"tiles\":%d,\"size\":%d,"
           "\"max_iter\":%d,\"checksum\":%u,\"thumb_side\":%d,"
           "\"thumb\":\"%s\"}",
           d->ms, d->threads, d->tiles, d->size, d->max_iter,
           (unsigned)d->checksum, PAR_THUMB, thumb);
  *out = cf_value_json(par_json);
}
CF_EXPORT_ASYNC(demo_parallel_export, "demo_parallel", par_demo_t, par_init,
                par_result)
